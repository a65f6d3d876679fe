"""The scheduler process: a firing thread that sleeps until the next deadline; APScheduler for the rest.

APScheduler holds no deadlines (they live in checklist_items); its in-memory jobs renew the lease,
deliver the outbox and run other packages' periodic jobs. misfire_grace_time=None: a wake-up that
comes late (busy process, suspended VM) still runs; coalesce=True: several missed wake-ups collapse
into one run.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.orm import Session

from incident import clock
from playbooks import callbacks, deadlines
from playbooks.notify import outbox
from playbooks.scheduler import jobs, lease

log = logging.getLogger(__name__)
# Housekeeping other features run on every tick of the lease holder: fn(session_factory). The
# composition root (concord/) appends them; playbooks never imports those features.
TICK_HOOKS: list[Callable[[Callable[[], Session]], object]] = []
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Runner:
    """One scheduler; with use_lease, several may run and only the lease holder fires — except on
    PostgreSQL, where every scheduler fires (claims with SKIP LOCKED share the rows) and the lease
    only picks who does the housekeeping (re-anchoring, callbacks, outbox, hooks, extra jobs).

    Firing runs in its own thread: a pass, then a sleep until the earliest due time (or the poll,
    whichever comes first); a new or changed deadline committed in this process nudges it awake
    (playbooks.deadlines.WAKERS). The APScheduler interval job renews the lease and runs the hooks.
    """

    def __init__(self, factory: Callable[[], Session], *, poll: float = 1.0, lease_ttl: float = 10.0,
                 use_lease: bool = True, outbox_every: float = 2.0, share: bool | None = None,
                 extra_jobs: list[tuple[Callable[[], None], float]] | None = None) -> None:
        self.factory, self.poll, self.ttl, self.use_lease = factory, poll, lease_ttl, use_lease
        self.outbox_every = outbox_every
        self.share = share  # None: decided by the database (True on PostgreSQL)
        # (job, seconds): periodic work of other packages (e.g. audit checkpoints), run by the lease holder
        self.extra_jobs = list(extra_jobs or [])
        self.holder = holder_id()
        self.leader = False
        self._lock = threading.Lock()
        self._nudged, self._stopping = threading.Event(), threading.Event()
        self._fire_thread: threading.Thread | None = None
        self._last_house = 0.0
        self.sched = BackgroundScheduler(timezone=timezone.utc, job_defaults=JOB_DEFAULTS)

    def _lead(self) -> bool:
        if not self.use_lease:
            return True
        was, self.leader = self.leader, lease.hold(self.factory, self.holder, self.ttl)
        if self.leader != was:
            log.warning("scheduler %s %s the lease", self.holder, "holds" if self.leader else "lost")
        return self.leader

    def _sharing(self) -> bool:
        if self.share is None:
            with self.factory() as s:
                self.share = s.get_bind().dialect.name == "postgresql"
        return bool(self.share)

    def fire(self) -> dict[str, int] | None:
        """One firing pass: everything due now (the lease holder also re-anchors and runs callbacks)."""
        lead = self.leader or not self.use_lease
        if not lead and not self._sharing():
            return None
        with self._lock:
            try:
                # housekeeping (steps done by events, re-anchoring, callbacks) once a poll, as before;
                # the passes in between only claim and fire: a burst is not slowed by it
                house = lead and time.monotonic() - self._last_house >= self.poll
                if house:
                    self._last_house = time.monotonic()
                return jobs.run_due(self.factory, self.holder, housekeeping=house, recheck=callbacks.RECHECK)
            except Exception:
                log.exception("scheduler pass failed")
                return None

    def tick(self) -> dict[str, int] | None:
        """Renew the lease, fire what is due, run the hooks (what the poll does, in one call)."""
        self._lead()
        result = self.fire()
        self._run_hooks()
        return result

    def _poll(self) -> None:
        """The interval job: renew the lease and run the hooks; the firing thread does the deadlines."""
        try:
            self._lead()
        except Exception:
            log.exception("scheduler lease renewal failed")
        self.nudge()
        self._run_hooks()

    def _run_hooks(self) -> None:
        """Run the tick hooks where this process leads (or uses no lease); a failing hook spoils no other."""
        if self.leader or not self.use_lease:
            for hook in TICK_HOOKS:
                try:
                    hook(self.factory)
                except Exception:
                    log.exception("scheduler tick hook %s failed", getattr(hook, "__name__", hook))

    def nudge(self) -> None:
        """Wake the firing thread now (a deadline was set or changed; the poll)."""
        self._nudged.set()

    def _fire_loop(self) -> None:
        while not self._stopping.is_set():
            self._nudged.clear()
            started = clock.now()
            result = self.fire()
            if result and (result.get("fired") or result.get("reminded")):
                continue  # a burst: what fell due meanwhile is claimed by the next pass at once
            try:
                nxt = jobs.next_wake(self.factory, after=started)
            except Exception:
                log.exception("scheduler could not read the next deadline")
                nxt = None
            # what was due at `started` and is still not fired (an action that keeps failing) waits
            # for the next poll; the sleep is until the next later deadline, or the poll
            delay = self.poll if nxt is None else min(self.poll, (nxt - clock.now()).total_seconds())
            if delay > 0:
                self._nudged.wait(delay)

    def deliver(self) -> None:
        if self.leader or not self.use_lease:
            try:
                outbox.deliver_due(self.factory)
            except Exception:
                log.exception("outbox delivery failed")

    def _extra(self, job: Callable[[], None]) -> None:
        if self.leader or not self.use_lease:
            try:
                job()
            except Exception:
                log.exception("scheduled job %s failed", getattr(job, "__qualname__", job))

    def catch_up(self) -> dict[str, int] | None:
        """Restart recovery before anything else runs: take the lease and fire everything overdue
        in batches (called by the server before it accepts connections, and by start())."""
        try:
            self._lead()
        except Exception:
            log.exception("scheduler lease at start-up failed")
        result = self.fire()
        if result and (result.get("fired") or result.get("reminded")):
            log.warning("scheduler %s caught up: %s reminders, %s overdue deadlines fired at start",
                        self.holder, result.get("reminded", 0), result.get("fired", 0))
        return result

    def start(self, catch_up: bool = True) -> None:
        if catch_up:
            self.catch_up()
        now = datetime.now(timezone.utc)
        self.sched.add_job(self._poll, "interval", seconds=self.poll, id="tick",
                           next_run_time=now + timedelta(seconds=self.poll))
        self.sched.add_job(self.deliver, "interval", seconds=self.outbox_every, id="outbox")
        for n, (job, seconds) in enumerate(self.extra_jobs):
            # first run shortly after start (after the first tick has taken the lease), then every `seconds`
            self.sched.add_job(self._extra, "interval", args=[job], seconds=seconds, id=f"extra-{n}",
                               next_run_time=now + timedelta(seconds=min(seconds, 2 * self.poll + 1)))
        deadlines.WAKERS.append(self.nudge)
        self._stopping.clear()
        self._fire_thread = threading.Thread(target=self._fire_loop, name="concord-deadlines", daemon=True)
        self._fire_thread.start()
        self.sched.start()

    def stop(self) -> None:
        if self.nudge in deadlines.WAKERS:
            deadlines.WAKERS.remove(self.nudge)
        self._stopping.set()
        self._nudged.set()
        if self._fire_thread is not None:
            self._fire_thread.join(30)
        self.sched.shutdown(wait=True)
        if self.use_lease and self.leader:
            lease.release(self.factory, self.holder)
