"""bench/live runs end to end through the runner (quick mode: tiny rooms, a smoke run, no speed check)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bench", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.slow
def test_bench_live_quick_writes_its_json(tmp_path: Path):
    out = tmp_path / "bench.json"
    proc = bench("--out", str(out), "--only", "live", "--quick")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert doc["machine"]["cpus"] >= 1
    live = doc["live"]
    for size in live["sizes"].values():
        assert size["repeats"] == len(size["runs"]) == 3  # each size three times, the median reported
        for run in size["runs"]:
            for side in ("concord", "baseline"):
                r = run[side]
                assert r["events"] > 0 and r["complete"] == r["events"] and r["over_delivered"] == 0, r
                assert r["p99_ms"] >= r["p50_ms"] > 0
        assert size["p99_ratios"] == [run["p99_ratio"] for run in size["runs"]]
        assert size["p99_ratio"] == sorted(size["p99_ratios"])[1] > 0
    assert live["target"]["sizes"] == [200, 500] and live["target"]["met"] is None  # quick: not measured
    assert {"gthread", "werkzeug"} <= set(live["async_modes"])


def test_median_of_the_repeats():
    from bench.live import median
    assert median([1.2, 0.9, 1.0]) == 1.0 and median([None, 1.1, 0.9]) == 1.0 and median([None]) is None


def test_unknown_benchmark_is_refused(tmp_path: Path):
    out = tmp_path / "bench.json"
    proc = bench("--out", str(out), "--only", "no_such_bench")
    assert proc.returncode != 0 and "--only" in proc.stderr and "no_such_bench" in proc.stderr
    assert not out.exists()


def test_out_is_required():
    proc = bench("--only", "live")
    assert proc.returncode != 0 and "--out" in proc.stderr
