"""The staged import: upload → proposed mapping → preview of the rows as stored → confirm.

Nothing reaches the registry before confirmation: the parsed file waits in an ImportStage row,
encrypted with the field cipher (its rows carry clear phone and ID numbers), for STAGE_TTL.
Confirming stores the valid rows through the importer (one timeline event), may save the mapping
for the incident, and keeps the report (with each refused row's original cells) for its XLSX
download until the stage expires.
"""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from incident import clock, service
from incident.access.actor import Actor
from incident.access.permissions import Action
from incident.crowd.claimants import importer
from incident.crowd.claimants import mapping as m
from incident.crowd.claimants.models import ImportMapping, ImportStage
from incident.crowd.claimants.service import may_reveal
from incident.crowd.claimants.tabular import Sheet, read_sheet
from incident.errors import Conflict, NotFound
from incident.privacy import cipher

STAGE_TTL = timedelta(hours=2)
PREVIEW_ROWS = 10


def _seal(data: Any) -> str:
    return cipher().encrypt(json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def _open(token: str) -> Any:
    return json.loads(cipher().decrypt(token))


def _cells(raw: list[Any]) -> list[Any]:
    """A row's cells as JSON can keep them: dates and times (XLSX date cells) as the sheet shows them."""
    return [c if c is None or isinstance(c, (str, int, float, bool)) else m.cell_text(c) for c in raw]


def _jsonable(sheet: Sheet) -> dict[str, Any]:
    rows = [[n, _cells(raw)] for n, raw in sheet.rows]
    return {"header": sheet.header, "rows": rows, "blank_rows": sheet.blank_rows}


def _sheet(stage: ImportStage) -> Sheet:
    data = _open(stage.payload)
    return Sheet(header=data["header"], rows=[(n, raw) for n, raw in data["rows"]], blank_rows=data["blank_rows"])


def _load(session: Session, actor: Actor, incident_id: int, stage_id: Any, staged: bool = True
          ) -> tuple[Any, ImportStage]:
    inc = service.load_for(session, actor, incident_id, Action.CLAIMANT_EDIT)
    row = session.get(ImportStage, stage_id) if isinstance(stage_id, int) and not isinstance(stage_id, bool) else None
    # an upload is its uploader's: its report holds the refused rows' clear cells
    if row is None or row.incident_id != inc.id or row.expires_at <= clock.now() or (
            row.created_by != actor.user_id and not actor.is_system):
        raise NotFound("no such upload (uploads wait %(hours)s hours for confirmation); upload the file again",
                       field="stage_id", hours=int(STAGE_TTL.total_seconds() // 3600))
    if staged and row.status != "staged":
        raise Conflict("this upload was already imported", field="stage_id")
    return inc, row


def _keep(stage: ImportStage, sheet: Sheet, report: importer.ImportReport) -> None:
    """The latest judgement of the file, with each refused row's original cells, for the XLSX report."""
    originals = dict(sheet.rows)
    bad = sorted({e.row for e in report.errors})
    stage.report = _seal({"header": sheet.header, "report": report.to_dict(),
                          "originals": {str(n): _cells(originals[n]) for n in bad if n in originals}})


def _preview(session: Session, actor: Actor, inc: Any, stage: ImportStage, sheet: Sheet, cols: m.Mapping,
             locale: str) -> dict[str, Any]:
    """The whole file judged as confirm would judge it, without encrypting or storing a claimant."""
    report = importer.ImportReport(mode=importer.ImportMode.SKIP_INVALID.value, filename=stage.filename,
                                   rows=len(sheet.rows), blank_rows=sheet.blank_rows, mapping=cols,
                                   attribute_columns=m.attribute_columns(cols, sheet.header))
    rows = importer.judge(session, inc, sheet, cols, report, locale, may_reveal(session, actor, inc.id),
                          encrypt=False)
    by_row = {r["row"]: r for r in map(importer.as_dict, rows[:PREVIEW_ROWS * 2])}
    errors: dict[int, list[dict[str, str]]] = {}
    for e in report.errors:
        errors.setdefault(e.row, []).append({"field": e.field, "reason": e.reason,
                                             "message": e.message_local or e.message})
    preview = []
    for number, _raw in sheet.rows[:PREVIEW_ROWS]:
        r = by_row.get(number)
        item: dict[str, Any] = {"row": number, "errors": errors.get(number, [])}
        if r is not None:
            item |= {"name": r["name"], "unit": r["unit"], "segment": r["segment"], "phone": r["phone_masked"],
                     "id_number": r["id_masked"], "attributes": r["attributes"]}
        preview.append(item)
    _keep(stage, sheet, report)
    out = report.to_dict()
    out["would_store"] = len(rows)
    return {"mapping": cols, "preview": preview, "summary": out}


def stage(session: Session, *, actor: Actor, incident_id: int, filename: str, data: bytes,
          locale: str = "en") -> dict[str, Any]:
    """Read the upload, keep it staged, propose a mapping (the saved one when it fits) and preview it."""
    inc = service.load_for(session, actor, incident_id, Action.CLAIMANT_EDIT)
    service.ensure_open(inc)
    name = (filename or "upload")[:200]
    sheet = read_sheet(name, data)
    now = clock.now()
    session.execute(delete(ImportStage).where(ImportStage.expires_at <= now))
    row = ImportStage(incident_id=inc.id, created_by=actor.user_id, filename=name, rows=len(sheet.rows),
                      payload=_seal(_jsonable(sheet)), report="", status="staged", created_at=now,
                      expires_at=now + STAGE_TTL)
    session.add(row)
    session.flush()
    proposal, source = m.mapping_for(session, inc.id, sheet.header, [r for _n, r in sheet.rows[:20]])
    out: dict[str, Any] = {"stage_id": row.id, "filename": name, "rows": len(sheet.rows),
                           "columns": sheet.header, "fields": list(m.FIELDS), "required": list(m.REQUIRED),
                           "mapping": proposal, "mapping_source": source,
                           "expires_at": row.expires_at.isoformat(), "samples": _samples(sheet)}
    try:
        out |= _preview(session, actor, inc, row, sheet, m.check(proposal, sheet.header), locale)
    except m.MissingColumns as err:
        out["missing"] = err.details["missing"]
        out["preview"], out["summary"] = [], None
    return out


def _samples(sheet: Sheet) -> dict[str, list[str]]:
    """A few cells of each column, so the user can tell the columns apart while mapping."""
    out: dict[str, list[str]] = {}
    for i, h in enumerate(sheet.header):
        out[h] = [m.cell_text(raw[i])[:40] for _n, raw in sheet.rows[:3] if i < len(raw)]
    return out


def preview(session: Session, *, actor: Actor, incident_id: int, stage_id: Any, mapping: Any,
            locale: str = "en") -> dict[str, Any]:
    """The rows as they would be stored with this mapping (nothing is stored)."""
    inc, row = _load(session, actor, incident_id, stage_id)
    sheet = _sheet(row)
    return {"stage_id": row.id} | _preview(session, actor, inc, row, sheet, m.check(mapping, sheet.header), locale)


def confirm(session: Session, *, actor: Actor, incident_id: int, stage_id: Any, mapping: Any, mode: Any,
            save: Any = False, locale: str = "en") -> importer.ImportReport:
    """Store the staged file's valid rows with this mapping; optionally save the mapping for the incident."""
    mode = importer.check_mode(mode)
    inc, row = _load(session, actor, incident_id, stage_id)
    service.ensure_open(inc)
    sheet = _sheet(row)
    cols = m.check(mapping, sheet.header)
    report = importer.ImportReport(mode=mode, filename=row.filename, rows=len(sheet.rows),
                                   blank_rows=sheet.blank_rows, mapping=cols,
                                   attribute_columns=m.attribute_columns(cols, sheet.header))
    new_rows = importer.judge(session, inc, sheet, cols, report, locale, may_reveal(session, actor, inc.id))
    if save is True:
        _save_mapping(session, actor, inc.id, cols)
    importer.store(session, actor, inc, report, new_rows, extra={"mapping_saved": save is True})
    _keep(row, sheet, report)  # a refused confirmation rolls back: the preview's report stays downloadable
    row.status = "confirmed"
    row.payload = _seal({"header": sheet.header, "rows": [], "blank_rows": sheet.blank_rows})
    return report


def _save_mapping(session: Session, actor: Actor, incident_id: int, cols: m.Mapping) -> None:
    kept = session.scalar(select(ImportMapping).where(ImportMapping.incident_id == incident_id,
                                                      ImportMapping.name == "default"))
    if kept is None:
        kept = ImportMapping(incident_id=incident_id, name="default")
        session.add(kept)
    kept.mapping, kept.updated_by, kept.updated_at = dict(cols), actor.name, clock.now()


def report_of(session: Session, *, actor: Actor, incident_id: int, stage_id: Any) -> dict[str, Any]:
    """The confirmed import's report with the original cells of each refused row (for the XLSX)."""
    _inc, row = _load(session, actor, incident_id, stage_id, staged=False)
    if not row.report:
        raise Conflict("map the columns first: the report is made when the rows are judged", field="stage_id")
    return dict(_open(row.report))
