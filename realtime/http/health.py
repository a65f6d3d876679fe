"""Liveness and readiness."""
from flask import Blueprint, jsonify
from sqlalchemy import text

from realtime.dbsession import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    try:
        db().execute(text("SELECT 1"))
        ok = True
    except Exception:  # report, don't crash: this endpoint exists to say what is wrong
        ok = False
    return jsonify({"status": "ok" if ok else "degraded", "database": ok}), (200 if ok else 503)
