"""What the public pages and the public API share: a code → the projection, and its bookkeeping."""
from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext

from exports.signing import public_report
from incident.db import quick_write
from incident.labels import label
from incident.public import lookup, projection, survey
from incident.public.models import CodeKind, PublicCode
from realtime.dbsession import db


def progress(code: Any) -> tuple[PublicCode, dict[str, Any]]:
    """The live code row and everything it may show (NotFound for an unknown or revoked code)."""
    row = lookup.resolve(db(), code)
    out: dict[str, Any] = {"kind": row.kind, **projection.incident_view(db(), row.incident_id, gettext)}
    if row.kind == CodeKind.CLAIMANT.value and row.claimant_id is not None:
        ag = public_report.for_claimant(db(), row.incident_id, row.claimant_id)
        status = public_report.claimant_status(ag)
        done = survey.answered(db(), row.claimant_id)
        out["claimant"] = projection.claimant_view(db(), row.claimant_id, gettext) | {
            "agreement": None if ag is None else {
                "ref": ag.ref, "status": status, "status_text": label(gettext, "public_agreement", status),
                "sealed_at": ag.sealed_at.isoformat() if ag.sealed_at else None,
                "downloadable": public_report.sealed_copy_exists(ag)},
            "survey": {"open": out["stage"]["index"] >= 4 and not done, "answered": done}}
    return row, out


def opened(code_id: int) -> None:
    """Record "last opened" in its own short write (a GET never writes in its own transaction)."""
    db().rollback()
    engine = current_app.extensions["concord.engine"]
    quick_write(engine, lambda s: lookup.touch(s, code_id), wait=0.5)
