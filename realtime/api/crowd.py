"""Crowd API: claimants (masked), import, contact reveal, representatives; and the incident-page section."""
from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask_babel import gettext as _

from exports import sheets
from incident import attachments, service
from incident.access.actor import Actor
from incident.access.permissions import Action
from incident.crowd.claimants import importer, reveal, staging
from incident.crowd.claimants import mapping as m
from incident.crowd.claimants import service as claimants
from incident.crowd.representatives import service as representatives
from incident.crowd.summary import crowd_view, representative_dict
from incident.errors import NotFound, ValidationError
from incident.models import Incident
from incident.security.log import Kind
from realtime.auth import actor
from realtime.dbsession import db
from realtime.http.params import int_arg, json_body
from realtime.openapi import (
    ANY_OBJ,
    ATTACHMENT,
    BOOL,
    ID,
    INT,
    MULTIPART,
    STR,
    TIME,
    VERSION,
    array,
    file,
    null,
    obj,
    register,
    upload,
)
from realtime.sections import Section, register_section
from realtime.security import recorder
from realtime.templating import locale_code

bp = Blueprint("crowd", __name__, url_prefix="/api/v1/incidents/<int:incident_id>")
_CLAIMANT = {"name": {"type": "string", "maxLength": 120},
             "unit": {"type": "string", "maxLength": 200, "description": "unit/address or order number"},
             "phone": {"type": "string", "description": "stored encrypted, shown masked"},
             "id_number": {"type": "string", "description": "optional; stored encrypted, shown masked"},
             "segment": {"type": "string", "maxLength": 120, "description": "building, floor, batch…"}}


def _upload() -> tuple[str, str, bytes]:
    f = request.files.get("file")
    if f is None:
        raise ValidationError("attach the file as multipart field 'file'", field="file")
    return f.filename or "upload", f.mimetype or "", f.read()


@bp.get("/crowd")
def crowd(incident_id: int):  # type: ignore[no-untyped-def]
    """The crowd board: counts, segments, warnings, representatives and claimants (masked)."""
    inc = service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    return jsonify(crowd_view(db(), inc, limit=int_arg("limit", 200, 1, 5000)))


@bp.get("/claimants")
def list_claimants(incident_id: int):  # type: ignore[no-untyped-def]
    """A page of claimants, contact numbers masked."""
    rows, total = claimants.listing(db(), actor=actor(), incident_id=incident_id,
                                    status=request.args.get("status") or None, query=request.args.get("q", ""),
                                    limit=int_arg("limit", 200, 1, 5000), offset=int_arg("offset", 0))
    return jsonify({"total": total, "claimants": [claimants.to_dict(c) for c in rows]})


@bp.post("/claimants")
def add_claimant(incident_id: int):  # type: ignore[no-untyped-def]
    """Register one claimant."""
    row = claimants.add(db(), actor=actor(), incident_id=incident_id, data=json_body())
    db().commit()
    return jsonify(claimants.to_dict(row)), 201


@bp.patch("/claimants/<int:claimant_id>")
def update_claimant(incident_id: int, claimant_id: int):  # type: ignore[no-untyped-def]
    """Edit a claimant (send the version you read; 409 when stale)."""
    data = json_body()
    row = claimants.update(db(), actor=actor(), incident_id=incident_id, claimant_id=claimant_id,
                           data=data, expected_version=data.get("version"))
    db().commit()
    return jsonify(claimants.to_dict(row))


@bp.post("/claimants/<int:claimant_id>/withdraw")
def withdraw_claimant(incident_id: int, claimant_id: int):  # type: ignore[no-untyped-def]
    """Withdraw a claimant from the complaint."""
    data = json_body()
    row = claimants.withdraw(db(), actor=actor(), incident_id=incident_id, claimant_id=claimant_id,
                             reason=data.get("reason"), expected_version=data.get("version"))
    db().commit()
    return jsonify(claimants.to_dict(row))


@bp.post("/claimants/<int:claimant_id>/reveal")
def reveal_contact(incident_id: int, claimant_id: int):  # type: ignore[no-untyped-def]
    """Reveal a clear phone or ID number (seat-restricted, reason required, recorded)."""
    data = json_body()
    value = reveal.reveal(db(), actor=actor(), incident_id=incident_id, claimant_id=claimant_id,
                          field=data.get("field"), reason=data.get("reason"))
    recorder.add(Kind.CONTACT_REVEALED, incident_id=incident_id, guard=False, claimant_id=claimant_id,
                 field=data.get("field"))  # -- security log (issue 10): who saw which field, never the value
    db().commit()
    resp = jsonify({"claimant_id": claimant_id, "field": data.get("field"), "value": value})
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.post("/claimants/import")
def import_claimants(incident_id: int):  # type: ignore[no-untyped-def]
    """Bulk import a CSV/XLSX (multipart 'file', form 'mode'); returns the per-row report."""
    filename, _ctype, data = _upload()
    report = importer.import_claimants(db(), actor=actor(), incident_id=incident_id, filename=filename,
                                       data=data, mode=request.form.get("mode"), locale=locale_code())
    db().commit()
    return jsonify(report.to_dict()), 201


@bp.get("/claimants.csv")
def export_claimants(incident_id: int):  # type: ignore[no-untyped-def]
    """The claimant list as CSV, contact numbers masked."""
    rows, _total = claimants.listing(db(), actor=actor(), incident_id=incident_id, limit=10**6)
    buf = io.StringIO()
    w = sheets.writer(buf)  # neutralises formula-like cells (=, +, -, @, tab, CR)
    extra = list(dict.fromkeys(k for c in rows for k in (c.attributes or {})))  # -- the file's other columns (issue 11)
    w.writerow([_("Name"), _("Unit / order"), _("Phone"), _("ID number"), _("Segment"), _("Status"),
                _("Joined"), *extra])
    for c in rows:
        w.writerow([c.name, c.unit, c.phone_masked, c.id_masked, c.segment, c.status, c.joined_at.isoformat(),
                    *[(c.attributes or {}).get(k, "") for k in extra]])
    return Response("\ufeff" + buf.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename=claimants-{incident_id}.csv"})


@bp.post("/representatives")
def elect_representative(incident_id: int):  # type: ignore[no-untyped-def]
    """Record a representative elected by the crowd."""
    d = json_body()
    rep = representatives.elect(db(), actor=actor(), incident_id=incident_id, claimant_id=d.get("claimant_id"),
                                mandate=d.get("mandate"), claimant_ids=d.get("claimant_ids"),
                                segments=d.get("segments"), reason=d.get("reason", ""))
    db().commit()
    return jsonify(representative_dict(db(), rep)), 201


@bp.post("/representatives/<int:representative_id>/mandate")
def attach_mandate(incident_id: int, representative_id: int):  # type: ignore[no-untyped-def]
    """Upload the signed mandate (photo or PDF scan, multipart 'file')."""
    filename, ctype, data = _upload()
    rep = representatives.attach_mandate(db(), actor=actor(), incident_id=incident_id,
                                         representative_id=representative_id, filename=filename,
                                         content_type=ctype, data=data)
    db().commit()
    return jsonify(representative_dict(db(), rep)), 201


@bp.get("/representatives/<int:representative_id>/mandate")
def download_mandate(incident_id: int, representative_id: int):  # type: ignore[no-untyped-def]
    """The signed mandate document."""
    service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    rep = representatives.get(db(), incident_id, representative_id)
    if rep.mandate_attachment_id is None:
        raise NotFound("no signed mandate on file", field="representative_id")
    row, data = attachments.read(db(), rep.mandate_attachment_id, incident_id)
    return Response(data, mimetype=row.content_type,
                    headers={"Content-Disposition": f"inline; filename*=UTF-8''{row.sha256[:12]}"})


@bp.post("/representatives/<int:representative_id>/replace")
def replace_representative(incident_id: int, representative_id: int):  # type: ignore[no-untyped-def]
    """Replace a representative by another claimant (same coverage)."""
    d = json_body()
    rep = representatives.replace(db(), actor=actor(), incident_id=incident_id,
                                  representative_id=representative_id, claimant_id=d.get("claimant_id"),
                                  reason=d.get("reason"), mandate=d.get("mandate"))
    db().commit()
    return jsonify(representative_dict(db(), rep)), 201


@bp.post("/representatives/<int:representative_id>/revoke")
def revoke_representative(incident_id: int, representative_id: int):  # type: ignore[no-untyped-def]
    """Revoke a representative's mandate."""
    d = json_body()
    rep = representatives.revoke(db(), actor=actor(), incident_id=incident_id,
                                 representative_id=representative_id, reason=d.get("reason"))
    db().commit()
    return jsonify(representative_dict(db(), rep))


@bp.get("/representatives/<int:representative_id>/covers")
def mandate_covers(incident_id: int, representative_id: int):  # type: ignore[no-untyped-def]
    """Claimants this representative may sign for (empty unless a signed sign_on_behalf mandate)."""
    service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    rep = representatives.get(db(), incident_id, representative_id)
    return jsonify({"representative_id": rep.id,
                    "claimant_ids": representatives.mandate_covers(db(), rep.id),
                    "covered": representatives.covered_claimants(db(), rep)})


# -- OpenAPI: bodies, queries and responses of the crowd routes
CLAIMANT = obj(id=INT, incident_id=INT, name=STR, unit=STR, segment=STR,
               phone={"type": "string", "description": "masked"}, id_number={"type": "string", "description": "masked"},
               has_id_number=BOOL, joined_at=TIME, version=INT,
               attributes={"type": "object", "additionalProperties": STR,
                           "description": "the import file's other columns, as text"},
               # -- public side (issue 15): self-registrations pending, or rejected by staff
               status={"enum": ["active", "withdrawn", "settled", "pending", "rejected"]})
REPRESENTATIVE = obj(
    id=INT, claimant_id=INT, name=STR, unit=STR, phone=STR, mandate={"enum": ["negotiate_only", "sign_on_behalf"]},
    mandate_document=null(ATTACHMENT), status=STR, elected_at=TIME, ended_at=null(TIME), replaced_by_id=null(INT),
    coverage=obj(claimant_ids=array(INT), segments=array(STR)), covered_count=INT, signs_for=INT,
    history=array(obj(action=STR, reason=STR, actor=STR, at=TIME)), version=INT)
CROWD = obj(incident_id=INT, headcount=INT, grade=STR,
            counts=obj(active=INT, withdrawn=INT, settled=INT, total=INT),
            segments=array(obj(segment=STR, active=INT)), warnings=array(obj(code=STR)),
            representatives=array(REPRESENTATIVE), claimants=array(CLAIMANT), limit=INT)
IMPORT_REPORT = obj(mode=STR, filename=STR, rows=INT, valid=INT, stored=INT, skipped=INT, bad_rows=INT,
                    errors=array(obj(row=INT, field=STR, reason=STR, message=STR, message_local=STR)),
                    attribute_columns=array(STR), blank_rows=array(INT), mapping=ANY_OBJ)
LIMIT = {"type": "integer", "minimum": 1, "maximum": 5000}
register("crowd.crowd", query={"limit": LIMIT}, responses={200: CROWD})
register("crowd.list_claimants", query={
    "status": {"enum": ["active", "withdrawn", "settled", "pending", "rejected"]},  # pending, rejected: issue 15
    "q": {"type": "string", "description": "name or unit"},
    "limit": LIMIT, "offset": {"type": "integer", "minimum": 0, "maximum": 10**9}},
    responses={200: obj(total=INT, claimants=array(CLAIMANT))})
register("crowd.export_claimants", responses={200: file("text/csv", description="claimants, numbers masked")})
register("crowd.add_claimant", body={"type": "object", "required": ["name", "unit", "phone"], "properties": _CLAIMANT},
         responses={201: CLAIMANT})
register("crowd.update_claimant", body={"type": "object", "required": ["version"],
                                        "properties": _CLAIMANT | {"version": VERSION}}, responses={200: CLAIMANT})
register("crowd.withdraw_claimant", body={"type": "object", "required": ["version"], "properties": {
    "version": VERSION, "reason": {"type": "string", "maxLength": 500}}}, responses={200: CLAIMANT})
register("crowd.reveal_contact", body={"type": "object", "required": ["field", "reason"], "properties": {
    "field": {"enum": ["phone", "id_number"]}, "reason": {"type": "string", "minLength": 2}}},
    responses={200: obj(claimant_id=INT, field=STR, value=STR)})
register("crowd.import_claimants", media=MULTIPART, body=upload(
    ("file", "mode"), mode={"enum": ["all_or_nothing", "skip_invalid"]}) | {"description":
    ".csv (UTF-8/GB18030) or .xlsx; limits in docs/crowd.md"}, responses={201: IMPORT_REPORT})
register("crowd.attach_mandate", media=MULTIPART, body=upload(), responses={201: REPRESENTATIVE})
register("crowd.download_mandate", responses={200: file("*/*", description="the signed mandate (photo or PDF)")})
register("crowd.elect_representative", body={"type": "object", "required": ["claimant_id", "mandate"], "properties": {
    "claimant_id": ID, "mandate": {"enum": ["negotiate_only", "sign_on_behalf"]},
    "claimant_ids": array(ID), "segments": array(STR), "reason": STR}}, responses={201: REPRESENTATIVE})
register("crowd.replace_representative", body={"type": "object", "required": ["claimant_id", "reason"], "properties": {
    "claimant_id": ID, "reason": STR, "mandate": {"enum": ["negotiate_only", "sign_on_behalf"]}}},
    responses={201: REPRESENTATIVE})
register("crowd.revoke_representative", body={"type": "object", "required": ["reason"], "properties": {"reason": STR}},
         responses={200: REPRESENTATIVE})
register("crowd.mandate_covers", responses={200: obj(representative_id=INT, claimant_ids=array(INT),
                                                         covered=array(INT))})


# -- claimant import with a column mapping (issue 11): stage the upload, preview, confirm, report as XLSX
imports = Blueprint("claimant_import", __name__, url_prefix="/api/v1/incidents/<int:incident_id>/claimants/import")


@imports.post("/stages")
def stage_upload(incident_id: int):  # type: ignore[no-untyped-def]
    """Upload a CSV/XLSX: nothing is stored yet; returns the columns, a proposed mapping and a preview."""
    f = request.files.get("file")
    if f is None:
        raise ValidationError("attach the file as multipart field 'file'", field="file")
    out = staging.stage(db(), actor=actor(), incident_id=incident_id, filename=f.filename or "upload",
                        data=f.read(), locale=locale_code())
    db().commit()
    return jsonify(out), 201


@imports.post("/stages/<int:stage_id>/preview")
def preview_upload(incident_id: int, stage_id: int):  # type: ignore[no-untyped-def]
    """The first rows as they would be stored with this mapping, and the whole file's report."""
    data = json_body()
    out = staging.preview(db(), actor=actor(), incident_id=incident_id, stage_id=stage_id,
                          mapping=data.get("mapping"), locale=locale_code())
    db().commit()  # the latest report is kept for its XLSX download
    return jsonify(out)


@imports.post("/stages/<int:stage_id>/confirm")
def confirm_upload(incident_id: int, stage_id: int):  # type: ignore[no-untyped-def]
    """Store the valid rows with this mapping (one timeline event); optionally save the mapping."""
    data = json_body()
    report = staging.confirm(db(), actor=actor(), incident_id=incident_id, stage_id=stage_id,
                             mapping=data.get("mapping"), mode=data.get("mode", "skip_invalid"),
                             save=data.get("save_mapping", False), locale=locale_code())
    db().commit()
    return jsonify(report.to_dict() | {"stage_id": stage_id}), 201


@imports.get("/stages/<int:stage_id>/report.xlsx")
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


@imports.get("/mapping")
def saved_mapping(incident_id: int):  # type: ignore[no-untyped-def]
    """The column mapping saved for this incident (proposed for its next files), or null."""
    from incident import service
    from incident.access.permissions import Action
    service.load_for(db(), actor(), incident_id, Action.CLAIMANT_EDIT)
    return jsonify({"mapping": m.saved(db(), incident_id)})


# -- OpenAPI
MAPPING = {"type": "object", "description": "field → list of column headers (several are combined)",
           "properties": {f: array(STR) for f in m.FIELDS}}
_ROW_ERR = obj(field=STR, reason=STR, message=STR)
IMPORT_REPORT_V2 = obj(mode=STR, filename=STR, rows=INT, valid=INT, stored=INT, skipped=INT, bad_rows=INT,
             errors=array(obj(row=INT, field=STR, reason=STR, message=STR, message_local=STR)),
             attribute_columns=array(STR), blank_rows=array(INT), mapping=MAPPING)
PREVIEW = obj(mapping=MAPPING, preview=array({"type": "object", "properties": {
    "row": INT, "name": STR, "unit": STR, "segment": STR, "phone": STR, "id_number": STR, "attributes": ANY_OBJ,
    "errors": array(_ROW_ERR)}}), summary=null(ANY_OBJ))
register("claimant_import.stage_upload", media=MULTIPART, body=upload() | {"description": ".csv or .xlsx; limits in "
         "docs/crowd.md"}, responses={201: obj({"missing": array(STR)}, stage_id=INT, filename=STR, rows=INT,
                                              columns=array(STR), fields=array(STR), required=array(STR),
                                              mapping_source={"enum": ["saved", "proposed"]}, expires_at=TIME,
                                              samples=ANY_OBJ, **PREVIEW["properties"])})
register("claimant_import.preview_upload", body={"type": "object", "required": ["mapping"], "properties": {
    "mapping": MAPPING}}, responses={200: obj(stage_id=INT, **PREVIEW["properties"])})
register("claimant_import.confirm_upload", body={"type": "object", "required": ["mapping"], "properties": {
    "mapping": MAPPING, "mode": {"enum": ["all_or_nothing", "skip_invalid"]}, "save_mapping": BOOL}},
    responses={201: obj(stage_id=INT, **IMPORT_REPORT_V2["properties"])})
register("claimant_import.report_xlsx", responses={200: file(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description="the import report")})
register("claimant_import.saved_mapping", responses={200: obj(mapping=null(MAPPING))})


def _section(session: Any, a: Actor, inc: Incident, can: dict[str, bool]) -> dict[str, Any]:
    return {"view": crowd_view(session, inc), "can_edit": can.get(Action.CLAIMANT_EDIT.value, False),
            "can_reveal": can.get(Action.CONTACT_REVEAL.value, False),
            "can_represent": can.get(Action.REPRESENTATIVE_EDIT.value, False)}


register_section(Section("crowd", "sections/crowd.html", _section, order=40, script="crowd.js"))
