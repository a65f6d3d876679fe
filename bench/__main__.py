"""Run every benchmark module `bench/<name>.py` (each has `run(quick) -> dict`) and write one JSON.

Each benchmark runs in its own subprocess so that one's threads, servers and imports cannot skew
another's numbers, and a crash is recorded as {"error": ...} instead of losing the whole run.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def available() -> list[str]:
    """Benchmark names: the modules of this folder, minus private helpers (`_x.py`)."""
    return sorted(p.stem for p in HERE.glob("*.py") if not p.stem.startswith("_"))


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kb = 0
    try:
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return {"python": platform.python_version(), "platform": platform.platform(), "cpu": cpu,
            "cpus": os.cpu_count(), "memory_mb": mem_kb // 1024,
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def run_one(name: str, quick: bool, timeout: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        code = ("import json, sys, importlib; m = importlib.import_module('bench.' + sys.argv[1]); "
                "r = m.run(quick=sys.argv[2] == '1'); open(sys.argv[3], 'w').write(json.dumps(r))")
        started, load_before = time.monotonic(), os.getloadavg()
        try:
            proc = subprocess.run([sys.executable, "-c", code, name, "1" if quick else "0", str(out)],
                                  cwd=HERE.parent, timeout=timeout, capture_output=True, text=True)
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {timeout:.0f} s"}
        if proc.returncode != 0 or not out.exists():
            return {"error": (proc.stderr or proc.stdout)[-3000:] or f"exit {proc.returncode}"}
        result = json.loads(out.read_text())
        result.setdefault("wall_s", round(time.monotonic() - started, 1))
        return result | loaded(load_before, os.getloadavg())


UNDER_LOAD = 0.5  # per core: above it, other work competed with the benchmark for the CPU


def loaded(before: tuple[float, float, float], after: tuple[float, float, float]) -> dict[str, Any]:
    """The machine's 1-minute load average before and after a benchmark, and whether it ran under load."""
    cores = os.cpu_count() or 1
    return {"load_average_before": round(before[0], 2), "load_average_after": round(after[0], 2),
            "under_load": max(before[0], after[0]) / cores > UNDER_LOAD}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--out", required=True, help="JSON file to write")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help=f"run only this benchmark (repeatable); one of: {', '.join(available())}")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run, not a measurement")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per benchmark")
    args = parser.parse_args(argv)
    unknown = [n for n in args.only if n not in available()]
    if unknown:
        parser.error(f"--only: unknown benchmark {', '.join(unknown)}; available: {', '.join(available())}")
    results: dict[str, Any] = {}
    for name in args.only or available():
        print(f"bench {name} …", file=sys.stderr, flush=True)
        results[name] = run_one(name, args.quick, args.timeout)
        if "error" in results[name]:
            print(f"bench {name} failed:\n{results[name]['error']}", file=sys.stderr)
    results["machine"] = machine()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 1 if any(isinstance(r, dict) and "error" in r for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
