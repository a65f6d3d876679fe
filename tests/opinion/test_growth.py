"""Growth and the rule as pure functions: the rate per 30 minutes neither inflates quick snapshots
nor hides a burst, a long gap is scaled down, each kind alerts once per source."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from incident.opinion.growth import Rule, rate_30min, rows, triggered

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)


@dataclass
class P:
    minutes: int
    reposts: int | None = None
    reads: int | None = None
    comments: int | None = None
    likes: int | None = None

    @property
    def taken_at(self) -> datetime:
        return T0 + timedelta(minutes=self.minutes)


def test_growth_per_interval_skips_a_metric_one_side_lacks():
    r = rows([P(30, reposts=340, reads=8000), P(0, reposts=210), P(60, reposts=520, reads=9000)])
    assert [x["growth"]["reposts"] for x in r] == [None, 130, 180]
    assert [x["growth"]["reads"] for x in r] == [None, None, 1000]
    assert [x["minutes"] for x in r] == [None, 30, 30]


def test_quick_snapshots_are_measured_over_the_last_half_hour():
    pts = [P(0, 100), P(10, 160), P(20, 220), P(30, 260), P(35, 300)]
    # since the latest snapshot at least 30 min before (t=0), scaled from its 35 minutes to 30
    assert rate_30min(pts, "reposts") == round((300 - 100) * 30 / 35)
    assert rate_30min(pts[:4], "reposts") == 160        # exactly 30 min apart: as is
    assert rate_30min(pts[:3], "reposts") == 120        # first half hour: since the first snapshot


def test_a_long_gap_is_scaled_down_to_thirty_minutes():
    assert rate_30min([P(0, 100), P(120, 500)], "reposts") == 100   # 400 in 2 h → 100 per 30 min
    assert rate_30min([P(0, 100)], "reposts") is None


def test_each_kind_alerts_once_and_reads_have_their_own_level():
    rule = Rule(growth_30min=150, reads_level=10_000)
    pts = [P(0, 210, reads=5000), P(30, 340, reads=8000), P(60, 520, reads=12_000)]
    assert triggered(pts[:2], rule) == []
    kinds = [a["kind"] for a in triggered(pts, rule)]
    assert kinds == ["growth", "reads"]
    assert triggered(pts, rule, already=["growth", "reads"]) == []
    assert triggered(pts, Rule(metric="reads", growth_30min=3000, reads_level=10**6))[0]["value"] == 4000
