"""Default wording of the clauses, as English msgids translated by the catalogs (legal edits copies)."""
from __future__ import annotations

from typing import Any

from exports.agreements.enums import PaymentKind
from incident.i18n import Translator

DEFAULT_CLAUSES = {
    "non_admission": "The payment under this agreement is goodwill compensation made to settle the matter "
                     "amicably. It is not an admission by Party A of any fault, liability or breach and may "
                     "not be used as evidence of one.",
    "indemnity": "Party A pays the indemnity stated above for the loss described in the facts. It covers "
                 "the whole of that loss; Party B makes no further claim for it.",
    "performance": "Party A performs each agreed item by its deadline. If an item is late, Party B may ask "
                   "Party A in writing to perform it within 7 days.",
    "withdrawal": "Within 3 days after the agreed items are performed, Party B withdraws every complaint "
                  "about this matter filed with any authority or platform, and makes no further complaint, "
                  "report or claim about it.",
    "confidentiality": "Both parties keep the content of this agreement confidential and do not disclose it "
                       "to third parties, the media or the internet, except where the law requires.",
    "dispute_resolution": "Disputes about this agreement are settled by negotiation; failing that, either "
                          "party may bring the dispute before the people's court of the place where Party A "
                          "is located.",
}
DEFAULT_FACTS = "Party B is a complainant in incident %(ref)s: %(demand)s. After negotiation the parties " \
                "agree as follows."


def default_clauses(locale: str) -> dict[str, str]:
    """The default clauses in *locale*."""
    _ = Translator(locale)
    return {k: _(v) for k, v in DEFAULT_CLAUSES.items()}


def clause_sections(terms: Any, _: Translator) -> list[tuple[str, str]]:
    """The clauses after the agreed items, titled, in the order the PDF prints them (and the signing page
    shows them before the pad)."""
    kinds = terms.kinds()
    out = []
    if PaymentKind.COMPENSATION.value in kinds:
        out.append((_("Nature of the payment: compensation (补偿)"), terms.clauses.get("non_admission", "")))
    if PaymentKind.INDEMNITY.value in kinds:
        out.append((_("Nature of the payment: indemnity (赔偿)"), terms.clauses.get("indemnity", "")))
    for key, title in (("performance", _("Performance")), ("withdrawal", _("Withdrawal of the complaint")),
                       ("confidentiality", _("Confidentiality")),
                       ("dispute_resolution", _("Dispute resolution"))):
        if terms.clauses.get(key):
            out.append((title, terms.clauses[key]))
    return out


def whole_text(terms: Any, ref: str) -> list[dict[str, str]]:
    """-- board (issue 12): the whole agreement as the signer reads it on the page, in the agreement's
    language: heading, parties, facts, each agreed item, every clause ({"kind": "h"|"p"|"li", "text"})."""
    _ = Translator(terms.locale)
    out = [{"kind": "title", "text": _("Settlement Agreement")},
           {"kind": "p", "text": _("Agreement No. %(ref)s · Incident %(incident)s", ref=ref, incident=terms.incident_ref)},
           {"kind": "h", "text": _("Parties")},
           {"kind": "p", "text": _("Party A: %(org)s", org=terms.organisation)},
           {"kind": "p", "text": _("Party B: %(party)s", party=_party(_, terms.signer))}]
    if terms.represented:
        out.append({"kind": "p", "text": _("Party B signs as the representative, under a written mandate, of:")})
        out += [{"kind": "li", "text": _party(_, p)} for p in terms.represented]
    sections: list[tuple[str, list[str]]] = []
    if terms.facts:
        sections.append((_("Facts"), [terms.facts]))
    kind = {PaymentKind.NONE.value: "", PaymentKind.COMPENSATION.value: _("Compensation (补偿)"),
            PaymentKind.INDEMNITY.value: _("Indemnity (赔偿)")}
    items = []
    for n, it in enumerate(terms.items, 1):
        parts = [f"{n}. {it.description} — {it.remedy}"]
        if it.amount:
            parts.append(f"{_('Amount (CNY)')} {it.amount}" + (f" ({kind[it.payment_kind]})" if kind[it.payment_kind] else ""))
        if it.deadline:
            parts.append(f"{_('Deadline')} {it.deadline}")
        items.append(" · ".join(parts))
    if terms.total():
        items.append(f"{_('Total')} {terms.total():.2f}")
    sections.append((_("Agreed items"), items))
    sections += [(title, [text]) for title, text in clause_sections(terms, _)]
    for n, (title, paras) in enumerate(sections, 1):
        out.append({"kind": "h", "text": f"{n}. {title}"})
        out += [{"kind": "p", "text": p} for p in paras]
    return out


def _party(_: Translator, p: Any) -> str:
    parts = [p.name]
    if p.unit:
        parts.append(_("Unit: %(unit)s", unit=p.unit))
    if p.id_masked:
        parts.append(_("ID number: %(id)s", id=p.id_masked))
    return " · ".join(parts)
