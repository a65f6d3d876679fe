"""The opinion trend: one line per watched source, its figure at each snapshot with the growth
since the previous one ("340 (+130)"), times in the display zone. Drawn once with ReportLab: SVG
on the board, a vector drawing in the report PDF, a PNG in the summary the leader forwards."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from sqlalchemy.orm import Session

from exports.charts.figures import AMBER, BLUE, GREEN, GREY, RED
from exports.pdf import fonts
from incident import clock
from incident.models import Incident
from incident.opinion.service import sources
from incident.timeline.render import Say

PALETTE = (RED, BLUE, AMBER, GREEN, colors.HexColor("#7d3c98"), GREY)
PREFERRED = ("reposts", "reads", "comments", "likes")


def _metric(snaps: list[Any]) -> str | None:
    for m in PREFERRED:
        if any(getattr(s, m) is not None for s in snaps):
            return m
    return None


def trend(session: Session, inc: Incident) -> list[dict[str, Any]]:
    """Each source's series: the metric it is drawn with and (taken_at, value) in time order."""
    out = []
    for src in sources(session, inc.id):
        metric = _metric(src.snapshots)
        if metric is None:
            continue
        pts = [(s.taken_at, getattr(s, metric)) for s in src.snapshots if getattr(s, metric) is not None]
        out.append({"source_id": src.id, "title": src.title, "platform": src.platform, "metric": metric,
                    "negative": src.negative, "points": pts})
    return out


def _x(at: datetime, t0: datetime, t1: datetime, left: float, span: float) -> float:
    total = (t1 - t0).total_seconds()
    return left + (span * (at - t0).total_seconds() / total if total > 0 else span / 2)


def opinion_chart(session: Session, inc: Incident, say: Say, *, width: float = 440) -> Drawing:
    """The trend chart; with no snapshot yet it says so instead of drawing an empty frame."""
    font = fonts.register()
    series = trend(session, inc)[: len(PALETTE)]
    legend_h = 14 * max(len(series), 1)
    plot_h, top, bottom, left, right = 150.0, 24.0, 30.0, 46.0, 50.0
    height = top + plot_h + bottom + legend_h
    d = Drawing(width, height)
    d.add(String(0, height - 15, say("Opinion trend"), fontName=font, fontSize=11))
    points = [p for s in series for p in s["points"]]
    if not points:
        d.add(String(0, height - top - 14, say("no snapshot recorded yet"), fontName=font, fontSize=9,
                     fillColor=GREY))
        return d
    y0 = legend_h + bottom
    span_x = width - left - right
    t0, t1 = min(p[0] for p in points), max(p[0] for p in points)
    biggest = max(max(v for _t, v in points), 1)
    d.add(Line(left, y0, left + span_x, y0, strokeColor=GREY, strokeWidth=0.6))
    d.add(Line(left, y0, left, y0 + plot_h, strokeColor=GREY, strokeWidth=0.6))
    d.add(String(left - 4, y0 + plot_h - 3, str(biggest), fontName=font, fontSize=7, textAnchor="end"))
    d.add(String(left - 4, y0 - 3, "0", fontName=font, fontSize=7, textAnchor="end"))
    times = sorted({p[0] for p in points})
    step = max(1, len(times) // 6)
    for at in times[::step]:
        d.add(String(_x(at, t0, t1, left, span_x), y0 - 12, clock.show(at, "time"), fontName=font, fontSize=7,
                     textAnchor="middle", fillColor=colors.black))
    d.add(String(left + span_x, y0 - 23, clock.show(t1, "date") + f"（{clock.zone_label(say)}）", fontName=font,
                 fontSize=7, textAnchor="end", fillColor=GREY))
    labels: list[tuple[float, float, str, Any]] = []
    for i, s in enumerate(series):
        color = PALETTE[i]
        xy = [(_x(t, t0, t1, left, span_x), y0 + plot_h * v / biggest) for t, v in s["points"]]
        if len(xy) > 1:
            d.add(PolyLine([c for p in xy for c in p], strokeColor=color, strokeWidth=1.6))
        prev = None
        for (x, y), (_t, v) in zip(xy, s["points"]):
            d.add(Circle(x, y, 2.4, fillColor=color, strokeColor=None))
            labels.append((x, y, f"{v}" + (f" ({v - prev:+d})" if prev is not None else ""), color))
            prev = v
        ly = legend_h - 11 - 14 * i + 2
        d.add(Line(0, ly + 3, 14, ly + 3, strokeColor=color, strokeWidth=2))
        name = say.join(say.label("opinion_platform", s["platform"]), say.text(s["title"], 28 if width >= 400 else 14),
                        say.label("opinion_metric", s["metric"]), say("negative") if s["negative"] else "")
        d.add(String(18, ly, name, fontName=font, fontSize=8))
    for x, y, text in _placed(labels, font, width):
        d.add(String(x, y, text[0], fontName=font, fontSize=LABEL_SIZE, textAnchor="middle", fillColor=text[1]))
    return d


LABEL_SIZE = 7


def _placed(labels: list[tuple[float, float, str, Any]], font: str, width: float
            ) -> list[tuple[float, float, tuple[str, Any]]]:
    """Each point's figure just above it — or, where that would overlap a figure already placed (two
    sources snapshotted at the same moment), the nearest free slot above or below the point."""
    taken: list[tuple[float, float, float, float]] = []
    out = []
    for x, y, text, color in sorted(labels, key=lambda l: (l[0], -l[1])):
        half = stringWidth(text, font, LABEL_SIZE) / 2 + 1
        x = min(max(x, half), width - half)  # inside the drawing at both ends
        for dy in (5, -11, 14, -20, 23, -29, 32, -38):
            box = (x - half, y + dy - 1, x + half, y + dy + LABEL_SIZE)
            if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in taken):
                break
        taken.append(box)
        out.append((x, y + dy, (text, color)))
    return out

