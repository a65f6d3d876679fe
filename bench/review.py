"""bench/review: the review of a period over N closed cases vs a hand-written SQL aggregate of the same figures.

One freshly migrated SQLite database (WAL, synchronous=FULL) holds N closed cases made by
`incident.review.history.generate` (the demo's generator): each incident with its hash-chained events
(6–8: opened, formed, overdue steps, reply, resolved, archived, closed), its frozen archive record,
a claimant, often a contact phone and sometimes an improvement action. The period covers them all.
In the same run, alternating, median of five:

- **review**: `incident.review.service.review(...)` — what the page, the PDF and the API call;
- **hand-written SQL**: the same figures straight from SQLite with `json_extract` (counts by problem
  group, place, grade and segment; median and p90 of each handling moment by ORDER BY … LIMIT 1 OFFSET;
  within-target counts; satisfaction sums; money paid; overdue steps; improvement actions; repeat
  phones by blind index; repeats by place and type with LAG over opened_at) — the floor for a query
  that knows its answers in advance. The two must agree before anything is timed.

`ratio` = review time ÷ SQL time (target ≤ 3). `python -m bench --out FILE --only review [--quick]`,
or `python -m bench.review [--quick] [--cases N]`.
"""
from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import tempfile
import time
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

CASES, QUICK_CASES = 10_000, 400
END = datetime(2026, 12, 1, 4, 0, tzinfo=timezone.utc)
MOMENTS = ("first_contact", "formation", "written_reply", "resolution")


def _setup(tmp: Path, n: int) -> tuple[Any, Any, Path, int]:
    from concord import migrate
    from incident import privacy
    from incident.accounts import service as accounts
    from incident.db import begin_write, make_engine, make_session_factory
    import concord.models  # noqa: F401  (every table and seam)
    from incident.review import history
    if privacy._cipher is None:  # run alone: a throwaway key (inside pytest the suite's key stays)
        privacy.configure(privacy.new_key())
    db = tmp / "bench.db"
    engine = make_engine(f"sqlite:///{db}")
    migrate.upgrade(engine)
    session = make_session_factory(engine)()
    begin_write(session)
    user = accounts.create_user(session, username="bench", password="Bench-Review-2026!", display_name="Bench",
                                role="manager")
    added = history.generate(session, count=n, end=END, seed=10)
    session.commit()
    return engine, user.actor, db, added


def _sql(db: Path, start: datetime, end: datetime, targets: dict[str, int], window_days: int) -> dict[str, Any]:
    """Every figure by hand-written SQL (sqlite3, no ORM)."""
    con = sqlite3.connect(db)
    fmt = lambda d: d.astimezone(timezone.utc).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")  # noqa: E731
    p = {"s": fmt(start), "e": fmt(end)}
    cases = "SELECT a.incident_id, a.problem_type_id, a.snapshot FROM archive_records a " \
            "WHERE a.closed_at >= :s AND a.closed_at < :e"
    q = lambda sql: con.execute(sql, p).fetchall()  # noqa: E731
    out: dict[str, Any] = {}
    out["total"] = q(f"SELECT count(*) FROM ({cases})")[0][0]
    out["groups"] = dict(q(f"""SELECT coalesce(g.name, t.name), count(*) FROM ({cases}) c
        LEFT JOIN problem_types t ON t.id = c.problem_type_id LEFT JOIN problem_types g ON g.id = t.parent_id
        GROUP BY 1"""))
    out["places"] = dict(q(f"SELECT i.place, count(*) FROM ({cases}) c JOIN incidents i ON i.id = c.incident_id GROUP BY 1"))
    out["grades"] = dict(q(f"SELECT i.grade, count(*) FROM ({cases}) c JOIN incidents i ON i.id = c.incident_id GROUP BY 1"))
    out["segments"] = dict(q(f"""SELECT cl.segment, count(DISTINCT cl.incident_id) FROM claimants cl
        WHERE cl.incident_id IN (SELECT incident_id FROM ({cases})) AND cl.segment != '' GROUP BY 1"""))
    handling = {}
    for m in MOMENTS:
        v = f"json_extract(c.snapshot, '$.handling.moments.{m}.minutes')"
        n = q(f"SELECT count({v}) FROM ({cases}) c")[0][0]
        pick = lambda k: q(f"SELECT {v} FROM ({cases}) c WHERE {v} IS NOT NULL ORDER BY 1 LIMIT 1 OFFSET {k}")[0][0]  # noqa: E731,B023
        within = q(f"SELECT count(*) FROM ({cases}) c WHERE {v} <= {int(targets[m])}")[0][0]
        handling[m] = (n, pick(max(-(-n // 2), 1) - 1), pick(max(-(-n * 9 // 10), 1) - 1), within) if n else (0, None, None, 0)
    out["handling"] = handling
    levels = ("very_satisfied", "satisfied", "neutral", "dissatisfied", "very_dissatisfied")
    sums = q("SELECT " + ", ".join(f"coalesce(sum(json_extract(c.snapshot, '$.satisfaction.distribution.{lv}')), 0)"
                                   for lv in levels) + f" FROM ({cases}) c")[0]
    out["satisfaction"] = (sums[0] + sums[1], sum(sums))
    paid = q(f"""SELECT json_extract(c.snapshot, '$.paid.compensation'), json_extract(c.snapshot, '$.paid.indemnity'),
        json_extract(c.snapshot, '$.paid.other') FROM ({cases}) c""")
    out["paid"] = f"{sum((Decimal(x or '0') for row in paid for x in row), Decimal('0.00')):.2f}"
    out["overdue"] = dict(q(f"""SELECT json_extract(e.payload, '$.step'), count(*) FROM incident_events e
        WHERE e.type = 'playbook.step_overdue' AND e.incident_id IN (SELECT incident_id FROM ({cases})) GROUP BY 1"""))
    out["improvements"] = q(f"""SELECT count(*), coalesce(sum(status = 'open'), 0) FROM improvement_actions
        WHERE incident_id IN (SELECT incident_id FROM ({cases}))""")[0]
    out["phones"] = q(f"""SELECT count(*) FROM (SELECT phone_index FROM incident_contacts
        WHERE incident_id IN (SELECT incident_id FROM ({cases})) GROUP BY phone_index
        HAVING count(DISTINCT incident_id) > 1)""")[0][0]
    out["repeats"] = q(f"""SELECT count(*) FROM (SELECT julianday(i.opened_at) - julianday(lag(i.opened_at) OVER
        (PARTITION BY i.place, c.problem_type_id ORDER BY i.opened_at, i.id)) AS gap FROM ({cases}) c
        JOIN incidents i ON i.id = c.incident_id WHERE i.place != '' AND c.problem_type_id IS NOT NULL)
        WHERE gap <= {window_days}""")[0][0]
    con.close()
    return out


def _agree(r: dict[str, Any], s: dict[str, Any]) -> None:
    assert r["total"] == s["total"], (r["total"], s["total"])
    assert {g["group"]: g["count"] for g in r["problem_types"]} == s["groups"]
    assert {x["name"]: x["count"] for x in r["places"]} == s["places"]
    assert {x["name"]: x["count"] for x in r["grades"]} == s["grades"]
    assert {x["name"]: x["count"] for x in r["segments"]} == s["segments"]
    for m in MOMENTS:
        h = r["handling"][m]
        assert (h["count"], h["median"], h["p90"], h["within_target"]) == s["handling"][m], (m, h, s["handling"][m])
    assert (r["satisfaction"]["satisfied"], r["satisfaction"]["answered"]) == s["satisfaction"]
    assert r["paid"]["total"] == s["paid"]
    assert {o["step"]: o["count"] for o in r["overdue_steps"]} == s["overdue"]
    assert (r["improvements"]["total"], r["improvements"]["open"]) == tuple(s["improvements"])
    assert r["repeats"]["phone_count"] == s["phones"]
    assert r["repeats"]["place_type_count"] == s["repeats"]


def run(quick: bool = False, cases: int | None = None) -> dict[str, Any]:
    from incident.db import make_session_factory
    from incident.review.period import Period
    from incident.review.service import review
    from incident.review.targets import Targets
    n = cases or (QUICK_CASES if quick else CASES)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        engine, actor, db, added = _setup(Path(tmp), n)
        setup_s = time.perf_counter() - t0
        period = Period(date(2026, 5, 1), date(2026, 11, 30))
        targets = Targets()

        def by_review() -> dict[str, Any]:
            with make_session_factory(engine)() as s:
                return review(s, actor=actor, period=period, targets=targets, now=END)

        def by_sql() -> dict[str, Any]:
            return _sql(db, period.start, period.end, targets.minutes, targets.repeat_window_days)

        _agree(by_review(), by_sql())  # the same figures, or nothing is worth timing
        times: dict[str, list[float]] = {"review": [], "sql": []}
        for _ in range(1 if quick else 5):
            for name, fn in (("review", by_review), ("sql", by_sql)):
                t = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - t)
        engine.dispose()
    review_s, sql_s = statistics.median(times["review"]), statistics.median(times["sql"])
    return {
        "cases": added, "events_per_case": "6-8", "database": "sqlite (WAL, synchronous=FULL)",
        "setup_s": round(setup_s, 1), "review_s": round(review_s, 3), "sql_s": round(sql_s, 3),
        "runs": {k: [round(x, 3) for x in v] for k, v in times.items()},
        "ratio": round(review_s / sql_s, 2), "target": "<= 3", "figures_agree": True,
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "note": "ratio = review() time / hand-written SQL time for the same figures (medians of alternating runs)",
    }


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.review", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--cases", type=int)
    args = ap.parse_args()
    print(json.dumps(run(quick=args.quick, cases=args.cases), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
