"""Liveness (/healthz: cheap, the process answers) and readiness (/readyz: can it do its work)."""
import os
import shutil

from flask import Blueprint, current_app, jsonify
from sqlalchemy import select, text

from incident import clock
from realtime.dbsession import db

bp = Blueprint("health", __name__)
MIN_FREE_MB = 100  # readiness wants at least this much free disk in the instance folder (CONCORD_MIN_FREE_MB)


def _database() -> bool:
    try:
        db().execute(text("SELECT 1"))
        return True
    except Exception:  # report, don't crash: this endpoint exists to say what is wrong
        db().rollback()
        return False


def _presence_mode() -> str:
    """"redis", "process" (Redis configured but unreachable: this server only) or "none" (no Redis
    configured). Never waits: the state the presence store saw last."""
    store = current_app.extensions.get("concord.presence")
    mode = getattr(store, "mode", None)
    return mode or "none"


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    ok = _database()
    body = {"status": "ok" if ok else "degraded", "database": ok}
    # -- resource faults (issue 17): with Redis unreachable, joins and presence serve from this process
    mode = _presence_mode()
    if mode != "none":
        body["redis"] = mode == "redis"
        body["presence"] = mode
        if mode != "redis":
            body["status"] = "degraded"
    return jsonify(body), (200 if ok else 503)


# -- resource faults (issue 17): readiness
def _redis() -> bool | None:
    store = current_app.extensions.get("concord.presence")
    if not hasattr(store, "check"):
        return None  # no Redis configured
    return bool(store.check(force=True))


def _disk() -> dict[str, object]:
    settings = current_app.extensions["concord.settings"]
    try:
        minimum = int(os.environ.get("CONCORD_MIN_FREE_MB") or MIN_FREE_MB)
    except ValueError:
        minimum = MIN_FREE_MB
    try:
        free = shutil.disk_usage(settings.instance).free // (1024 * 1024)
        writable = os.access(settings.instance, os.W_OK) and not _read_only(settings.instance)
    except OSError:
        return {"ok": False, "free_mb": 0, "min_free_mb": minimum, "writable": False}
    return {"ok": free >= minimum and writable, "free_mb": free, "min_free_mb": minimum, "writable": writable}


def _read_only(path) -> bool:  # type: ignore[no-untyped-def]
    return bool(os.statvfs(path).f_flag & os.ST_RDONLY)


def _lease() -> dict[str, object] | None:
    from playbooks.models import SchedulerLease
    try:
        row = db().scalars(select(SchedulerLease).where(SchedulerLease.name == "scheduler")).first()
    except Exception:
        db().rollback()
        return None
    if row is None:
        return {"holder": None, "active": False}
    return {"holder": row.holder, "active": row.expires_at > clock.now(), "expires_at": row.expires_at.isoformat()}


@bp.get("/readyz")
def readyz():  # type: ignore[no-untyped-def]
    """Ready when the database answers, Redis (if configured) answers and the instance folder has
    room; the scheduler lease is reported (who fires deadlines), not required."""
    database, redis, disk = _database(), _redis(), _disk()
    ready = database and redis is not False and bool(disk["ok"])
    body = {"status": "ready" if ready else "not_ready", "database": database, "redis": redis,
            "disk": disk, "scheduler": _lease() if database else None}
    return jsonify(body), (200 if ready else 503)
