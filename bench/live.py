"""bench/live: commit-to-receipt latency of the live room, Concord vs. a bare Flask-SocketIO server.

N python-socketio clients (asyncio, one process) join one room; events are committed at a steady
rate through the real HTTP API of a real `concord serve` process (note added -> timeline event ->
after-commit emit). Latency of an event = the moment the LAST of the N clients received it minus
the server's push stamp `sent_at` (taken right after the commit, same host clock); the latency from
the event's own `at` stamp (inside the transaction, before the commit's fsync) is reported too. The same clients
then measure a bare Flask-SocketIO server (same server and async mode, same Socket.IO options)
broadcasting payloads of the same shape. The same bare server under other async modes/servers
gives the numbers behind the choice of async mode (docs/realtime.md).

`python -m bench --out FILE --only live [--quick]`, or `python -m bench.live [--quick] [--sizes 50,200]`.
"""
from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import math
import os
import re
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import requests

from bench._procs import Server, bare_server, concord_instance, concord_server

RATE = 10.0                   # events per second, as in the issue
SIZES = (50, 200, 500)
QUICK_SIZES = (3,)
REPEATS = 3                   # each size measured this many times; the median ratio is the figure
TARGET_SIZES, TARGET_P99_RATIO = (200, 500), 1.0
MODE_N = 200                  # room size for the async-mode comparison
DEMO_USER, DEMO_PASSWORD = "leader", "concord-demo"


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def login(url: str) -> requests.Session:
    http = requests.Session()
    token = re.search(r'name="csrf_token" value="([^"]+)"', http.get(url + "/login", timeout=10).text)
    resp = http.post(url + "/login", data={"username": DEMO_USER, "password": DEMO_PASSWORD,
                                           "csrf_token": token.group(1)}, allow_redirects=False, timeout=10)
    resp.raise_for_status()
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', http.get(url + "/", timeout=10).text)
    http.headers.update({"Accept": "application/json", "X-CSRF-Token": csrf.group(1)})
    return http


class Target:
    """Where events come from: how to post one, what to join, which cookie to send."""

    def __init__(self, url: str, post: Callable[[int], None], join: dict[str, Any], cookie: str = "") -> None:
        self.url, self.post, self.join, self.cookie = url, post, join, cookie


def concord_target(server: Server) -> Target:
    http = login(server.url)
    incident_id = http.get(server.url + "/api/v1/incidents", timeout=10).json()["incidents"][0]["id"]
    last = http.get(f"{server.url}/api/v1/incidents/{incident_id}", timeout=10).json()["last_seq"]
    lock = threading.Lock()

    def post(i: int) -> None:
        with lock:
            r = http.post(f"{server.url}/api/v1/incidents/{incident_id}/notes",
                          json={"text": f"现场进展 #{i}：维修工已到达3号楼，正在排查电梯控制柜"}, timeout=30)
        r.raise_for_status()
    cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
    return Target(server.url, post, {"incident_id": incident_id, "after": last}, cookie)


def bare_target(server: Server) -> Target:
    http = requests.Session()
    seq = iter(range(1, 10**9))

    def post(i: int) -> None:
        event = {"incident_id": 1, "seq": next(seq), "type": "note.added",
                 "actor": {"id": 1, "name": "王建国（组长）"},
                 "payload": {"note_id": i, "text": f"现场进展 #{i}：维修工已到达3号楼，正在排查电梯控制柜"},
                 "prev_hash": "0" * 64, "hash": "f" * 64}
        http.post(server.url + "/emit", json=event, timeout=30).raise_for_status()
    return Target(server.url, post, {})


async def measure(target: Target, n: int, duration: float, rate: float = RATE) -> dict[str, Any]:
    """Connect n clients, post at `rate` for `duration` s, return latency stats in ms."""
    import socketio
    got: dict[int, list[float]] = {}  # seq -> [receipts, last receipt, push stamp, record stamp]

    def on_timeline(ev: dict[str, Any]) -> None:
        now = time.time()
        rec = got.get(ev["seq"])
        if rec is None:
            got[ev["seq"]] = [1, now, datetime.fromisoformat(ev["sent_at"]).timestamp(),
                              datetime.fromisoformat(ev["at"]).timestamp()]
        else:
            rec[0] += 1
            rec[1] = max(rec[1], now)

    headers = {"Origin": target.url} | ({"Cookie": target.cookie} if target.cookie else {})
    clients: list[Any] = []

    async def connect_one() -> None:
        # headers through websocket_extra_options: the client would move a Cookie header into
        # aiohttp's jar, which drops cookies of IP-address hosts such as 127.0.0.1
        c = socketio.AsyncClient(reconnection=False, websocket_extra_options={"headers": dict(headers)})
        c.on("timeline", on_timeline)
        await c.connect(target.url, transports=["websocket"], wait_timeout=30)
        reply = await c.call("join", target.join, timeout=60)
        assert reply and reply.get("ok"), reply
        clients.append(c)

    t0 = time.monotonic()
    for start in range(0, n, 25):
        await asyncio.gather(*(connect_one() for _ in range(min(25, n - start))))
    connect_s = time.monotonic() - t0
    await asyncio.sleep(1.0)  # let join-time traffic (presence) settle
    got.clear()

    total = int(duration * rate)
    cpu0, load0 = time.process_time(), os.getloadavg()[0]

    def poster() -> float:
        begin = time.monotonic()
        for i in range(total):
            delay = begin + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            target.post(i)
        return time.monotonic() - begin
    posting_s = await asyncio.get_running_loop().run_in_executor(None, poster)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and (len(got) < total or any(r[0] < n for r in got.values())):
        await asyncio.sleep(0.1)
    await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)

    warmup = int(rate)  # the first second is warm-up
    seqs = sorted(got)[warmup:]
    complete = [got[s] for s in seqs if got[s][0] >= n]
    lat = [(r[1] - r[2]) * 1000 for r in complete]
    whole = [(r[1] - r[3]) * 1000 for r in complete]
    dup = sum(1 for s in seqs if got[s][0] > n)
    return {"n": n, "events": len(seqs), "complete": len(complete), "over_delivered": dup,
            "p50_ms": round(percentile(lat, 0.50), 1) if lat else None,
            "p99_ms": round(percentile(lat, 0.99), 1) if lat else None,
            "max_ms": round(max(lat), 1) if lat else None,
            # from the event's own stamp (inside the transaction, before the commit and its fsync)
            "from_record_p50_ms": round(percentile(whole, 0.50), 1) if whole else None,
            "from_record_p99_ms": round(percentile(whole, 0.99), 1) if whole else None,
            "connect_s": round(connect_s, 1),
            # context for judging the numbers: a saturated server posts slower than asked; the
            # clients share the machine with the server; other load skews everything
            "posted_per_s": round(total / posting_s, 1) if posting_s else None,
            "client_cpu_s": round(time.process_time() - cpu0, 1),
            "loadavg_1m": [round(load0, 2), round(os.getloadavg()[0], 2)]}


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def median(values: list[float | None]) -> float | None:
    got = sorted(v for v in values if v is not None)
    if not got:
        return None
    mid = len(got) // 2
    return got[mid] if len(got) % 2 else round((got[mid - 1] + got[mid]) / 2, 2)


def repeated(concord: Server, bare: Server, n: int, duration: float, repeats: int) -> dict[str, Any]:
    """Measure one size `repeats` times, Concord and the baseline back to back (which goes first
    alternates, so a drift in machine load does not always favour one side); the median ratios."""
    runs = []
    for r in range(repeats):
        order = (("concord", concord_target, concord), ("baseline", bare_target, bare))
        got = {name: asyncio.run(measure(make(srv), n, duration)) for name, make, srv in
               (order if r % 2 == 0 else order[::-1])}
        runs.append({"concord": got["concord"], "baseline": got["baseline"],
                     "p50_ratio": ratio(got["concord"]["p50_ms"], got["baseline"]["p50_ms"]),
                     "p99_ratio": ratio(got["concord"]["p99_ms"], got["baseline"]["p99_ms"])})
    p99s = [r["p99_ratio"] for r in runs]
    return {"repeats": repeats, "p99_ratios": p99s, "p99_ratio": median(p99s),
            "p50_ratio": median([r["p50_ratio"] for r in runs]),
            "concord_p99_ms": median([r["concord"]["p99_ms"] for r in runs]),
            "baseline_p99_ms": median([r["baseline"]["p99_ms"] for r in runs]), "runs": runs}


def run(quick: bool = False, sizes: tuple[int, ...] | None = None, duration: float | None = None,
        modes: bool = True, repeats: int = REPEATS) -> dict[str, Any]:
    sizes = sizes or (QUICK_SIZES if quick else SIZES)
    duration = duration or (1.5 if quick else 20.0)
    threads = max(sizes + (MODE_N,)) + 100  # gthread: one thread per open WebSocket
    result: dict[str, Any] = {"rate_per_s": RATE, "duration_s": duration, "quick": quick,
                              "server": f"gunicorn gthread, 1 worker, {threads} threads, simple-websocket",
                              "latency": "commit stamp -> receipt at the last of N clients", "sizes": {}}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        instance = concord_instance(folder / "instance")
        with concord_server(instance, threads) as concord, bare_server(folder, "gthread", threads) as bare:
            for n in sizes:
                result["sizes"][str(n)] = repeated(concord, bare, n, duration, repeats)
        medians = [result["sizes"][str(n)]["p99_ratio"] for n in TARGET_SIZES if str(n) in result["sizes"]]
        result["target"] = {"sizes": list(TARGET_SIZES), "p99_ratio_max": TARGET_P99_RATIO,
                            "of": f"median p99 ratio of {repeats} runs",
                            "met": None if len(medians) < len(TARGET_SIZES) or None in medians
                            else all(m <= TARGET_P99_RATIO for m in medians)}
        if modes:
            mode_n = min(MODE_N, max(sizes))
            result["async_modes"] = {"n": mode_n, "what": "bare Flask-SocketIO broadcast, same clients and rate"}
            for mode in ("gthread", "werkzeug", "gevent"):
                if mode == "gevent" and importlib.util.find_spec("gevent") is None:
                    result["async_modes"][mode] = {"skipped": "gevent not installed"}
                    continue
                with bare_server(folder, mode, threads) as srv:
                    result["async_modes"][mode] = asyncio.run(measure(bare_target(srv), mode_n, duration))
    return result


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.live")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--sizes", help="comma-separated room sizes, e.g. 50,200")
    p.add_argument("--duration", type=float, help="seconds of posting per measurement")
    p.add_argument("--no-modes", action="store_true", help="skip the async-mode comparison")
    p.add_argument("--repeats", type=int, default=REPEATS, help="measurements per size (median reported)")
    p.add_argument("--out", help="write JSON here (default: stdout)")
    a = p.parse_args()
    sizes = tuple(int(s) for s in a.sizes.split(",")) if a.sizes else None
    text = json.dumps(run(a.quick, sizes, a.duration, not a.no_modes, a.repeats), indent=2, ensure_ascii=False)
    if a.out:
        Path(a.out).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)


if __name__ == "__main__":
    main()
