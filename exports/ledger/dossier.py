"""The case dossier (案卷): what is kept of an incident when it is closed, as one PDF.

Intake, the task group, the crowd's outcome, the ledger with its reconciliation, the callbacks of
every round (answer, reasons, recorder) and their satisfaction, the archive record of each round with its
handling times and improvement actions, and the timeline with its head hash (an outside anchor of
the chain, like the incident report's).
"""
from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Table, TableStyle
from sqlalchemy import select
from sqlalchemy.orm import Session

from exports.pdf import document as layout
from exports.pdf.document import para
from incident import clock
from incident import service as incidents
from incident.access.actor import Actor
from incident.access.permissions import Action
from incident.accounts.models import User
from incident.callbacks import queries as callbacks
from incident.callbacks.scale import Satisfaction
from incident.closing import archive
from incident.closing.models import ArchiveRecord, ImprovementAction
from incident.closing.rounds import current_round
from incident.crowd.claimants.models import Claimant
from incident.i18n import Translator
from incident.labels import label
from incident.ledger import queries
from incident.taskgroup.queries import active_seats
from incident.timeline import list_since, verify_chain
from incident.timeline.render import render

GRID = TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                   ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee"))])
LEDGER_ROWS = 500


def _table(rows: list[list[str]], st: dict[str, Any], widths: list[float]) -> Table:
    t = Table([[para(str(c), st["cell"]) for c in r] for r in rows], colWidths=widths, repeatRows=1)
    t.setStyle(GRID)
    return t


def duration(minutes: Any, _: Any) -> str:
    return "—" if minutes is None else clock.span(minutes * 60, _)


def _archive_part(session: Session, inc: Any, _: Any, st: dict[str, Any]) -> list[Any]:
    out: list[Any] = [para(_("Archive record"), st["h"])]
    records = list(session.scalars(select(ArchiveRecord).where(ArchiveRecord.incident_id == inc.id)
                                   .order_by(ArchiveRecord.round)))
    if not records:
        return out + [para(_("No archive record yet."), st["body"])]
    for rec in records:
        snap = rec.snapshot or {}
        handling = (snap.get("handling") or archive.handling_times(session, inc, rec.round)).get("moments", {})
        sat = snap.get("satisfaction") if rec.closed_at else archive.satisfaction(session, inc)
        out.append(para(_("Round %(n)s · problem type: %(type)s", n=rec.round,
                          type=snap.get("problem_type") or archive.problem_path(session, rec.problem_type_id) or "—"),
                        st["body"]))
        out.append(para(_("Root cause: %(text)s", text=rec.root_cause or "—"), st["body"]))
        rows = [[_("Moment"), _("When"), _("Time taken")]]
        for key in archive.MOMENTS:
            m = handling.get(key) or {}
            rows.append([label(_, "handling", key), clock.show(m["at"], "datetime") if m.get("at") else "—",
                         duration(m.get("minutes"), _)])
        out.append(_table(rows, st, [50 * mm, 60 * mm, 60 * mm]))
        if sat:
            counts = sat.get("distribution") or {}  # stored JSON keeps no order: the scale's, best first
            dist = " · ".join(f"{label(_, 'satisfaction', k.value)} {counts[k.value]}" for k in Satisfaction
                              if k.value in counts)
            out.append(para(_("Satisfaction: %(text)s", text=dist or "—"), st["body"]))
        else:
            out.append(para(_("Satisfaction: %(text)s", text="—"), st["body"]))
        paid = snap.get("paid") or archive.money_paid(session, inc)
        out.append(para(_("Money paid: %(text)s", text=" · ".join(
            f"{label(_, 'ledger_kind', k)} ¥{Decimal(v):,.2f}" for k, v in paid.items())), st["body"]))
    acts = list(session.scalars(select(ImprovementAction).where(ImprovementAction.incident_id == inc.id)
                                .order_by(ImprovementAction.id)))
    if acts:
        rows = [[_("Improvement action"), _("Owner"), _("Due"), _("Status")]]
        rows += [[a.title, a.owner, clock.show(a.due_at, "date"), label(_, "improvement_status", a.status)] for a in acts]
        out += [para(_("Improvement actions"), st["h"]), _table(rows, st, [70 * mm, 40 * mm, 30 * mm, 30 * mm])]
    return out


def _callbacks_part(session: Session, inc: Any, _: Any, st: dict[str, Any]) -> list[Any]:
    """Every callback of every round: who, its state, the answer with its reasons, who recorded it."""
    rows = [[_("Claimant"), _("Round"), _("Status"), _("Satisfaction"), _("Reasons"), _("Recorded by")]]
    for cb in callbacks.listing(session, inc.id)[:LEDGER_ROWS]:
        why = "、".join(label(_, "callback_reason", r) for r in cb.reasons or [])
        rows.append([cb.name, str(cb.round), label(_, "callback_state", callbacks.state(cb)),
                     label(_, "satisfaction", cb.satisfaction) if cb.satisfaction else "—",
                     " · ".join(t for t in (why, cb.note) if t) or "—", cb.recorded_by_name or "—"])
    out: list[Any] = [para(_("Callbacks"), st["h"])]
    if len(rows) == 1:
        return out + [para(_("No callbacks."), st["body"])]
    return out + [_table(rows, st, [32 * mm, 14 * mm, 22 * mm, 24 * mm, 52 * mm, 26 * mm])]


def build(session: Session, *, actor: Actor, incident_id: int, locale: str = "zh_CN") -> bytes:
    """Render the dossier PDF of an incident (any time; complete once it is closed)."""
    inc = incidents.load_for(session, actor, incident_id, Action.INCIDENT_VIEW)
    _ = Translator(locale)
    st = layout.styles()
    chain = verify_chain(session, inc.id, anchor_seq=inc.last_seq, anchor_hash=inc.head_hash)
    story: list[Any] = [
        para(_("Case dossier"), st["title"]),
        para(f"{inc.ref} · {inc.title}", st["h"]),
        para(_("Grade %(grade)s · %(status)s · round %(round)s", grade=inc.grade,
               status=label(_, "status", inc.status), round=current_round(session, inc)), st["body"]),
        para(_("Intake"), st["h"]),
        para(_("Core demand: %(text)s", text=inc.core_demand), st["body"]),
        para(_("Headcount %(n)s · %(scope)s · channel %(channel)s · place %(place)s", n=inc.headcount,
               scope=inc.scope_text, channel=label(_, "channel", inc.channel), place=inc.place or "—"), st["body"]),
        para(_("Opened %(at)s", at=clock.show(inc.opened_at, "datetime")), st["body"]),
        para(_("Task group"), st["h"]),
    ]
    seats = [[_("Seat"), _("Holder"), _("Since")]]
    for a in active_seats(session, inc.id):
        user = session.get(User, a.user_id) if a.user_id else None
        seats.append([a.label or label(_, "seat", a.seat), user.display_name if user else a.outside_name,
                      clock.show(a.assumed_at, "datetime")])
    story.append(_table(seats, st, [40 * mm, 70 * mm, 60 * mm]))
    counts = Counter(session.scalars(select(Claimant.status).where(Claimant.incident_id == inc.id)))
    story += [para(_("Crowd outcome"), st["h"]),
              para(" · ".join(f"{label(_, 'claimant_status', k)} {v}" for k, v in sorted(counts.items())) or "—",
                   st["body"]),
              para(_("Settlement ledger"), st["h"])]
    obs = queries.obligations(session, inc.id)
    rec = queries.reconcile(obs)
    rows = [[_("Kind"), _("Agreed"), _("Paid"), _("Waived"), _("Outstanding")]]
    rows += [[label(_, "ledger_kind", k), f"¥{b['agreed']:,.2f}", f"¥{b['paid']:,.2f}", f"¥{b['waived']:,.2f}",
              f"¥{b['outstanding']:,.2f}"] for k, b in rec["incident"].items() if b["items"]]
    story.append(_table(rows, st, [40 * mm, 32 * mm, 32 * mm, 32 * mm, 34 * mm]) if len(rows) > 1
                 else para(_("No agreed payments."), st["body"]))
    if obs:
        rows = [[_("Claimant"), _("Kind"), _("Agreed"), _("Stage")]]
        rows += [[o.claimant_name, label(_, "ledger_kind", o.kind), f"¥{o.agreed:,.2f}", label(_, "ledger_stage", o.stage)]
                 for o in obs[:LEDGER_ROWS]]
        story.append(_table(rows, st, [60 * mm, 40 * mm, 35 * mm, 35 * mm]))
    story += _callbacks_part(session, inc, _, st)
    story += _archive_part(session, inc, _, st)
    story += [para(_("Timeline"), st["h"]),
              para(_("Timeline: %(n)s events · chain %(verdict)s · head hash %(hash)s", n=chain.events,
                     verdict=_("intact") if chain.ok else _("BROKEN: %(reason)s", reason=chain.reason or ""),
                     hash=inc.head_hash), st["small"])]
    rows = [["#", _("Time (%(zone)s)", zone=clock.zone_label(_)), _("Who"), _("What"), _("Detail")]]
    after = 0
    while True:
        evs = list_since(session, inc.id, after, 1000)
        for e in evs:
            w = render(e.type, e.payload, e.actor_name, locale)
            rows.append([str(e.seq), clock.show(e.at, "seconds"), w.actor, w.summary, w.detail])
        if len(evs) < 1000:
            break
        after = evs[-1].seq
    story.append(_table(rows, st, [10 * mm, 24 * mm, 24 * mm, 40 * mm, 72 * mm]))
    anchor = {"Kind": "dossier", "Ref": inc.ref, "Incident": inc.id, "IncidentRef": inc.ref, "Seq": inc.last_seq,
              "Head": inc.head_hash}
    return layout.render(story, _, footer=_("Case dossier %(ref)s", ref=inc.ref), anchor=anchor, title=inc.ref,
                         subject=f"concord-dossier:{inc.ref}", keywords=inc.head_hash)
