"""The review of a period as a PDF (issue 14): the headline figures, the Pareto and the satisfaction
trend (the same drawings the page shows as SVG), handling times against targets, counts by place,
building/shop and grade, overdue steps, repeat complaints and overdue improvement actions."""
from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from exports.charts import output
from exports.charts.review import pareto_chart, trend_chart
from exports.pdf import document as layout
from exports.pdf.document import para
from exports.reports import review_text as words
from incident import clock
from incident.timeline.render import Say

GRID = TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.lightgrey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                   ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f4"))])


def _table(st: dict[str, Any], table: words.Table, widths: list[float], empty: str) -> Any:
    head, rows = table
    if not rows:
        return para(empty, st["small"])
    t = Table([[para(h, st["cell"]) for h in head]] + [[para(c, st["cell"]) for c in r] for r in rows],
              colWidths=[w * mm for w in widths], repeatRows=1)
    t.setStyle(GRID)
    return t


def review_pdf(data: dict[str, Any], *, locale: str = "zh_CN", org: str = "") -> bytes:
    """Render the review dict (incident.review.service.review) as a PDF in *locale*."""
    say = Say(locale)
    st = layout.styles()
    period = words.period_text(say, data)
    facts = Table([[para(k, st["cell"]), para(v, st["cell"])] for k, v in words.headline(say, data)],
                  colWidths=[38 * mm, 132 * mm])
    facts.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.lightgrey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f4f6f8"))]))
    story: list[Any] = [para(say("Review of a period"), st["title"]), para(period, st["h"])]
    f = data["filters"]
    if f.get("place") or f.get("problem_type"):
        story.append(para(say("Only: %(what)s", what=" · ".join(x for x in (f.get("place"), f.get("problem_type")) if x)),
                          st["body"]))
    if data["demo"]:
        story.append(para(say("Includes %(n)s demo cases (演示数据, references 演示-…): not real complaints.",
                              n=data["demo"]), st["body"]))
    none = say("none in this period")
    story += [
        para(say("Cases closed in the period, counted by the closing recorded in their archive record; "
                 "times in %(zone)s.", zone=clock.zone_label(say)), st["small"]),
        para(say("Summary"), st["h"]), facts,
        para(say("Problem types"), st["h"]), output.flowable(pareto_chart(data, say)), Spacer(1, 2 * mm),
        _table(st, words.pareto_table(say, data), [32, 16, 16, 20, 86], none),
        para(say("Handling times against targets"), st["h"]),
        _table(st, words.handling_table(say, data), [34, 28, 36, 36, 36], none),
        para(say("Satisfaction"), st["h"]), output.flowable(trend_chart(data, say)), Spacer(1, 2 * mm),
        _table(st, words.satisfaction_table(say, data), [40, 40, 50], none),
        para(say("By place"), st["h"]), _table(st, words.counts_table(say, data["places"], say("Place")), [120, 30], none),
        para(say("By building or shop"), st["h"]),
        _table(st, words.counts_table(say, data["segments"][:20], say("Building or shop")), [120, 30], none),
        para(say("By grade"), st["h"]), _table(st, words.counts_table(say, data["grades"], say("Grade")), [120, 30], none),
        para(say("Overdue playbook steps"), st["h"]), _table(st, words.overdue_table(say, data), [100, 35, 35], none),
    ]
    places, phones = words.repeat_tables(say, data)
    story += [para(say("Repeat complaints: same place and problem within %(n)s days", n=data["repeats"]["window_days"]),
                   st["h"]), _table(st, places, [35, 45, 20, 70], none),
              para(say("Repeat complaints: the same phone number in several incidents (matched without decrypting)"),
                   st["h"]), _table(st, phones, [40, 25, 105], none),
              para(say("Improvement actions overdue"), st["h"]),
              _table(st, words.improvement_table(say, data), [40, 70, 35, 25], none)]
    return layout.render(story, say, footer=say("Review %(period)s", period=period) + (f" · {org}" if org else ""),
                         title=say("Review of a period"), subject=f"concord-review:{data['period']['key']}")
