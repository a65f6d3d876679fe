"""The review's figures as pure functions over the cases (no database): Pareto of problem types,
counts by place and grade, handling times against targets, satisfaction, money paid by kind.

Percentiles are nearest-rank (the value at rank ceil(p·n) of the sorted minutes): the median of
[10, 20, 30, 40] is 20, its 90th percentile 40 — what a hand-written SQL query gives with
ORDER BY … LIMIT 1 OFFSET ceil(p·n) − 1 (bench/review checks against one).
"""
from __future__ import annotations

import math
from collections import Counter
from decimal import Decimal
from typing import Any, Iterable

from incident.review.rows import Case, Taxonomy
from incident.review.targets import MOMENTS, Targets

GRADES = ("A", "B", "C", "D", "E", "F")
HAPPY = ("very_satisfied", "satisfied")
LEVELS = ("very_satisfied", "satisfied", "neutral", "dissatisfied", "very_dissatisfied")
KINDS = ("compensation", "indemnity", "other")


def rank(values: list[int], p: float) -> int | None:
    """Nearest-rank percentile of *values* (None for none)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(p * len(ordered)), 1) - 1]


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def pareto(cases: list[Case], tax: Taxonomy) -> list[dict[str, Any]]:
    """Problem groups by count, biggest first, with each one's share and the cumulative share; the
    types inside each group likewise by count. Unclassified cases are a group of their own (None)."""
    groups: Counter[str | None] = Counter(tax.group(c.type_id) for c in cases)
    types: dict[str | None, Counter[str]] = {}
    for c in cases:
        name = tax.name(c.type_id)
        if name is not None and name != tax.group(c.type_id):
            types.setdefault(tax.group(c.type_id), Counter())[name] += 1
    total, running, out = len(cases), 0, []
    for group, n in sorted(groups.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or "")):
        running += n
        out.append({"group": group, "count": n, "share": share(n, total), "cumulative": share(running, total),
                    "types": [{"name": t, "count": k} for t, k in
                              sorted((types.get(group) or Counter()).items(), key=lambda kv: (-kv[1], kv[0]))]})
    return out


def counted(values: Iterable[str], order: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """[{"name", "count"}] biggest first (or in *order*), empty names last as ""."""
    c = Counter(values)
    if order:
        return [{"name": k, "count": c[k]} for k in order if c[k]]
    return [{"name": k, "count": n} for k, n in sorted(c.items(), key=lambda kv: (-kv[1], kv[0] == "", kv[0]))]


def minutes_of(c: Case, moment: str) -> int | None:
    m = ((c.snapshot.get("handling") or {}).get("moments") or {}).get(moment) or {}
    return m.get("minutes")


def handling(cases: list[Case], targets: Targets) -> dict[str, dict[str, Any]]:
    """Per moment: how many cases reached it, median and p90 minutes, how many within the target."""
    out = {}
    for moment in MOMENTS:
        values = [v for v in (minutes_of(c, moment) for c in cases) if v is not None]
        target = targets.minutes.get(moment)
        within = sum(1 for v in values if target is not None and v <= target)
        out[moment] = {"target_minutes": target, "count": len(values), "missing": len(cases) - len(values),
                       "median": rank(values, 0.5), "p90": rank(values, 0.9), "within_target": within,
                       "within_share": share(within, len(values)),
                       "median_meets": None if not values or target is None else rank(values, 0.5) <= target,
                       "p90_meets": None if not values or target is None else rank(values, 0.9) <= target}
    return out


def satisfaction(cases: list[Case], target: float) -> dict[str, Any]:
    """The answers frozen at close, summed: people asked and answering, share satisfied or better."""
    dist = dict.fromkeys(LEVELS, 0)
    with_answers = 0
    for c in cases:
        s = c.snapshot.get("satisfaction") or {}
        if not s.get("answered"):
            continue
        with_answers += 1
        for level, n in (s.get("distribution") or {}).items():
            if level in dist:
                dist[level] += int(n or 0)
    answered = sum(dist.values())
    happy = sum(dist[k] for k in HAPPY)
    got = share(happy, answered)
    return {"cases": with_answers, "answered": answered, "satisfied": happy, "share": got, "target": target,
            "meets": None if got is None else got >= target, "distribution": dist}


def paid(cases: list[Case]) -> dict[str, str]:
    """Money paid by kind (补偿 / 赔偿 / other) and in all, as canonical decimal strings."""
    sums = {k: Decimal("0.00") for k in KINDS}
    for c in cases:
        for k, v in (c.snapshot.get("paid") or {}).items():
            if k in sums and v:
                sums[k] += Decimal(str(v))
    out = {k: f"{v:.2f}" for k, v in sums.items()}
    out["total"] = f"{sum(sums.values(), Decimal('0.00')):.2f}"
    return out


def grades(cases: list[Case]) -> list[dict[str, Any]]:
    return counted((c.grade for c in cases), GRADES)


def by_place(cases: list[Case]) -> list[dict[str, Any]]:
    return counted(c.place for c in cases)
