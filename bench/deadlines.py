"""Deadlines: N pending deadlines over M incidents fired by Concord's scheduler vs a bare APScheduler.

Three measurements in one run, each case in its own child process (so memory is its own):
- concord: deadlines rows in SQLite, the real Runner (poll 1 s + a wake-up at the next deadline);
  lateness = moment the "playbook.step_overdue" event is published after COMMIT − the deadline;
- baseline: a bare APScheduler 3 BackgroundScheduler, one in-memory date job per deadline, doing
  nothing but noting the time (what "just use APScheduler jobs" costs: no database, no actions);
- restart: a real `concord scheduler` process is killed with SIGKILL before the deadlines, restarted
  after all of them passed: time until every overdue deadline has fired, and that each fired once.
Deadlines are spread over 20–40 s (quick: 5–10 s, 1,000 over 50 incidents): a burst. The
`*_sparse` cases repeat concord and baseline at about 10 deadlines a second.
"""
from __future__ import annotations

import json
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIELD_KEY = "kL2Q0Yg3v9m1a8s7d6f5g4h3j2k1l0z9x8c7v6b5n4M="


def sizes(quick: bool) -> dict[str, Any]:
    return ({"incidents": 50, "deadlines": 1000, "lo": 5.0, "hi": 10.0, "sparse": 50} if quick
            else {"incidents": 500, "deadlines": 10_000, "lo": 20.0, "hi": 40.0, "sparse": 300})


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class PeakRss:
    """Samples the resident size every 50 ms; .peak − .start is the growth while running."""

    def __init__(self) -> None:
        self.start = self.peak = rss_mb()
        self._stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, rss_mb())

    def stop(self) -> float:
        self._stop.set()
        return round(max(self.peak, rss_mb()) - self.start, 1)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return round(s[min(len(s) - 1, int(round(q / 100 * (len(s) - 1))))], 1)


def build(db_url: str, n_incidents: int, n_deadlines: int, lo: float, hi: float) -> tuple[Any, list[float]]:
    """A migrated database with incidents and exactly n_deadlines pending deadlines; returns due times."""
    from sqlalchemy import delete, insert

    import concord.models  # noqa: F401  (all tables, and the open-incident hook)
    from concord import migrate
    from incident import privacy, service
    from incident.accounts import service as accounts
    from incident.db import make_engine, make_session_factory, unit_of_work
    from incident.intake.schema import parse_intake
    from playbooks.models import ChecklistItem
    from tests.factories import intake_data
    privacy.configure(FIELD_KEY)
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as s:
        user = accounts.create_user(s, username="bench", password="bench-password-1", display_name="Bench",
                                    role="manager")
        ids = [service.open_incident(s, actor=user.actor, intake=parse_intake(intake_data())).id
               for _ in range(n_incidents)]
        s.execute(delete(ChecklistItem))  # only the benchmark's deadlines remain
    rng = random.Random(1)
    t0 = time.time()
    due = [t0 + rng.uniform(lo, hi) for _ in range(n_deadlines)]
    rows = [{"incident_id": ids[i % len(ids)], "playbook": "property_mass", "step": "readback",
             "round": i // len(ids) + 1, "kind": "step", "seat": "customer_service", "status": "pending",
             "anchor": "incident.opened", "due_at": datetime.fromtimestamp(d, timezone.utc),
             "done_by_name": "", "evidence": {}} for i, d in enumerate(due)]
    with unit_of_work(factory) as s:
        s.execute(insert(ChecklistItem), rows)
    return factory, due


def case_concord(n_incidents: int, n_deadlines: int, lo: float, hi: float) -> dict[str, Any]:
    """Concord's scheduler in this process; lateness from after-commit publication."""
    from incident.timeline import bus
    from playbooks.scheduler.runner import Runner
    tmp = tempfile.mkdtemp(prefix="bench-deadlines-")
    setup = time.monotonic()
    factory, due = build(f"sqlite:///{tmp}/concord.db", n_incidents, n_deadlines, lo, hi)
    setup_s = time.monotonic() - setup
    published: dict[int, list[float]] = {}
    done = threading.Event()

    def on_event(ev: dict[str, Any]) -> None:
        if ev["type"] == "playbook.step_overdue":
            published.setdefault(ev["payload"]["item_id"], []).append(time.time())
            if len(published) >= n_deadlines:
                done.set()

    unsubscribe = bus.subscribe(on_event)
    mem = PeakRss()
    runner = Runner(factory, poll=1.0)
    runner.start()
    done.wait(timeout=hi + 120)
    time.sleep(1.0)  # let a few more passes run: a second firing would show up here
    runner.stop()
    unsubscribe()
    from sqlalchemy import func, select

    from playbooks.models import ChecklistItem
    with factory() as s:
        first_id = s.scalar(select(func.min(ChecklistItem.id)))
        fired_rows = s.scalar(select(func.count()).select_from(ChecklistItem).where(ChecklistItem.fired_at.is_not(None)))
    late = [(times[0] - due[item_id - first_id]) * 1000 for item_id, times in published.items()]
    return {"fired": len(published), "fired_rows": fired_rows,
            "fired_more_than_once": sum(1 for t in published.values() if len(t) > 1),
            "lateness_p50_ms": pct(late, 50), "lateness_p99_ms": pct(late, 99), "lateness_max_ms": pct(late, 100),
            "rss_growth_mb": mem.stop(), "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "setup_s": round(setup_s, 1)}


def case_baseline(n_deadlines: int, lo: float, hi: float) -> dict[str, Any]:
    """A bare APScheduler: one in-memory date job per deadline that only notes when it ran."""
    from apscheduler.schedulers.background import BackgroundScheduler
    ran: dict[int, list[float]] = {}
    done = threading.Event()

    def job(i: int) -> None:
        ran.setdefault(i, []).append(time.time())
        if len(ran) >= n_deadlines:
            done.set()

    sched = BackgroundScheduler(timezone=timezone.utc, job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": None})
    sched.start()
    rng = random.Random(1)
    mem = PeakRss()
    t0 = time.time()
    due = [t0 + rng.uniform(lo, hi) for _ in range(n_deadlines)]
    for i, d in enumerate(due):
        sched.add_job(job, "date", run_date=datetime.fromtimestamp(d, timezone.utc), args=[i], id=str(i))
    armed_mb = round(rss_mb() - mem.start, 1)
    done.wait(timeout=hi + 120)
    time.sleep(1.0)
    sched.shutdown(wait=True)
    late = [(t[0] - due[i]) * 1000 for i, t in ran.items()]
    return {"fired": len(ran), "fired_more_than_once": sum(1 for t in ran.values() if len(t) > 1),
            "lateness_p50_ms": pct(late, 50), "lateness_p99_ms": pct(late, 99), "lateness_max_ms": pct(late, 100),
            "rss_growth_mb": mem.stop(), "jobs_in_memory_mb": armed_mb,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def case_restart(n_incidents: int, n_deadlines: int, lo: float, hi: float) -> dict[str, Any]:
    """kill -9 a real scheduler before the deadlines; restart after they passed; time to fire them all."""
    from sqlalchemy import func, select

    from incident.settings import init_instance, load_settings
    from incident.timeline.models import Event
    from playbooks.models import ChecklistItem, SchedulerLease
    inst = Path(tempfile.mkdtemp(prefix="bench-restart-")) / "instance"
    init_instance(inst, field_key=FIELD_KEY)
    settings = load_settings(inst, env={})
    factory, due = build(settings.database_url, n_incidents, n_deadlines, lo, hi)
    ttl = 3.0

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "concord", "--instance", str(inst), "scheduler", "--poll", "1",
                                 "--lease-ttl", str(ttl)], cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=(inst / "scheduler.log").open("ab"), start_new_session=True,
                                env={k: v for k, v in os.environ.items() if not k.startswith("CONCORD_")})

    def count(stmt: Any) -> int:
        with factory() as s:
            return s.scalar(stmt) or 0

    first = start()
    end = time.time() + 30
    while time.time() < end and not count(select(func.count()).select_from(SchedulerLease)):
        time.sleep(0.1)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    killed_before = count(select(func.count()).select_from(ChecklistItem).where(ChecklistItem.fired_at.is_not(None)))
    time.sleep(max(0.0, max(due) - time.time()) + ttl + 0.5)  # every deadline passed, the dead lease expired
    restarted = time.monotonic()
    second = start()
    fired = 0
    end = time.monotonic() + 300
    while time.monotonic() < end:
        fired = count(select(func.count()).select_from(ChecklistItem).where(ChecklistItem.fired_at.is_not(None)))
        if fired >= n_deadlines:
            break
        time.sleep(0.1)
    recovery = time.monotonic() - restarted
    time.sleep(2.0)  # two more polls
    os.killpg(second.pid, signal.SIGTERM)
    second.wait(30)
    events = count(select(func.count()).select_from(Event).where(Event.type == "playbook.step_overdue"))
    distinct = count(select(func.count(func.distinct(ChecklistItem.id))).where(ChecklistItem.fired_at.is_not(None)))
    return {"deadlines": n_deadlines, "fired_before_kill": killed_before, "fired_after_restart": fired,
            "overdue_events": events, "distinct_fired": distinct, "exactly_once": events == distinct == n_deadlines,
            "recovery_s": round(recovery, 2), "includes_process_start": True}


def _child(name: str, **kw: Any) -> dict[str, Any]:
    code = ("import json, sys; sys.path.insert(0, sys.argv[3]); import bench.deadlines as d; "
            "print(json.dumps(getattr(d, 'case_' + sys.argv[1])(**json.loads(sys.argv[2]))))")
    proc = subprocess.run([sys.executable, "-c", code, name, json.dumps(kw), str(ROOT)], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"case {name} failed: {proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(quick: bool) -> dict[str, Any]:
    """Run the three cases; ratios are Concord ÷ bare APScheduler (lower is better)."""
    z = sizes(quick)
    concord = _child("concord", n_incidents=z["incidents"], n_deadlines=z["deadlines"], lo=z["lo"], hi=z["hi"])
    baseline = _child("baseline", n_deadlines=z["deadlines"], lo=z["lo"], hi=z["hi"])
    restart = _child("restart", n_incidents=z["incidents"], n_deadlines=z["deadlines"], lo=z["lo"], hi=z["hi"])
    # The same with a realistic rate (≈ 10 deadlines a second) instead of a burst: lateness then
    # shows the wake-up path, not the queue behind a burst.
    sparse = {"n_deadlines": z["sparse"], "lo": 5.0, "hi": 5.0 + z["sparse"] / 10}
    concord_sparse = _child("concord", n_incidents=min(50, z["incidents"]), **sparse)
    baseline_sparse = _child("baseline", **sparse)

    def ratio(a: float, b: float) -> float | None:
        return round(a / b, 2) if b and b == b and a == a else None
    return {"sizes": z, "concord": concord, "baseline_apscheduler": baseline, "restart": restart,
            "concord_sparse": concord_sparse, "baseline_sparse": baseline_sparse,
            "ratios": {"lateness_p50": ratio(concord["lateness_p50_ms"], baseline["lateness_p50_ms"]),
                       "lateness_p99": ratio(concord["lateness_p99_ms"], baseline["lateness_p99_ms"]),
                       "rss_growth": ratio(concord["rss_growth_mb"], baseline["rss_growth_mb"]),
                       "sparse_lateness_p50": ratio(concord_sparse["lateness_p50_ms"],
                                                    baseline_sparse["lateness_p50_ms"]),
                       "sparse_lateness_p99": ratio(concord_sparse["lateness_p99_ms"],
                                                    baseline_sparse["lateness_p99_ms"])},
            "notes": ["concord lateness is measured at after-commit publication and includes each "
                      "deadline's actions (timeline event, inbox notification) and the 1 s poll for "
                      "deadlines it has not been woken for; the baseline job does nothing",
                      "a bare APScheduler with its default in-memory job store loses every job on kill -9; "
                      "Concord's deadlines live in the database, so recovery is one query"]}


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
