"""Claimant import with a column mapping (issue 11): stage the upload, preview, confirm, report as XLSX."""
from __future__ import annotations

import io

from flask import Blueprint, Response, jsonify, request
from flask_babel import gettext as _

from exports import sheets
from incident.crowd.claimants import mapping as m
from incident.crowd.claimants import staging
from realtime.auth import actor
from realtime.dbsession import db
from realtime.http.params import json_body
from realtime.openapi import ANY_OBJ, BOOL, INT, MULTIPART, STR, TIME, array, file, null, obj, register, upload
from realtime.templating import locale_code

bp = Blueprint("claimant_import", __name__, url_prefix="/api/v1/incidents/<int:incident_id>/claimants/import")


@bp.post("/stages")
def stage(incident_id: int):  # type: ignore[no-untyped-def]
    """Upload a CSV/XLSX: nothing is stored yet; returns the columns, a proposed mapping and a preview."""
    f = request.files.get("file")
    if f is None:
        from incident.errors import ValidationError
        raise ValidationError("attach the file as multipart field 'file'", field="file")
    out = staging.stage(db(), actor=actor(), incident_id=incident_id, filename=f.filename or "upload",
                        data=f.read(), locale=locale_code())
    db().commit()
    return jsonify(out), 201


@bp.post("/stages/<int:stage_id>/preview")
def preview(incident_id: int, stage_id: int):  # type: ignore[no-untyped-def]
    """The first rows as they would be stored with this mapping, and the whole file's report."""
    data = json_body()
    out = staging.preview(db(), actor=actor(), incident_id=incident_id, stage_id=stage_id,
                          mapping=data.get("mapping"), locale=locale_code())
    db().commit()  # the latest report is kept for its XLSX download
    return jsonify(out)


@bp.post("/stages/<int:stage_id>/confirm")
def confirm(incident_id: int, stage_id: int):  # type: ignore[no-untyped-def]
    """Store the valid rows with this mapping (one timeline event); optionally save the mapping."""
    data = json_body()
    report = staging.confirm(db(), actor=actor(), incident_id=incident_id, stage_id=stage_id,
                             mapping=data.get("mapping"), mode=data.get("mode", "skip_invalid"),
                             save=data.get("save_mapping", False), locale=locale_code())
    db().commit()
    return jsonify(report.to_dict() | {"stage_id": stage_id}), 201


@bp.get("/stages/<int:stage_id>/report.xlsx")
def report_xlsx(incident_id: int, stage_id: int):  # type: ignore[no-untyped-def]
    """The latest report of this upload: each refused row with its reason and its original cells."""
    from openpyxl import Workbook
    kept = staging.report_of(db(), actor=actor(), incident_id=incident_id, stage_id=stage_id)
    rep, header, originals = kept["report"], kept["header"], kept["originals"]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Import report"))
    sheets.append_row(ws, [_("File"), rep["filename"]])
    sheets.append_row(ws, [_("Rows"), rep["rows"], _("Stored") if rep["stored"] else _("Would be stored"),
                           rep["stored"] or rep["valid"], _("Refused rows"), rep["bad_rows"]])
    sheets.append_row(ws, [])
    sheets.append_row(ws, [_("Row"), _("Column"), _("Problem"), *header])
    for e in rep["errors"]:
        sheets.append_row(ws, [e["row"], _field(e["field"]), e.get("message_local") or e["message"],
                               *[m.cell_text(c) for c in originals.get(str(e["row"]), [])]])
    for n in rep.get("blank_rows", []):
        sheets.append_row(ws, [n, "", _("blank row: skipped")])
    buf = io.BytesIO()
    wb.save(buf)
    return Response(buf.getvalue(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=import-report-{stage_id}.xlsx",
                             "Cache-Control": "no-store"})


def _field(key: str) -> str:
    from incident.labels import field_label
    return field_label(_, key) or key


@bp.get("/mapping")
def saved_mapping(incident_id: int):  # type: ignore[no-untyped-def]
    """The column mapping saved for this incident (proposed for its next files), or null."""
    from incident import service
    from incident.access.permissions import Action
    service.load_for(db(), actor(), incident_id, Action.CLAIMANT_EDIT)
    return jsonify({"mapping": m.saved(db(), incident_id)})


# -- OpenAPI
MAPPING = {"type": "object", "description": "field → list of column headers (several are combined)",
           "properties": {f: array(STR) for f in m.FIELDS}}
_ERR = obj(field=STR, reason=STR, message=STR)
REPORT = obj(mode=STR, filename=STR, rows=INT, valid=INT, stored=INT, skipped=INT, bad_rows=INT,
             errors=array(obj(row=INT, field=STR, reason=STR, message=STR, message_local=STR)),
             attribute_columns=array(STR), blank_rows=array(INT), mapping=MAPPING)
PREVIEW = obj(mapping=MAPPING, preview=array({"type": "object", "properties": {
    "row": INT, "name": STR, "unit": STR, "segment": STR, "phone": STR, "id_number": STR, "attributes": ANY_OBJ,
    "errors": array(_ERR)}}), summary=null(ANY_OBJ))
register("claimant_import.stage", media=MULTIPART, body=upload() | {"description": ".csv or .xlsx; limits in "
         "docs/crowd.md"}, responses={201: obj({"missing": array(STR)}, stage_id=INT, filename=STR, rows=INT,
                                              columns=array(STR), fields=array(STR), required=array(STR),
                                              mapping_source={"enum": ["saved", "proposed"]}, expires_at=TIME,
                                              samples=ANY_OBJ, **PREVIEW["properties"])})
register("claimant_import.preview", body={"type": "object", "required": ["mapping"], "properties": {
    "mapping": MAPPING}}, responses={200: obj(stage_id=INT, **PREVIEW["properties"])})
register("claimant_import.confirm", body={"type": "object", "required": ["mapping"], "properties": {
    "mapping": MAPPING, "mode": {"enum": ["all_or_nothing", "skip_invalid"]}, "save_mapping": BOOL}},
    responses={201: obj(stage_id=INT, **REPORT["properties"])})
register("claimant_import.report_xlsx", responses={200: file(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description="the import report")})
register("claimant_import.saved_mapping", responses={200: obj(mapping=null(MAPPING))})
