"""Map domain errors onto HTTP: a JSON body {error, field, message} for the API, a page otherwise."""
from __future__ import annotations

import errno
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from incident.db import is_lock_error
from incident.errors import (Busy, Conflict, DomainError, Forbidden, NotFound, StorageFull, Throttled,
                             Unauthenticated, Unavailable, ValidationError)
from incident.labels import field_label
from realtime.security.recorder import note_error

STATUS = {ValidationError: 400, Unauthenticated: 401, Forbidden: 403, NotFound: 404, Conflict: 409,
          Throttled: 429,
          Busy: 503,  # one writer at a time (issue 17): a lock wait past busy_timeout, never a 500
          StorageFull: 507, Unavailable: 503}  # resource faults (issue 17)
BUSY_RETRY_AFTER = 2  # seconds


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.is_json or \
        request.accept_mimetypes.best == "application/json"


def localized(err: DomainError) -> str:
    """The error in the request's language, naming the field in that language too."""
    from flask_babel import gettext
    return err.localized(gettext, field_label(gettext, err.field))


def error_body(err: DomainError) -> dict[str, Any]:
    """JSON error: English message for clients, plus message_local in the user's language."""
    body: dict[str, Any] = {"error": err.code, "field": err.field, "message": err.message}
    try:
        local = localized(err)
    except RuntimeError:  # outside a request
        local = err.message
    if local != err.message:
        body["message_local"] = local
    body.update({k: v for k, v in err.details.items() if k not in body})
    return body


def status_of(err: DomainError) -> int:
    for cls, code in STATUS.items():
        if isinstance(err, cls):
            return code
    return 400


# Pages a complainant opens without an account: their errors keep the public look and lead back to /p
# (the staff page would offer "back to the incident list", a login page for them).
PUBLIC_PAGE_ENDPOINTS = ("public_pages.", "verify.")


def error_page(status: int, message: str, field: str | None, *, expired: bool = False,
               generic: bool = False) -> str:
    """The HTML error page: the public one on the complainants' pages, the staff one elsewhere."""
    if (request.endpoint or "").startswith(PUBLIC_PAGE_ENDPOINTS) or request.path.startswith("/p/"):
        if generic:  # Werkzeug's own words are English and technical
            message = gettext("This page does not exist. Check the address.") if status == 404 else \
                gettext("This did not work. Go back to the progress page and try again.")
        if expired:  # the anonymous session's form token is gone (cookies cleared, an old tab)
            message = gettext("This page had expired. Go back, reload it and send again.")
        return render_template("public/error.html", status=status, message=message)
    return render_template("error.html", status=status, message=message, field=field)


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(err: DomainError):  # type: ignore[no-untyped-def]
        status = status_of(err)
        note_error(err, status)  # -- security log (issue 10)
        headers = {}
        if isinstance(err, (Throttled, Busy, Unavailable)):
            headers["Retry-After"] = str(err.details.get("retry_after", 60))
        if wants_json():
            return jsonify(error_body(err)), status, headers
        return error_page(status, localized(err), field_label(gettext, err.field),
                          expired=err.field == "csrf_token"), status, headers

    @app.errorhandler(OperationalError)
    def _operational(err: OperationalError):  # type: ignore[no-untyped-def]
        fault = resource_fault(err)  # -- resource faults (issue 17)
        if fault is not None:
            return _domain(fault)
        if not is_lock_error(err):
            raise err  # not ours to answer: Flask's 500 handling (and its log) as before
        return _domain(Busy("the database is busy with other changes; try again in a moment",
                            field=None, retry_after=BUSY_RETRY_AFTER))

    @app.errorhandler(OSError)
    def _os_error(err: OSError):  # type: ignore[no-untyped-def]
        from incident.attachments.files import storage_error  # -- resource faults (issue 17)
        fault = storage_error(err) if err.errno in STORAGE_ERRNOS else None  # a missing template stays a 500
        if not isinstance(fault, DomainError):
            raise err
        return _domain(fault)

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):  # type: ignore[no-untyped-def]
        if wants_json():
            return jsonify({"error": err.name.lower().replace(" ", "_"), "field": None,
                            "message": err.description}), err.code
        return error_page(err.code or 500, err.description or "", None, generic=True), err.code


# -- resource faults (issue 17)
STORAGE_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EROFS}
DISK_FULL = ("database or disk is full", "no space left on device", "disk quota exceeded")


def resource_fault(err: BaseException) -> DomainError | None:
    """The domain error for a database failure caused by a resource, not by the request: the disk
    holding SQLite is full (507), the connection was lost mid-transaction (503; PostgreSQL
    terminated it, the server restarted) or SQLite cannot write its files (503)."""
    from sqlalchemy.exc import DBAPIError
    text = str(getattr(err, "orig", err)).lower()
    if any(t in text for t in DISK_FULL):
        return StorageFull("the server's storage is full: nothing was saved; ask the administrator "
                           "to free space", field=None)
    if isinstance(err, DBAPIError) and err.connection_invalidated or "terminating connection" in text \
            or "server closed the connection" in text or "connection is closed" in text \
            or "attempt to write a readonly database" in text or "unable to open database" in text:
        return Unavailable("the database connection was lost or cannot be written: nothing was saved; "
                           "try again in a moment", field=None, retry_after=BUSY_RETRY_AFTER)
    return None
