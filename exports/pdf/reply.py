"""Render a written reply (书面答复) to PDF: addressees, facts, measures, what each claimant gets,
deadlines, contact, approvals; CJK text in the one embedded font, invariant bytes."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from exports.pdf import document as layout
from exports.pdf.document import para
from incident import clock
from incident.i18n import Translator


def _date(value: str | None) -> str:
    return clock.show(value, "date") if value else "—"


def _entitlements(_: Translator, rows: list[dict[str, Any]], st: dict[str, Any]) -> Table:
    head = [_("Claimant"), _("Item"), _("Remedy"), _("Amount (CNY)"), _("Deadline")]
    out = [[para(h, st["cell"]) for h in head]]
    for e in rows:
        who = e["name"] + (f"（{e['unit']}）" if e.get("unit") else "")
        for n, it in enumerate(e["items"]):
            amount = f"{Decimal(it['amount']):.2f}" if it.get("amount") not in (None, "") else "—"
            out.append([para(who if n == 0 else "", st["cell"]), para(it.get("type_label", ""), st["cell"]),
                        para(it.get("remedy", ""), st["cell"]), para(amount, st["cell"]),
                        para(_date(it.get("deadline")), st["cell"])])
    t = Table(out, colWidths=[38 * mm, 30 * mm, 56 * mm, 24 * mm, 22 * mm], repeatRows=1)
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                           ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                           ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return t


def story(reply: dict[str, Any], org: str, _: Translator) -> list[Any]:
    st = layout.styles()
    c = reply["content"]
    out: list[Any] = [para(c.get("title", ""), st["title"]),
                      para(_("Written reply No. %(id)s · Incident %(ref)s", id=reply["id"], ref=c.get("ref", "")),
                           st["small"])]
    if c.get("addressees"):
        out.append(para(_("To: %(names)s", names="、".join(c["addressees"])), st["body"]))
    out += [Spacer(1, 3 * mm), para(c.get("opening", ""), st["body"]),
            para(_("1. Facts found"), st["h"]), para(c.get("facts", ""), st["body"]),
            para(_("2. Measures"), st["h"])]
    out += [para(f"({n}) {line}", st["body"]) for n, line in enumerate(c.get("measures") or [], 1)] or \
        [para(_("No measures recorded."), st["body"])]
    if c.get("entitlements"):
        out += [para(_("3. What each claimant gets"), st["h"]), _entitlements(_, c["entitlements"], st)]
    if c.get("deadlines"):
        out.append(para(_("4. Deadlines"), st["h"]))
        out += [para(f"{d['what']}: {_date(d.get('due_at'))}", st["body"]) for d in c["deadlines"]]
    out += [Spacer(1, 4 * mm), para(c.get("closing", ""), st["body"]), para(c.get("contact", ""), st["body"]),
            Spacer(1, 6 * mm), para(org, st["body"])]
    approvals = [_("Approved by the leader %(name)s on %(at)s", name=reply["leader_approved_by"],
                   at=clock.show(reply["leader_approved_at"], "date"))] if reply.get("leader_approved_at") else []
    if reply.get("legal_approved_at"):
        approvals.append(_("Reviewed by legal %(name)s on %(at)s", name=reply["legal_approved_by"],
                           at=clock.show(reply["legal_approved_at"], "date")))
    out += [para(a, st["small"]) for a in approvals]
    if reply.get("issued_at"):
        out.append(para(_("Issued on %(at)s", at=clock.show(reply["issued_at"], "datetime")), st["small"]))
    return out


def render(reply: dict[str, Any], org: str) -> bytes:
    """The reply (WrittenReply.to_dict()) as PDF bytes, page n/total on every page."""
    _ = Translator(reply.get("locale") or "zh_CN")
    ref = reply["content"].get("ref", "")
    return layout.render(story(reply, org, _), _, footer=_("Written reply %(ref)s", ref=ref),
                         title=reply["content"].get("title", ""), subject=f"concord-reply:{ref}:{reply['id']}",
                         author=org, invariant=1)
