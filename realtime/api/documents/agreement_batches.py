"""Agreement batches over HTTP: start (generate or seal a segment), progress with per-document
outcomes, cancel, resume an interrupted batch, abandon it.

A batch runs in a thread of this server process (sealing on a process pool whose workers never
touch the database); the batch row and its document rows are the durable state, so a crash only
interrupts it (see exports.signing.batches).
"""
from __future__ import annotations

import threading
from typing import Any

from flask import Blueprint, current_app, jsonify
from flask_babel import gettext
from sqlalchemy.orm import Session

from exports.agreements.models import AgreementBatch, AgreementBatchItem
from exports.signing import batch_runner, batches
from exports.signing import service as sealing
from incident import service as incidents
from incident.access.permissions import Action
from incident.labels import LABELS, label
from realtime.api.accounts import confirm
from realtime.auth import actor
from realtime.dbsession import db
from realtime.http.params import json_body
from realtime.openapi import ANY_OBJ, BOOL, INT, STR, TIME, array, null, obj, register

bp = Blueprint("agreement_batches", __name__, url_prefix="/api/v1")


def reason_text(item: AgreementBatchItem) -> str:
    """Why a document failed, in the request's language (statuses named by their labels)."""
    if not item.reason:
        return ""
    args = dict(item.reason_args or {})
    if "status" in args:
        args["status"] = label(gettext, "agreement_status", str(args["status"]))
    text = gettext(LABELS["batch_reason"].get(item.reason, item.reason))
    try:
        return text % args if "%(" in text else text
    except (KeyError, ValueError, TypeError):
        return text


def view(session: Session, b: AgreementBatch) -> dict[str, Any]:
    """The batch with its documents' outcomes, statuses localized (for the API and the page)."""
    stale = b.status == batches.RUNNING and batches.owner_gone(b)
    return b.to_dict() | {
        "status_label": label(gettext, "batch_status", b.status), "kind_label": label(gettext, "batch_kind", b.kind),
        "not_responding": stale, "can_resume": b.status == "interrupted", "finished": b.status != "running",
        "items": [{"id": i.id, "label": i.label, "status": i.status,
                   "status_label": label(gettext, "batch_item_status", i.status),
                   "reason": reason_text(i), "agreement_id": i.agreement_id,
                   "claimant_id": i.claimant_id} for i in batches.items(session, b.id)]}


def _launch(b: AgreementBatch) -> None:
    factory, settings, who = current_app.extensions["concord.sessions"], current_app.extensions[
        "concord.settings"], actor()
    threading.Thread(target=batch_runner.run, args=(factory, b.id, who, settings), daemon=True,
                     name=f"agreement-batch-{b.id}").start()


@bp.post("/incidents/<int:incident_id>/agreement-batches")
def start_batch(incident_id: int):  # type: ignore[no-untyped-def]
    """Generate (draft + submit) or seal the agreements of a segment, in the background."""
    data = json_body()
    proof = None
    if data.get("kind") == "seal":
        incidents.load_for(db(), actor(), incident_id, Action.AGREEMENT_SEAL)  # 403 names legal
        sealing.sealer_for(current_app.extensions["concord.settings"])  # no certificate: 409 before any row
        proof = confirm(data)  # -- accounts (issue 10): sealing re-authenticates (password or TOTP)
    b = batches.start(db(), actor=actor(), incident_id=incident_id, kind=data.get("kind"),
                      segment=data.get("segment", ""), data=data, proof=proof)
    db().commit()
    _launch(b)
    return jsonify(view(db(), b)), 202


def _batch(batch_id: int) -> AgreementBatch:
    b = batches.get(db(), batch_id)
    incidents.load_for(db(), actor(), b.incident_id, Action.INCIDENT_VIEW)
    return b


@bp.get("/agreement-batches/<int:batch_id>")
def get_batch(batch_id: int):  # type: ignore[no-untyped-def]
    """Progress of a batch, with every document's outcome."""
    b = _batch(batch_id)
    return jsonify(view(db(), b))


@bp.post("/agreement-batches/<int:batch_id>/cancel")
def cancel_batch(batch_id: int):  # type: ignore[no-untyped-def]
    """Stop a running batch within seconds (documents already done stay done)."""
    b = batches.cancel(db(), actor=actor(), batch_id=batch_id)
    db().commit()
    return jsonify(view(db(), b))


@bp.post("/agreement-batches/<int:batch_id>/resume")
def resume_batch(batch_id: int):  # type: ignore[no-untyped-def]
    """Continue an interrupted batch with its pending documents, in this server process."""
    b = batches.get(db(), batch_id)
    proof = None
    if b.kind == "seal":
        incidents.load_for(db(), actor(), b.incident_id, Action.AGREEMENT_SEAL)  # 403 names legal first
        sealing.sealer_for(current_app.extensions["concord.settings"])
        proof = confirm(json_body())  # resuming a seal batch seals again: re-authenticate
    b = batches.resume(db(), actor=actor(), batch_id=batch_id, proof=proof)
    db().commit()
    _launch(b)
    return jsonify(view(db(), b)), 202


@bp.post("/agreement-batches/<int:batch_id>/abandon")
def abandon_batch(batch_id: int):  # type: ignore[no-untyped-def]
    """Give an interrupted batch up (its pending documents are left for a new batch)."""
    b = batches.abandon(db(), actor=actor(), batch_id=batch_id)
    db().commit()
    return jsonify(view(db(), b))


BATCH = obj(id=INT, incident_id=INT, kind={"enum": ["generate", "seal"]}, segment=STR, status=STR, total=INT, done=INT,
            failed=INT, pending=INT, cancel_requested=BOOL, started_at=TIME, finished_at=null(TIME),
            heartbeat_at=null(TIME), error=STR, status_label=STR, kind_label=STR, not_responding=BOOL,
            can_resume=BOOL, finished=BOOL,
            items=array(obj(id=INT, label=STR, status={"enum": ["pending", "done", "failed"]}, status_label=STR,
                            reason=STR, agreement_id=null(INT), claimant_id=null(INT))))
SECRET = {"password": STR | {"description": "kind seal: the legal user's password, entered again"},
          "code": STR | {"description": "kind seal: the current TOTP code (users with two-factor)"}}
register("agreement_batches.start_batch", body={"type": "object", "required": ["kind"], "properties": {
    "kind": {"enum": ["generate", "seal"]}, "segment": STR, "items": array(ANY_OBJ),
    "locale": {"enum": ["zh_CN", "en"]}, "facts": STR, **SECRET}}, responses={202: BATCH})
register("agreement_batches.get_batch", responses={200: BATCH})
register("agreement_batches.cancel_batch", body={"type": "object", "properties": {}}, responses={200: BATCH})
register("agreement_batches.resume_batch", body={"type": "object", "properties": SECRET,
                                                 "description": "a seal batch needs the password or code again"},
         responses={202: BATCH})
register("agreement_batches.abandon_batch", body={"type": "object", "properties": {}}, responses={200: BATCH})
