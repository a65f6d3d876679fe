"""The review's charts (issue 14): the Pareto of problem groups (bars by count, the cumulative share
as a line) and the satisfaction trend against its target. Drawn from the review dict
(incident.review.service.review), so the page's SVG and the PDF's drawing show the same numbers."""
from __future__ import annotations

from typing import Any

from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors

from exports.charts.figures import AMBER, BLUE, GREEN, GREY, RED
from exports.pdf import fonts
from incident.timeline.render import Say

MAX_BARS = 8


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{round(100 * x)}%"


def _frame(title: str, width: float, height: float, font: str) -> Drawing:
    d = Drawing(width, height)
    d.add(String(0, height - 14, title, fontName=font, fontSize=11, fillColor=colors.black))
    return d


def group_name(say: Say, group: str | None) -> str:
    return group if group else say("unclassified")


def pareto_chart(data: dict[str, Any], say: Say, *, width: float = 460, height: float = 210) -> Drawing:
    """Bars: cases per problem group, biggest first; line: the cumulative share (right axis, 0–100 %)."""
    font = fonts.register()
    d = _frame(say("Problem types (Pareto)"), width, height, font)
    rows = list(data.get("problem_types") or [])
    if len(rows) > MAX_BARS:
        rest = rows[MAX_BARS - 1:]
        rows = rows[:MAX_BARS - 1] + [{"group": say("others"), "count": sum(r["count"] for r in rest),
                                       "cumulative": 1.0}]
    if not rows:
        d.add(String(0, height - 40, say("no case closed in this period"), fontName=font, fontSize=9, fillColor=GREY))
        return d
    left, right, bottom, top = 28, 34, 30, height - 30
    span_w = width - left - right
    step = span_w / len(rows)
    biggest = max(r["count"] for r in rows) or 1
    d.add(Line(left, bottom, width - right, bottom, strokeColor=GREY, strokeWidth=0.6))
    d.add(Line(width - right, bottom, width - right, top, strokeColor=GREY, strokeWidth=0.4))
    for pct in (0.5, 0.8, 1.0):
        y = bottom + (top - bottom) * pct
        d.add(Line(left, y, width - right, y, strokeColor=colors.HexColor("#e3e7eb"), strokeWidth=0.4))
        d.add(String(width - right + 3, y - 3, f"{round(pct * 100)}%", fontName=font, fontSize=7, fillColor=GREY))
    points: list[float] = []
    for i, r in enumerate(rows):
        x = left + i * step
        h = (top - bottom) * r["count"] / biggest * 0.92
        d.add(Rect(x + step * 0.15, bottom, step * 0.7, max(h, 1), fillColor=BLUE if i else AMBER, strokeColor=None))
        d.add(String(x + step / 2, bottom + h + 3, str(r["count"]), fontName=font, fontSize=8, textAnchor="middle"))
        name = group_name(say, r["group"])
        d.add(String(x + step / 2, bottom - 11, name[:7], fontName=font, fontSize=8, textAnchor="middle"))
        d.add(String(x + step / 2, bottom - 22, _pct(r.get("share")), fontName=font, fontSize=7,
                     textAnchor="middle", fillColor=GREY))
        points += [x + step / 2, bottom + (top - bottom) * float(r.get("cumulative") or 0)]
    d.add(PolyLine(points, strokeColor=RED, strokeWidth=1.2))
    for j in range(0, len(points), 2):
        d.add(Rect(points[j] - 1.5, points[j + 1] - 1.5, 3, 3, fillColor=RED, strokeColor=None))
    d.add(String(width - right, height - 14, say("line: cumulative share"), fontName=font, fontSize=7,
                 textAnchor="end", fillColor=RED))
    return d


def trend_chart(data: dict[str, Any], say: Say, *, width: float = 460, height: float = 170) -> Drawing:
    """Share satisfied or better per month (points joined where there were answers), the target dashed."""
    font = fonts.register()
    sat = data.get("satisfaction") or {}
    target = float(sat.get("target") or 0.85)
    d = _frame(say("Satisfaction by month (target %(t)s)", t=_pct(target)), width, height, font)
    trend = list(sat.get("trend") or [])
    if not any(t.get("share") is not None for t in trend):
        d.add(String(0, height - 40, say("no callback answered in these months"), fontName=font, fontSize=9,
                     fillColor=GREY))
        return d
    left, right, bottom, top = 30, 10, 22, height - 30
    step = (width - left - right) / max(len(trend), 1)
    y_of = lambda v: bottom + (top - bottom) * v  # noqa: E731
    for pct in (0.0, 0.5, 1.0):
        d.add(Line(left, y_of(pct), width - right, y_of(pct), strokeColor=colors.HexColor("#e3e7eb"), strokeWidth=0.4))
        d.add(String(left - 4, y_of(pct) - 3, f"{round(pct * 100)}%", fontName=font, fontSize=7, textAnchor="end",
                     fillColor=GREY))
    d.add(Line(left, y_of(target), width - right, y_of(target), strokeColor=GREEN, strokeWidth=0.8,
               strokeDashArray=[3, 2]))
    run: list[float] = []
    for i, t in enumerate(trend):
        x = left + step * (i + 0.5)
        d.add(String(x, bottom - 12, t["month"], fontName=font, fontSize=7, textAnchor="middle"))
        share = t.get("share")
        if share is None:
            if len(run) >= 4:
                d.add(PolyLine(run, strokeColor=BLUE, strokeWidth=1.4))
            run = []
            continue
        run += [x, y_of(share)]
        colour = GREEN if share >= target else RED
        d.add(Rect(x - 2.5, y_of(share) - 2.5, 5, 5, fillColor=colour, strokeColor=None))
        d.add(String(x, y_of(share) + 5, _pct(share), fontName=font, fontSize=8, textAnchor="middle"))
    if len(run) >= 4:
        d.add(PolyLine(run, strokeColor=BLUE, strokeWidth=1.4))
    return d
