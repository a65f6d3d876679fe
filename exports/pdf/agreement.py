"""Render an agreement to PDF with ReportLab: terms, handwritten signature, verification block.

Rendering is a pure function of its input (ReportLab's invariant mode: no creation time or random
document id), so re-rendering approved terms gives the same bytes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Spacer,
    Table,
    TableStyle,
)

from exports.agreements.clauses import clause_sections
from exports.agreements.enums import IdDisplay, PaymentKind
from exports.agreements.terms import Party, Terms
from exports.pdf import document as layout
from exports.pdf.document import para
from exports.pdf.signature_box import SignatureBox
from exports.pdf.verification_block import VerificationBlock
from incident.i18n import Translator


@dataclass
class RenderInput:
    ref: str
    terms: Terms
    signature: dict[str, Any] | None = None
    id_numbers: dict[int, str] = field(default_factory=dict)  # claimant id → clear ID (full display)
    content_sha256: str = ""
    head_hash: str = ""
    verify_url: str = ""
    draft: bool = False
    head_seq: int = 0       # the timeline event whose hash head_hash is (0: none printed)
    incident_id: int = 0


def _party_line(_: Translator, p: Party, full_ids: dict[int, str], display: str) -> str:
    parts = [p.name]
    if p.unit:
        parts.append(_("Unit: %(unit)s", unit=p.unit))
    shown = full_ids.get(p.claimant_id or -1) if display == IdDisplay.FULL.value else None
    if shown or p.id_masked:
        parts.append(_("ID number: %(id)s", id=shown or p.id_masked))
    return " · ".join(parts)


def _items_table(_: Translator, terms: Terms, st: dict[str, Any]) -> Table:
    head = [_("No."), _("Item"), _("Remedy"), _("Amount (CNY)"), _("Nature"), _("Deadline")]
    kind = {PaymentKind.NONE.value: "—", PaymentKind.COMPENSATION.value: _("Compensation (补偿)"),
            PaymentKind.INDEMNITY.value: _("Indemnity (赔偿)")}
    rows = [[para(h, st["cell"]) for h in head]]
    for n, it in enumerate(terms.items, 1):
        rows.append([para(str(n), st["cell"]), para(it.description, st["cell"]), para(it.remedy, st["cell"]),
                     para(it.amount or "—", st["cell"]), para(kind[it.payment_kind], st["cell"]),
                     para(it.deadline or "—", st["cell"])])
    if terms.total():
        rows.append(["", para(_("Total"), st["cell"]), "", para(f"{terms.total():.2f}", st["cell"]), "", ""])
    t = Table(rows, colWidths=[10 * mm, 45 * mm, 45 * mm, 24 * mm, 24 * mm, 22 * mm], repeatRows=1)
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                           ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                           ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return t


def story(inp: RenderInput, _: Translator) -> list[Any]:
    """The flowables of an agreement."""
    st = layout.styles()
    t = inp.terms
    out: list[Any] = [para(_("Settlement Agreement"), st["title"]),
                      para(_("Agreement No. %(ref)s · Incident %(incident)s", ref=inp.ref,
                             incident=t.incident_ref), st["small"])]
    if inp.draft:
        out.append(para(_("DRAFT — not valid without the organisation's seal"), st["h"]))
    out += [para(_("Parties"), st["h"]), para(_("Party A: %(org)s", org=t.organisation), st["body"]),
            para(_("Party B: %(party)s", party=_party_line(_, t.signer, inp.id_numbers, t.id_display)),
                 st["body"])]
    if t.represented:
        out.append(para(_("Party B signs as the representative, under a written mandate, of:"), st["body"]))
        out += [para(f"{n}. " + _party_line(_, p, inp.id_numbers, t.id_display), st["body"])
                for n, p in enumerate(t.represented, 1)]
    n = 1
    def head(title: str) -> Any:
        nonlocal n
        h = para(f"{n}. {title}", st["h"])
        n += 1
        return h
    if t.facts:
        out += [head(_("Facts")), para(t.facts, st["body"])]
    out += [head(_("Agreed items")), _items_table(_, t, st)]
    for title, text in clause_sections(t, _):  # the same clauses the signing page shows
        out += [head(title), para(text, st["body"])]
    out += [Spacer(1, 6 * mm), KeepTogether([
        para(_("Signatures"), st["h"]),
        SignatureBox(inp.signature, t.signer.name, _, st),
        Spacer(1, 3 * mm),
        para(_("Party A: %(org)s — sealed electronically (PAdES digital signature of this file)",
               org=t.organisation), st["body"]),
    ])]
    if inp.content_sha256:
        out += [Spacer(1, 5 * mm), VerificationBlock(inp.ref, inp.content_sha256, inp.head_hash,
                                                     inp.verify_url, _, st, seq=inp.head_seq,
                                                     progress_url=inp.verify_url.split("/verify?")[0] + "/p")]
    return out


def render(inp: RenderInput) -> bytes:
    """The agreement as PDF bytes (fonts subset-embedded, page n/total and the id on every page)."""
    _ = Translator(inp.terms.locale)
    anchor = None
    if inp.head_hash and inp.head_seq and not inp.draft:
        anchor = {"Kind": "agreement", "Ref": inp.ref, "Incident": inp.incident_id,
                  "IncidentRef": inp.terms.incident_ref, "Seq": inp.head_seq, "Head": inp.head_hash}
    return layout.render(story(inp, _), _, footer=_("Agreement %(ref)s", ref=inp.ref), anchor=anchor, title=inp.ref,
                         subject=f"concord-agreement:{inp.ref}", keywords=inp.content_sha256,
                         author=inp.terms.organisation, invariant=1)
