"""Horizontal bar charts with the embedded CJK font: one bar per stage or status, the count at its end."""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors

from exports.pdf import fonts

BLUE, GREEN, AMBER, RED, GREY = (colors.HexColor(c) for c in ("#2f6fb5", "#2e8b57", "#d08a1e", "#c0392b",
                                                                 "#9aa5b1"))


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    color: colors.Color = BLUE
    note: str = ""   # e.g. "62%" after the count


def bars(title: str, rows: list[Bar], *, width: float = 440, bar_height: float = 16, gap: float = 7,
         label_width: float = 110, empty: str = "") -> Drawing:
    """A titled chart; with no rows (or all zero) it says *empty* instead of drawing bars of nothing."""
    font = fonts.register()
    top = 26
    height = top + max(len(rows), 1) * (bar_height + gap) + 8
    d = Drawing(width, height)
    d.add(String(0, height - 16, title, fontName=font, fontSize=11, fillColor=colors.black))
    biggest = max((r.value for r in rows), default=0)
    if biggest <= 0:
        d.add(String(0, height - top - bar_height + 3, empty, fontName=font, fontSize=9, fillColor=GREY))
        return d
    span = width - label_width - 70
    for i, r in enumerate(rows):
        y = height - top - (i + 1) * (bar_height + gap) + gap
        d.add(String(label_width - 6, y + 4, r.label, fontName=font, fontSize=9, textAnchor="end"))
        w = span * r.value / biggest
        d.add(Rect(label_width, y, max(w, 1.5), bar_height, fillColor=r.color, strokeColor=None))
        tail = f"{r.value}" + (f"  {r.note}" if r.note else "")
        d.add(String(label_width + w + 5, y + 4, tail, fontName=font, fontSize=9))
    d.add(Line(label_width, 4, label_width, height - top + 2, strokeColor=GREY, strokeWidth=0.5))
    return d
