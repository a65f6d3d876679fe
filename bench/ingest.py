"""bench/ingest: acknowledged writes per second through the real app vs raw one-row transactions.

App: a real `concord serve` process (its own SQLite database, WAL + synchronous=FULL); WRITERS
client threads, each logged in as the demo leader, post notes to the demo incident through the
HTTP API as fast as the server acknowledges them. Every write is validated (CSRF, permission,
text), stored, triaged (risk keywords, re-grade), chained (timeline hash) and committed, then
broadcast; one Socket.IO client in the incident's room counts what was broadcast, and the run
checks that every acknowledged note arrived exactly once.
Baseline, same run, same folder (same disk): Python's sqlite3 committing one-row transactions
(BEGIN IMMEDIATE, INSERT, COMMIT) into a WAL + FULL database — measured before and after the app,
and averaged, so both see the same machine. ratio = app writes/s / raw transactions/s (target >= 0.25).

PostgreSQL, when CONCORD_BENCH_POSTGRES_URL (or CONCORD_TEST_POSTGRES_URL) names a server the
benchmark may create a database on: the same app run against it, and psycopg one-row autocommit
INSERTs as its baseline.

`python -m bench --out FILE --only ingest [--quick]`, or `python -m bench.ingest [--quick]`.
"""
from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from bench._procs import Server, bare_server, concord_instance, concord_server
from bench.live import login

WRITERS = 4          # concurrent HTTP clients
DURATION = 10.0      # seconds of writing per measurement
TARGET_RATIO = 0.25
TEXT = "现场进展：维修工已到达3号楼，正在排查电梯控制柜，业主情绪平稳"


def raw_sqlite(path: Path, duration: float) -> float:
    """One-row transactions per second, WAL + synchronous=FULL, as Concord sets its pragmas."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, at REAL, body TEXT)")
    n, end = 0, time.monotonic() + duration
    begin = time.monotonic()
    while time.monotonic() < end:
        con.execute("BEGIN IMMEDIATE")
        con.execute("INSERT INTO t (at, body) VALUES (?, ?)", (time.time(), TEXT))
        con.execute("COMMIT")
        n += 1
    rate = n / (time.monotonic() - begin)
    con.close()
    return rate


def raw_postgres(url: str, duration: float) -> float:
    import psycopg
    with psycopg.connect(url, autocommit=True) as con:
        con.execute("CREATE TABLE IF NOT EXISTS bench_raw (id BIGSERIAL PRIMARY KEY, at DOUBLE PRECISION, body TEXT)")
        n, end = 0, time.monotonic() + duration
        begin = time.monotonic()
        while time.monotonic() < end:
            con.execute("INSERT INTO bench_raw (at, body) VALUES (%s, %s)", (time.time(), TEXT))
            n += 1
        return n / (time.monotonic() - begin)


class Listener:
    """One Socket.IO client in the incident's room, on its own thread: counts notes broadcast."""

    def __init__(self, url: str, cookie: str, incident_id: int, after: int) -> None:
        self.url, self.cookie, self.join = url, cookie, {"incident_id": incident_id, "after": after}
        self.notes: dict[int, int] = {}  # note id -> times received
        self.ready, self.stop = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _main(self) -> None:
        import socketio
        c = socketio.AsyncClient(reconnection=False, websocket_extra_options={
            "headers": {"Origin": self.url, "Cookie": self.cookie}})

        def on_timeline(ev: dict[str, Any]) -> None:
            if ev.get("type") == "note.added":
                nid = ev["payload"]["note_id"]
                self.notes[nid] = self.notes.get(nid, 0) + 1
        c.on("timeline", on_timeline)
        await c.connect(self.url, transports=["websocket"], wait_timeout=30)
        reply = await c.call("join", self.join, timeout=60)
        assert reply and reply.get("ok"), reply
        self.ready.set()
        while not self.stop.is_set():
            await asyncio.sleep(0.05)
        await c.disconnect()

    def __enter__(self) -> "Listener":
        self.thread.start()
        if not self.ready.wait(60):
            raise RuntimeError("the listening client did not join")
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(10)


def app_writes(server: Server, duration: float, writers: int) -> dict[str, Any]:
    """Acknowledged note writes per second from `writers` threads; every one must be broadcast once."""
    sessions = [login(server.url) for _ in range(writers)]
    http = sessions[0]
    incident_id = http.get(server.url + "/api/v1/incidents", timeout=10).json()["incidents"][0]["id"]
    last = http.get(f"{server.url}/api/v1/incidents/{incident_id}", timeout=10).json()["last_seq"]
    cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
    acked: list[list[int]] = [[] for _ in range(writers)]
    errors: list[str] = []
    go = threading.Event()
    end = [0.0]

    def writer(k: int) -> None:
        go.wait()
        i = 0
        while time.monotonic() < end[0]:
            r = sessions[k].post(f"{server.url}/api/v1/incidents/{incident_id}/notes",
                                 json={"text": f"{TEXT} #{k}-{i}"}, timeout=60)
            if r.status_code != 201:
                errors.append(f"{r.status_code} {r.text[:200]}")
                return
            acked[k].append(r.json()["id"])
            i += 1
    with Listener(server.url, cookie, incident_id, last) as listener:
        threads = [threading.Thread(target=writer, args=(k,)) for k in range(writers)]
        for t in threads:
            t.start()
        begin = time.monotonic()
        end[0] = begin + duration
        go.set()
        for t in threads:
            t.join()
        took = time.monotonic() - begin
        ids = [i for a in acked for i in a]
        wait_until = time.monotonic() + 15
        while time.monotonic() < wait_until and len(listener.notes) < len(ids):
            time.sleep(0.1)
        time.sleep(0.3)  # a late duplicate would show here
        got = dict(listener.notes)
    return {"writes": len(ids), "seconds": round(took, 2), "writes_per_s": round(len(ids) / took, 1),
            "ms_per_write_per_writer": round(1000 * took * writers / len(ids), 2) if ids else None,
            "broadcast": sum(1 for i in ids if got.get(i) == 1), "over_delivered": sum(1 for n in got.values() if n > 1),
            "missing": sum(1 for i in ids if i not in got), "errors": errors[:3]}


def bare_http_writes(folder: Path, duration: float, writers: int) -> float:
    """The framework's own ceiling, same run: acknowledged POSTs per second to a bare Flask-SocketIO
    server (same gunicorn threads, same Socket.IO options) that only broadcasts what it is sent —
    no database, no session, no checks. No app on this stack can acknowledge writes faster."""
    counts = [0] * writers
    with bare_server(folder, "gthread", writers + 16) as server:
        go, end = threading.Event(), [0.0]

        def writer(k: int) -> None:
            import requests
            http, i = requests.Session(), 0
            go.wait()
            while time.monotonic() < end[0]:
                r = http.post(server.url + "/emit", json={"seq": i, "type": "note.added",
                                                          "payload": {"text": f"{TEXT} #{k}-{i}"}}, timeout=60)
                r.raise_for_status()
                counts[k] += 1
                i += 1
        threads = [threading.Thread(target=writer, args=(k,)) for k in range(writers)]
        for t in threads:
            t.start()
        begin = time.monotonic()
        end[0] = begin + duration
        go.set()
        for t in threads:
            t.join()
        return sum(counts) / (time.monotonic() - begin)


def _measure(folder: Path, duration: float, writers: int, env: dict[str, str], raw: Any) -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    instance = concord_instance(folder / "instance", env)
    before = raw(duration)
    with concord_server(instance, threads=writers + 16, env=env) as server:
        app_writes(server, min(1.0, duration), writers)  # warm-up: imports, caches, first pages
        app = app_writes(server, duration, writers)
    after = raw(duration)
    bare = bare_http_writes(folder, duration, writers)
    base = (before + after) / 2
    return {"app": app, "raw_tx_per_s": round(base, 1), "raw_tx_per_s_before_after": [round(before, 1), round(after, 1)],
            "ratio": round(app["writes_per_s"] / base, 3) if base else None,
            # what bounds the ratio: the bare framework's own rate over the raw transactions
            "bare_http_writes_per_s": round(bare, 1),
            "ceiling_ratio": round(bare / base, 3) if base else None,
            "ratio_to_bare_http": round(app["writes_per_s"] / bare, 3) if bare else None}


def _postgres(folder: Path, url: str, duration: float, writers: int) -> dict[str, Any]:
    import psycopg
    from sqlalchemy.engine import make_url
    admin = make_url(url).set(drivername="postgresql")
    name = f"concord_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    try:
        db = admin.set(database=name)
        env = {"CONCORD_DATABASE_URL": db.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)}
        return _measure(folder, duration, writers, env,
                        lambda d: raw_postgres(db.render_as_string(hide_password=False), d))
    finally:
        with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(quick: bool = False, duration: float | None = None, writers: int | None = None) -> dict[str, Any]:
    duration = duration or (1.0 if quick else DURATION)
    writers = writers or (2 if quick else WRITERS)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        lite = _measure(folder / "sqlite", duration, writers, {},
                        lambda d: raw_sqlite(folder / "sqlite" / "raw.db", d))
        result: dict[str, Any] = {
            "what": "acknowledged note writes (validated, stored, triaged, chained, committed, broadcast) per s",
            "duration_s": duration, "writers": writers, "quick": quick, "sqlite": lite,
            "ratio": lite["ratio"], "target_ratio": TARGET_RATIO, "ceiling_ratio": lite["ceiling_ratio"],
            "met": None if quick or lite["ratio"] is None else lite["ratio"] >= TARGET_RATIO}
        pg = os.environ.get("CONCORD_BENCH_POSTGRES_URL") or os.environ.get("CONCORD_TEST_POSTGRES_URL")
        if pg and not quick:
            try:
                result["postgresql"] = _postgres(folder / "pg", pg, duration, writers)
            except Exception as err:  # reported, not fatal: the SQLite figure stands
                result["postgresql"] = {"error": f"{type(err).__name__}: {err}"}
        elif not pg:
            result["postgresql"] = {"skipped": "set CONCORD_BENCH_POSTGRES_URL"}
    return result


if __name__ == "__main__":
    import sys
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2, ensure_ascii=False))
