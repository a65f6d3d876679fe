"""bench/audit: `verify_chain` over one incident's chain of N events vs bare hashlib over the same bytes.

One freshly migrated SQLite database (WAL, synchronous=FULL) holds one incident whose timeline has N
events (notes, payments, votes — payloads of the sizes the real ones have), chained with the real
`canonical` + `event_hash`. In the same run:

- **verify**: `incident.timeline.verify_chain` — streams the rows with core SQL, re-encodes each
  event canonically, re-hashes and checks the links, the sequence and the incident's head;
- **bare hashlib**: `hashlib.sha256(prev + body)` over the very canonical bytes the chain was built
  from, already in memory (no database, no encoding): the floor no verifier can beat;
- **stdlib loop** (reported, not the target): `sqlite3` rows → `json.dumps` → `hashlib`, hand-written.

`ratio` = verify throughput ÷ bare-hashlib throughput (target ≥ 0.5). Memory: the peak traced by
`tracemalloc` while verifying N/10 and N events — flat when streaming (an ORM `.all()` grows with N).

`python -m bench --out FILE --only audit [--quick]`, or `python -m bench.audit [--quick] [--events N]`.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

EVENTS, QUICK_EVENTS = 1_000_000, 20_000
T0 = datetime(2026, 6, 1, 1, 0, tzinfo=timezone.utc)


def _payload(i: int) -> dict[str, Any]:
    kind = i % 3
    if kind == 0:
        return {"text": f"第{i}次沟通：业主代表要求书面答复，物业承诺三日内维修电梯。", "note_id": i}
    if kind == 1:
        return {"claimant_id": i % 500 + 1, "amount": "1200.00", "currency": "CNY", "kind": "compensation"}
    return {"step": "callback", "due_at": (T0 + timedelta(hours=i % 48)).isoformat(), "seat": "customer_service"}


def _setup(tmp: Path, n: int) -> tuple[Any, int, list[bytes]]:
    from concord import migrate
    from incident import jsontext
    from incident.db import make_engine
    from incident.timeline.chain import canonical, event_hash
    from incident.timeline.models import GENESIS
    db = tmp / "bench.db"
    engine = make_engine(f"sqlite:///{db}")
    migrate.upgrade(engine)
    engine.dispose()
    raw = sqlite3.connect(db)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("INSERT INTO users (username, display_name, password_hash, role, locale, active, is_legal,"
                " created_at) VALUES ('bench', 'Bench', 'x', 'manager', 'zh_CN', 1, 0, '2026-06-01 01:00:00')")
    bodies: list[bytes] = []
    rows: list[tuple[Any, ...]] = []
    prev = GENESIS
    for seq in range(1, n + 1):
        at = T0 + timedelta(seconds=seq)
        payload = _payload(seq)
        body = canonical(incident_id=1, seq=seq, type="note.added", actor_id=1, actor_name="Bench", at=at,
                         payload=payload)
        h = event_hash(prev, body)
        bodies.append(body)
        rows.append((1, seq, "note.added", 1, "Bench", at.strftime("%Y-%m-%d %H:%M:%S.%f"),
                     jsontext.dumps(payload), prev, h))  # the text the engine stores (make_engine)
        prev = h
    _incident_row(raw, n, prev)
    raw.executemany("INSERT INTO incident_events (incident_id, seq, type, actor_id, actor_name, at, payload,"
                    " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    raw.commit()
    raw.close()
    return db, n, bodies


def _incident_row(raw: sqlite3.Connection, last_seq: int, head: str) -> None:
    """One incident row with the columns its table requires (whatever their defaults)."""
    cols = raw.execute("PRAGMA table_info(incidents)").fetchall()
    values: dict[str, Any] = {}
    for _cid, name, type_, notnull, default, pk in cols:
        if pk:
            values[name] = 1
        elif notnull and default is None:
            t = (type_ or "").upper()
            values[name] = (0 if any(k in t for k in ("INT", "BOOL", "NUM", "FLOAT")) else
                            "2026-06-01 01:00:00" if "DATE" in t or "TIME" in t else
                            "{}" if "JSON" in t else "")
    values.update(ref="GC-20260601-001", last_seq=last_seq, head_hash=head)
    names = ", ".join(values)
    raw.execute(f"INSERT INTO incidents ({names}) VALUES ({', '.join('?' * len(values))})", list(values.values()))


def _verify(db: Path, n: int, head: str) -> tuple[float, int]:
    from incident.db import make_engine, make_session_factory
    from incident.timeline import verify_chain
    engine = make_engine(f"sqlite:///{db}")
    factory = make_session_factory(engine)
    try:
        with factory() as s:
            verify_chain(s, 1, anchor_seq=None)  # warm: statement compiled, pages cached like the rest
        with factory() as s:
            t0 = time.perf_counter()
            report = verify_chain(s, 1, anchor_seq=n, anchor_hash=head)
            took = time.perf_counter() - t0
        assert report.ok, report
        return took, report.events
    finally:
        engine.dispose()


def _peak_memory(db: Path, limit: int) -> int:
    """Peak bytes traced while verifying the first *limit* events (a view of the same chain)."""
    from incident.db import make_engine, make_session_factory
    from incident.timeline import verify as v
    engine = make_engine(f"sqlite:///{db}")
    factory = make_session_factory(engine)
    try:
        with factory() as s:
            s.execute(__import__("sqlalchemy").text("DELETE FROM incident_events WHERE seq > :n"), {"n": limit})
            tracemalloc.start()
            v.verify_chain(s, 1)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            s.rollback()
        return peak
    finally:
        engine.dispose()


def _bare(bodies: list[bytes]) -> tuple[float, str]:
    from incident.timeline.models import GENESIS
    t0 = time.perf_counter()
    prev = GENESIS
    for body in bodies:
        prev = hashlib.sha256(prev.encode("ascii") + body).hexdigest()
    return time.perf_counter() - t0, prev


def _stdlib_loop(db: Path) -> float:
    raw = sqlite3.connect(db)
    t0 = time.perf_counter()
    prev = "0" * 64
    for seq, type_, actor_id, name, at, payload, h in raw.execute(
            "SELECT seq, type, actor_id, actor_name, at, payload, hash FROM incident_events "
            "WHERE incident_id = 1 ORDER BY seq"):
        when = datetime.fromisoformat(at).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        body = json.dumps({"incident_id": 1, "seq": seq, "type": type_, "actor_id": actor_id,
                           "actor_name": name, "at": when, "payload": json.loads(payload)},
                          sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        prev = hashlib.sha256(prev.encode("ascii") + body).hexdigest()
        assert prev == h
    took = time.perf_counter() - t0
    raw.close()
    return took


def run(quick: bool = False, events: int | None = None) -> dict[str, Any]:
    n = events or (QUICK_EVENTS if quick else EVENTS)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        db, n, bodies = _setup(Path(tmp), n)
        bare_t, head = _bare(bodies)
        verify_t, checked = _verify(db, n, head)
        loop_t = _stdlib_loop(db)
        del bodies
        mem_small, mem_full = _peak_memory(db, max(n // 10, 1)), _peak_memory(db, n)
    assert checked == n
    return {
        "events": n, "database": "sqlite (WAL, synchronous=FULL)",
        "verify_s": round(verify_t, 3), "bare_hashlib_s": round(bare_t, 3), "stdlib_loop_s": round(loop_t, 3),
        "verify_events_per_s": round(n / verify_t), "bare_events_per_s": round(n / bare_t),
        "ratio": round(bare_t / verify_t, 3), "target": ">= 0.5",
        "ratio_vs_stdlib_loop": round(loop_t / verify_t, 3),
        "peak_memory_bytes": {f"{max(n // 10, 1)} events": mem_small, f"{n} events": mem_full},
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "note": "ratio = verify throughput / bare sha256 over the same canonical bytes held in memory",
    }


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.audit", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--events", type=int)
    args = ap.parse_args()
    print(json.dumps(run(quick=args.quick, events=args.events), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
