"""bench/scaleout: two `concord serve` processes sharing Redis vs one process, same room, same rate.

One Concord instance (SQLite, demo incident). In the same run:

- **single**: one server process without Redis; N clients in the incident's room; notes posted through
  its HTTP API at 10/s (commit -> after-commit emit, as in bench/live);
- **scaled**: two server processes on the same instance with `CONCORD_REDIS_URL` set (Socket.IO's
  Redis message queue, a channel of this run's own); the N clients are split between them and the
  notes are posted to both in turn, so every event crosses Redis to half of the room.

Latency of an event = the moment the last of the N clients received it minus the push stamp
`sent_at` (taken right after the commit, same host clock). Reported: p50/p99 of both, `p99_added_ms`
= scaled p99 − single p99 (target ≤ 5 ms at N = 200), and delivery: every client must receive every
event exactly once on both sides (`missing`, `duplicates` count (client, event) pairs).

`python -m bench --out FILE --only scaleout [--quick]`, or `python -m bench.scaleout [--quick] [--n 200]`.
Needs Redis: `CONCORD_BENCH_REDIS_URL`, else `CONCORD_TEST_REDIS_URL`, else redis://127.0.0.1:6379/0;
without a reachable Redis the result says it was skipped.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench._procs import Server, concord_instance, free_port
from bench.live import RATE, login, percentile

N, QUICK_N = 200, 4
TARGET_ADDED_MS = 5.0


def redis_url() -> str:
    return (os.environ.get("CONCORD_BENCH_REDIS_URL") or os.environ.get("CONCORD_TEST_REDIS_URL")
            or "redis://127.0.0.1:6379/0")


def redis_reachable(url: str) -> bool:
    try:
        import redis
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not here"
        return False


def server(instance: Path, threads: int, redis: str | None, channel: str) -> Server:
    port = free_port()
    env = {"CONCORD_PUBLIC_URL": f"http://127.0.0.1:{port}", "CONCORD_SOCKET_USER_BURST": "100000",
           "CONCORD_SOCKETIO_CHANNEL": channel, "CONCORD_REDIS_URL": redis or ""}
    return Server(["-m", "concord", "--instance", str(instance), "serve", "--host", "127.0.0.1",
                   "--port", str(port), "--threads", str(threads)], port, instance / f"serve-{port}.log", env=env)


async def measure(servers: list[Server], n: int, duration: float, rate: float = RATE) -> dict[str, Any]:
    """n clients spread over *servers*; notes posted to each server in turn; latency and delivery."""
    import socketio
    sessions = [login(s.url) for s in servers]
    first = sessions[0]
    incident_id = first.get(servers[0].url + "/api/v1/incidents", timeout=10).json()["incidents"][0]["id"]
    after = first.get(f"{servers[0].url}/api/v1/incidents/{incident_id}", timeout=10).json()["last_seq"]
    got: dict[int, list[float]] = {}        # seq -> [last receipt, push stamp]
    seen: dict[tuple[int, int], int] = {}   # (client, seq) -> receipts
    clients: list[Any] = []

    def handler(index: int) -> Any:
        def on_timeline(ev: dict[str, Any]) -> None:
            now = time.time()
            seen[(index, ev["seq"])] = seen.get((index, ev["seq"]), 0) + 1
            rec = got.setdefault(ev["seq"], [now, datetime.fromisoformat(ev["sent_at"]).timestamp()])
            rec[0] = max(rec[0], now)
        return on_timeline

    async def connect_one(index: int) -> None:
        srv, http = servers[index % len(servers)], sessions[index % len(servers)]
        cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
        c = socketio.AsyncClient(reconnection=False, websocket_extra_options={
            "headers": {"Origin": srv.url, "Cookie": cookie}})
        c.on("timeline", handler(index))
        await c.connect(srv.url, transports=["websocket"], wait_timeout=30)
        reply = await c.call("join", {"incident_id": incident_id, "after": after}, timeout=60)
        assert reply and reply.get("ok"), reply
        clients.append(c)

    for start in range(0, n, 25):
        await asyncio.gather(*(connect_one(i) for i in range(start, min(n, start + 25))))
    await asyncio.sleep(1.0)
    got.clear()
    seen.clear()
    locks = [threading.Lock() for _ in servers]
    total = int(duration * rate)

    def poster() -> float:
        begin = time.monotonic()
        for i in range(total):
            delay = begin + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            k = i % len(servers)
            with locks[k]:
                r = sessions[k].post(f"{servers[k].url}/api/v1/incidents/{incident_id}/notes",
                                     json={"text": f"现场进展 #{i}：两台服务器轮流记录"}, timeout=30)
            r.raise_for_status()
        return time.monotonic() - begin

    load0 = os.getloadavg()[0]
    posting_s = await asyncio.get_running_loop().run_in_executor(None, poster)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and len(seen) < total * n:
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)  # late duplicates would arrive now
    await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)
    seqs = sorted(got)
    missing = total * n - len(seen)
    duplicates = sum(v - 1 for v in seen.values() if v > 1)
    warm = seqs[int(rate):]  # the first second is warm-up
    lat = [(got[s][0] - got[s][1]) * 1000 for s in warm
           if all(seen.get((c, s), 0) for c in range(n))]
    return {"servers": len(servers), "n": n, "events": total, "missing": missing, "duplicates": duplicates,
            "p50_ms": round(percentile(lat, 0.50), 1) if lat else None,
            "p99_ms": round(percentile(lat, 0.99), 1) if lat else None,
            "posted_per_s": round(total / posting_s, 1) if posting_s else None,
            "loadavg_1m": [round(load0, 2), round(os.getloadavg()[0], 2)]}


def run(quick: bool = False, n: int | None = None, duration: float | None = None) -> dict[str, Any]:
    n = n or (QUICK_N if quick else N)
    duration = duration or (1.5 if quick else 20.0)
    url = redis_url()
    if not redis_reachable(url):
        return {"skipped": f"no Redis at {url}", "n": n}
    threads = n + 100
    channel = f"concord-bench-{secrets.token_hex(4)}"
    result: dict[str, Any] = {"n": n, "rate_per_s": RATE, "duration_s": duration, "quick": quick,
                              "redis": url.rsplit("@", 1)[-1], "latency": "commit stamp -> receipt at the last of N clients"}
    with tempfile.TemporaryDirectory() as tmp:
        instance = concord_instance(Path(tmp) / "instance")
        with server(instance, threads, None, channel) as one:
            result["single"] = asyncio.run(measure([one], n, duration))
        with server(instance, threads, url, channel) as a, server(instance, threads, url, channel) as b:
            result["scaled"] = asyncio.run(measure([a, b], n, duration))
    s, m = result["single"], result["scaled"]
    added = None if s["p99_ms"] is None or m["p99_ms"] is None else round(m["p99_ms"] - s["p99_ms"], 1)
    once = all(r["missing"] == 0 and r["duplicates"] == 0 for r in (s, m))
    result |= {"p99_added_ms": added, "delivered_exactly_once": once,
               "target": {"n": N, "p99_added_ms_max": TARGET_ADDED_MS,
                          "met": None if added is None or n != N else added <= TARGET_ADDED_MS and once}}
    return result


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.scaleout")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--n", type=int, help="room size (default 200)")
    p.add_argument("--duration", type=float, help="seconds of posting per measurement")
    a = p.parse_args()
    print(json.dumps(run(a.quick, a.n, a.duration), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
