"""The settlement ledger over HTTP: obligations and their stage, payments with proof or a 收条 signed on
the pad, waivers, the reconciliation (JSON, CSV, XLSX) and the ledger section of the incident page."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from flask_babel import get_locale

from exports.ledger import receipt, sheet
from incident import attachments, service
from incident.access.permissions import Action
from incident.errors import NotFound
from incident.ledger import queries
from incident.ledger import service as ledger
from incident.ledger.models import LedgerEntry, Method
from incident.models import Incident
from realtime.auth import actor
from realtime.dbsession import db
from realtime.http.params import json_body
from realtime.http.serialize import inline_file
from realtime.openapi import ANY_OBJ, INT, MULTIPART, STR, TIME, array, file, null, obj, register, upload
from realtime.sections import Section, register_section, render_section

bp = Blueprint("ledger", __name__)
API = "/api/v1/incidents/<int:incident_id>/ledger"
ITEM = API + "/items/<int:item_id>"


def _locale() -> str:
    return str(get_locale() or "zh_CN")


def _overview(session: Any, incident_id: int) -> dict[str, Any]:
    return {"obligations": [o.to_dict() for o in queries.obligations(session, incident_id)],
            "reconciliation": queries.reconciliation(session, incident_id), "methods": [m.value for m in Method]}


@bp.get(API)
def overview(incident_id: int):  # type: ignore[no-untyped-def]
    """Every agreed payment with its stage and entries, and the reconciliation per segment and kind."""
    inc = service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    return jsonify(_overview(db(), inc.id))


@bp.get(API + ".csv")
def export_csv(incident_id: int):  # type: ignore[no-untyped-def]
    """The ledger and its reconciliation as CSV (formula-safe cells)."""
    inc = service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    return Response(sheet.csv_bytes(db(), inc.id, _locale()), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename=ledger-{inc.ref}.csv"})


@bp.get(API + ".xlsx")
def export_xlsx(incident_id: int):  # type: ignore[no-untyped-def]
    """The ledger and its reconciliation as XLSX (two sheets, formula-safe cells)."""
    inc = service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    return Response(sheet.xlsx_bytes(db(), inc.id, _locale()),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=ledger-{inc.ref}.xlsx"})


@bp.post(ITEM + "/payments")
def record_payment(incident_id: int, item_id: int):  # type: ignore[no-untyped-def]
    """Record a payment with its proof (multipart: file, amount, method, paid_on, reference)."""
    f = request.files.get("file")
    proof = (f.filename or "", f.mimetype or "", f.read()) if f is not None else None
    data = {k: request.form.get(k) for k in ("amount", "method", "paid_on", "reference")}
    entry = ledger.record_payment(db(), actor=actor(), incident_id=incident_id, item_id=item_id, data=data,
                                  proof=proof)
    db().commit()
    return jsonify(entry.to_dict()), 201


@bp.post(ITEM + "/receipt")
def record_receipt(incident_id: int, item_id: int):  # type: ignore[no-untyped-def]
    """Record a payment whose proof is a 收条 generated now and signed on the pad by the claimant."""
    data = json_body()
    entry = receipt.record_with_receipt(db(), actor=actor(), incident_id=incident_id, item_id=item_id,
                                        data=data, signature=data.get("signature"),
                                        org_name=current_app.extensions["concord.settings"].org_name,
                                        locale=_locale())
    db().commit()
    return jsonify(entry.to_dict()), 201


@bp.post(ITEM + "/waive")
def waive(incident_id: int, item_id: int):  # type: ignore[no-untyped-def]
    """Waive what is still owed on an agreed item, with the reason."""
    entry = ledger.waive(db(), actor=actor(), incident_id=incident_id, item_id=item_id,
                         reason=json_body().get("reason"))
    db().commit()
    return jsonify(entry.to_dict()), 201


@bp.get(API + "/entries/<int:entry_id>/proof")
def proof(incident_id: int, entry_id: int):  # type: ignore[no-untyped-def]
    """Download a payment's proof (the bank receipt or the signed 收条), checked against its hash."""
    inc = service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    entry = db().get(LedgerEntry, entry_id)
    if entry is None or entry.incident_id != inc.id or entry.proof_attachment_id is None:
        raise NotFound("no such payment proof", field="entry_id")
    return inline_file(*attachments.read(db(), entry.proof_attachment_id, inc.id))


SECTION_ROWS = 200


def _provider(session: Any, a: Any, inc: Incident, can: dict[str, bool]) -> dict[str, Any]:
    data = _overview(session, inc.id)
    data["total_rows"] = len(data["obligations"])
    data["obligations"] = data["obligations"][:SECTION_ROWS]
    return data


@bp.get("/incidents/<int:incident_id>/sections/ledger")
def fragment(incident_id: int):  # type: ignore[no-untyped-def]
    """The ledger section alone, re-fetched by ledger.js when a ledger or demand event arrives."""
    return render_section(incident_id, "ledger")


register_section(Section("ledger", "sections/ledger.html", _provider, order=52, script="ledger.js"))



# -- OpenAPI
MONEY = {"type": "string", "pattern": r"^\d+(\.\d{1,2})?$", "description": "CNY, decimal string"}
DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "description": "YYYY-MM-DD (local date)"}
METHOD = {"enum": [m.value for m in Method]}
ENTRY = obj(id=INT, item_id=INT, claimant_id=INT, kind=STR, entry={"enum": ["payment", "waiver"]}, amount=STR,
            paid_on=STR, method=STR, reference=STR, proof_kind=STR, proof_attachment_id=null(INT), proof_sha256=STR,
            reason=STR, recorded_at=TIME, recorded_by=STR)
OBLIGATION = obj(item_id=INT, claimant_id=INT, claimant_name=STR, segment=STR,
                 kind={"enum": list(queries.KINDS)}, agreed=STR, paid=STR, waived=STR, outstanding=STR,
                 stage={"enum": list(queries.STAGES)}, deadline=null(TIME), entries=array(ENTRY))
BUCKET = obj(agreed=STR, paid=STR, waived=STR, outstanding=STR, items=INT, settled=INT)
KINDS = obj(**{k: BUCKET for k in queries.KINDS})
RECON = obj(incident=KINDS, segments=array(obj(segment=STR, kinds=KINDS)), stages=ANY_OBJ)
register("ledger.overview", responses={200: obj(obligations=array(OBLIGATION), reconciliation=RECON,
                                                  methods=array(STR))})
register("ledger.export_csv", responses={200: file("text/csv", description="payments, then the reconciliation")})
register("ledger.export_xlsx", responses={200: file(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description="payments and reconciliation")})
register("ledger.record_payment", media=MULTIPART, body=upload(("file", "amount", "method"), amount=MONEY,
                                                               method=METHOD, paid_on=DATE, reference=STR),
         responses={201: ENTRY})
register("ledger.record_receipt", body={"type": "object", "required": ["amount", "method", "signature"], "properties": {
    "amount": MONEY, "method": METHOD, "paid_on": DATE, "reference": STR,
    "signature": {"type": "object", "description": "the pad: {width, height, strokes: [[{x, y}, …], …]}"}}},
    responses={201: ENTRY})
register("ledger.waive", body={"type": "object", "required": ["reason"], "properties": {"reason": STR}},
         responses={201: ENTRY})
register("ledger.proof", responses={200: file("image/png", "image/jpeg", "application/pdf",
                                              description="the proof, as uploaded or generated")})
