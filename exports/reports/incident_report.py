"""The incident report: a first page a manager reads in two minutes (summary, charts), then the whole
timeline in local date and time, with the chain's verdict.

The head hash printed on the report anchors the audit chain outside the database (a cut-off tail
would no longer match it).
"""
from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Spacer, Table, TableStyle
from sqlalchemy.orm import Session

from exports.charts import output
from exports.charts.crowd import funnel_chart
from exports.charts.deadlines import deadline_chart
from exports.charts.opinion import opinion_chart, trend
from exports.reports import opinion as _opinion  # noqa: F401  (-- opinion watch, issue 14: its summary lines)
from exports.pdf import document as layout
from exports.pdf.document import para
from exports.reports import followup as _followup  # noqa: F401  (satisfaction, paid: registered on import)
from exports.reports import summary as report_summary
from incident import clock
from incident import service as incidents
from incident.access.actor import Actor
from incident.access.permissions import Action
from incident.i18n import Translator
from incident.labels import label
from incident.timeline import list_since, verify_chain
from incident.timeline.render import Say, render

PAGE_EVENTS = 1000


def incident_report(session: Session, *, actor: Actor, incident_id: int, locale: str = "zh_CN") -> bytes:
    """Render the incident report PDF."""
    inc = incidents.load_for(session, actor, incident_id, Action.INCIDENT_VIEW)
    _ = Translator(locale)
    st = layout.styles()
    chain = verify_chain(session, inc.id, anchor_seq=inc.last_seq, anchor_hash=inc.head_hash)
    say = Say(_.locale)
    summary = [[para(k, st["cell"]), para(v, st["cell"])] for k, v in report_summary.lines(session, inc, say)]
    facts = Table(summary, colWidths=[40 * mm, 130 * mm])
    facts.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.lightgrey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f4f6f8"))]))
    story: list[Any] = [
        para(_("Incident report"), st["title"]),
        para(f"{inc.ref} · {inc.title}", st["h"]),
        para(_("Core demand: %(text)s", text=inc.core_demand), st["body"]),
        para(_("Summary"), st["h"]), facts,
        para(_("Charts"), st["h"]),
        output.flowable(funnel_chart(session, inc, say)), Spacer(1, 4 * mm),
        output.flowable(deadline_chart(session, inc, say)),
        *([Spacer(1, 4 * mm), output.flowable(opinion_chart(session, inc, say))] if trend(session, inc) else []),
        PageBreak(),
        para(_("Timeline: %(n)s events · chain %(verdict)s · head hash %(hash)s", n=chain.events,
               verdict=_("intact") if chain.ok else _("BROKEN: %(reason)s", reason=chain.reason or ""),
               hash=inc.head_hash), st["small"]),
        para(_("Check this report against the live record: concord audit verify %(id)s --against this file "
               "(head of event #%(seq)s)", id=inc.id, seq=inc.last_seq), st["small"]),
    ]
    when = _("Time (%(zone)s)", zone=clock.zone_label(_))
    rows = [[para(h, st["cell"]) for h in ("#", when, _("Who"), _("What"), _("Detail"))]]
    after = 0
    while True:
        evs = list_since(session, inc.id, after, PAGE_EVENTS)
        for e in evs:
            w = render(e.type, e.payload, e.actor_name, locale)
            rows.append([para(str(e.seq), st["cell"]), para(clock.show(e.at, "datetime"), st["cell"]),
                         para(w.actor, st["cell"]), para(w.summary, st["cell"]), para(w.detail, st["cell"])])
        if len(evs) < PAGE_EVENTS:
            break
        after = evs[-1].seq
    t = Table(rows, colWidths=[10 * mm, 29 * mm, 24 * mm, 38 * mm, 69 * mm], repeatRows=1)
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee"))]))
    story.append(t)
    anchor = {"Kind": "report", "Ref": inc.ref, "Incident": inc.id, "IncidentRef": inc.ref, "Seq": inc.last_seq,
              "Head": inc.head_hash}
    return layout.render(story, _, footer=_("Incident report %(ref)s", ref=inc.ref), anchor=anchor, title=inc.ref,
                         subject=f"concord-incident-report:{inc.ref}", keywords=inc.head_hash)
