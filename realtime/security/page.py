"""/admin/security: the security log for admins, filtered by kind, user and time range (display zone)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template, request

from incident.access.permissions import Action, require
from incident.errors import ValidationError
from incident.security import queries
from incident.security.log import Kind
from realtime.auth import actor
from realtime.dbsession import db

bp = Blueprint("security_pages", __name__)


def _day(name: str, zone: ZoneInfo) -> datetime | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return datetime.combine(date.fromisoformat(raw), time(0), zone)
    except ValueError:
        raise ValidationError("%(field)s must be a date like 2026-11-27", field=name) from None


def _int(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 10 or int(raw) >= 2**31:
        raise ValidationError("%(field)s must be a whole number", field=name)
    return int(raw)


def _filters() -> dict[str, Any]:
    zone = ZoneInfo(current_app.extensions["concord.settings"].timezone)
    kind = request.args.get("kind", "").strip() or None
    if kind is not None and kind not in Kind.__members__.values():
        raise ValidationError("unknown kind of security event", field="kind")
    until = _day("until", zone)
    return {"kind": kind, "user_id": _int("user"), "since": _day("since", zone),
            "until": until + timedelta(days=1) if until else None,  # the whole last day
            "before_id": _int("before")}


@bp.get("/admin/security")
def security_log():  # type: ignore[no-untyped-def]
    require(db(), actor(), Action.SECURITY_VIEW)
    error, rows, status = None, [], 200
    try:
        rows = queries.listing(db(), **_filters())
    except ValidationError as err:
        error, status = err, 400
    return render_template("admin_security.html", rows=rows, error=error, kinds=list(Kind),
                           users=queries.users(db()), args=request.args, page=queries.PAGE), status
