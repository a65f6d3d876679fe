"""The scheduler process: APScheduler wakes run_due() on a short poll and exactly at the next deadline.

APScheduler holds no deadlines (they live in checklist_items); its in-memory jobs only wake the
reader. misfire_grace_time=None: a wake-up that comes late (busy process, suspended VM) still runs;
coalesce=True: several missed wake-ups collapse into one run — the query catches everything due.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import datetime, timedelta, timezone
from typing import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.orm import Session

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
    """One scheduler; with use_lease, several may run and only the lease holder fires."""

    def __init__(self, factory: Callable[[], Session], *, poll: float = 1.0, lease_ttl: float = 10.0,
                 use_lease: bool = True, outbox_every: float = 2.0,
                 extra_jobs: list[tuple[Callable[[], None], float]] | None = None) -> None:
        self.factory, self.poll, self.ttl, self.use_lease = factory, poll, lease_ttl, use_lease
        self.outbox_every = outbox_every
        # (job, seconds): periodic work of other packages (e.g. audit checkpoints), run by the lease holder
        self.extra_jobs = list(extra_jobs or [])
        self.holder = holder_id()
        self.leader = False
        self._lock = threading.Lock()
        self.sched = BackgroundScheduler(timezone=timezone.utc, job_defaults=JOB_DEFAULTS)

    def _lead(self) -> bool:
        if not self.use_lease:
            return True
        was, self.leader = self.leader, lease.hold(self.factory, self.holder, self.ttl)
        if self.leader != was:
            log.warning("scheduler %s %s the lease", self.holder, "holds" if self.leader else "lost")
        return self.leader

    def tick(self) -> dict[str, int] | None:
        """Renew the lease, then fire what is due; schedule a precise wake-up for the next deadline."""
        with self._lock:
            try:
                if not self._lead():
                    return None
                result = jobs.run_due(self.factory, self.holder)
                self._plan_wake()
                for hook in TICK_HOOKS:
                    try:
                        hook(self.factory)
                    except Exception:
                        log.exception("scheduler tick hook %s failed", getattr(hook, "__name__", hook))
                return result
            except Exception:
                log.exception("scheduler tick failed")
                return None

    def _plan_wake(self) -> None:
        nxt = jobs.next_wake(self.factory)
        now = datetime.now(timezone.utc)
        if nxt is not None and nxt - now < timedelta(seconds=self.poll):
            self.sched.add_job(self.tick, "date", run_date=max(nxt, now), id="wake", replace_existing=True)

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

    def start(self) -> None:
        now = datetime.now(timezone.utc)
        # The first tick runs at once: deadlines that fell due while no scheduler ran fire now.
        self.sched.add_job(self.tick, "interval", seconds=self.poll, id="tick", next_run_time=now)
        self.sched.add_job(self.deliver, "interval", seconds=self.outbox_every, id="outbox")
        for n, (job, seconds) in enumerate(self.extra_jobs):
            # first run shortly after start (after the first tick has taken the lease), then every `seconds`
            self.sched.add_job(self._extra, "interval", args=[job], seconds=seconds, id=f"extra-{n}",
                               next_run_time=now + timedelta(seconds=min(seconds, 2 * self.poll + 1)))
        self.sched.start()

    def stop(self) -> None:
        self.sched.shutdown(wait=True)
        if self.use_lease and self.leader:
            lease.release(self.factory, self.holder)
