"""Map domain errors onto HTTP: a JSON body {error, field, message} for the API, a page otherwise."""
from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from incident.db import is_lock_error
from incident.errors import (Busy, Conflict, DomainError, Forbidden, NotFound, Throttled, Unauthenticated,
                             ValidationError)
from incident.labels import field_label
from realtime.security.recorder import note_error

STATUS = {ValidationError: 400, Unauthenticated: 401, Forbidden: 403, NotFound: 404, Conflict: 409,
          Throttled: 429,
          Busy: 503}  # one writer at a time (issue 17): a lock wait past busy_timeout, never a 500
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


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(err: DomainError):  # type: ignore[no-untyped-def]
        status = status_of(err)
        note_error(err, status)  # -- security log (issue 10)
        headers = {}
        if isinstance(err, (Throttled, Busy)):
            headers["Retry-After"] = str(err.details.get("retry_after", 60))
        if wants_json():
            return jsonify(error_body(err)), status, headers
        return render_template("error.html", status=status, message=localized(err),
                               field=field_label(gettext, err.field)), status, headers

    @app.errorhandler(OperationalError)
    def _operational(err: OperationalError):  # type: ignore[no-untyped-def]
        if not is_lock_error(err):
            raise err  # not ours to answer: Flask's 500 handling (and its log) as before
        return _domain(Busy("the database is busy with other changes; try again in a moment",
                            field=None, retry_after=BUSY_RETRY_AFTER))

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):  # type: ignore[no-untyped-def]
        if wants_json():
            return jsonify({"error": err.name.lower().replace(" ", "_"), "field": None,
                            "message": err.description}), err.code
        return render_template("error.html", status=err.code, message=err.description, field=None), \
            err.code
