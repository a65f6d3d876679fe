"""The ledger as a spreadsheet: one row per agreed payment, then the reconciliation per segment and
kind. CSV or XLSX, every cell through exports/sheets.py (a claimant named `=cmd|…` stays text)."""
from __future__ import annotations

import io
from typing import Any, Iterable

from openpyxl import Workbook
from sqlalchemy.orm import Session

from exports import sheets
from incident import clock
from incident.i18n import Translator
from incident.labels import label
from incident.ledger import queries


def rows(session: Session, incident_id: int, locale: str = "zh_CN") -> tuple[list[list[Any]], list[list[Any]]]:
    """(payments rows, reconciliation rows), each with its header first; amounts as decimal text."""
    _ = Translator(locale)
    obs = queries.obligations(session, incident_id)
    items: list[list[Any]] = [[_("Claimant"), _("Segment"), _("Kind"), _("Agreed"), _("Paid"), _("Waived"),
                               _("Outstanding"), _("Stage"), _("Deadline"), _("Payment date"), _("Method"),
                               _("Reference"), _("Proof SHA-256"), _("Waiver reason")]]
    for o in obs:
        pays = [e for e in o.entries if e.entry == "payment"]
        waiver = next((e.reason for e in o.entries if e.entry == "waiver"), "")
        items.append([o.claimant_name, o.segment, label(_, "ledger_kind", o.kind), f"{o.agreed:.2f}",
                      f"{o.paid:.2f}", f"{o.waived:.2f}", f"{o.outstanding:.2f}", label(_, "ledger_stage", o.stage),
                      clock.show(o.deadline, "date") if o.deadline else "",
                      "; ".join(e.paid_on for e in pays), "; ".join(label(_, "payment_method", e.method) for e in pays),
                      "; ".join(e.reference for e in pays), "; ".join(e.proof_sha256 for e in pays), waiver])
    rec = queries.reconcile(obs)
    totals: list[list[Any]] = [[_("Segment"), _("Kind"), _("Agreed"), _("Paid"), _("Waived"), _("Outstanding")]]
    scopes: Iterable[tuple[str, dict[str, Any]]] = [*sorted(rec["segments"].items()), (_("Whole incident"), rec["incident"])]
    for scope, kinds in scopes:
        for kind, b in kinds.items():
            if b["items"]:
                totals.append([scope, label(_, "ledger_kind", kind), f"{b['agreed']:.2f}", f"{b['paid']:.2f}",
                               f"{b['waived']:.2f}", f"{b['outstanding']:.2f}"])
    return items, totals


def csv_bytes(session: Session, incident_id: int, locale: str = "zh_CN") -> bytes:
    items, totals = rows(session, incident_id, locale)
    buf = io.StringIO()
    w = sheets.writer(buf)
    w.writerows(items)
    w.writerow([])
    w.writerows(totals)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def xlsx_bytes(session: Session, incident_id: int, locale: str = "zh_CN") -> bytes:
    items, totals = rows(session, incident_id, locale)
    _ = Translator(locale)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Payments")
    for r in items:
        sheets.append_row(ws, r)
    ws2 = wb.create_sheet(_("Reconciliation"))
    for r in totals:
        sheets.append_row(ws2, r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
