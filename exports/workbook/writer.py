"""Write the case workbook (XLSX, one sheet per registered table) or one table as CSV.

openpyxl's write-only mode streams rows to the file, so a timeline of 100,000 events does not sit in
memory as cells; every row passes `exports.sheets` (formula-like text gets a leading quote).
"""
from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from sqlalchemy.orm import Session

from exports import sheets
from exports.workbook import core_sheets as _core  # noqa: F401  (the incident's own sheets)
from exports.workbook import opinion_sheet as _opinion  # noqa: F401  (-- opinion watch, issue 14)
from exports.workbook import followup_sheets as _followup  # noqa: F401  (callbacks, payments: issue 13)
from exports.workbook.registry import Sheet, get, ordered
from incident import service as incidents
from incident.access.actor import Actor
from incident.access.permissions import Action
from incident.errors import NotFound
from incident.models import Incident
from incident.timeline.render import Say

TITLE_MAX = 31  # Excel's limit on a sheet's name


def _load(session: Session, actor: Actor, incident_id: Any) -> Incident:
    return incidents.load_for(session, actor, incident_id, Action.INCIDENT_VIEW)


def _cell(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value  # openpyxl writes numbers, not text


def workbook(session: Session, *, actor: Actor, incident_id: Any, locale: str = "zh_CN") -> tuple[Incident, bytes]:
    """The whole case: one sheet per registered table, in the reader's language."""
    inc = _load(session, actor, incident_id)
    say = Say(locale)
    wb = Workbook(write_only=True)
    wb.properties.title = f"{inc.ref} · {say('Case workbook')}"
    wb.properties.creator = "Concord"
    for sheet in ordered():
        if sheet.present is not None and not sheet.present(session, inc):
            continue
        table = sheet.build(session, inc, say)
        ws = wb.create_sheet(title=say(sheet.title)[:TITLE_MAX])
        sheets.append_row(ws, table.headers)
        for row in table.rows:
            sheets.append_row(ws, [_cell(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return inc, buf.getvalue()


def csv_table(session: Session, *, actor: Actor, incident_id: Any, name: str,
              locale: str = "zh_CN") -> tuple[Incident, bytes]:
    """One table as UTF-8 CSV with a byte-order mark (so Excel opens Chinese text right)."""
    inc = _load(session, actor, incident_id)
    say = Say(locale)
    sheet: Sheet | None = get(name) if isinstance(name, str) else None
    if sheet is None:
        raise NotFound("unknown sheet %(name)s; one of: %(names)s", field="sheet", name=str(name)[:40],
                       names=", ".join(s.name for s in ordered()))
    table = sheet.build(session, inc, say)
    out = io.StringIO()
    w = sheets.writer(out)
    w.writerow(table.headers)
    for row in table.rows:
        w.writerow(row)
    return inc, ("\ufeff" + out.getvalue()).encode("utf-8")
