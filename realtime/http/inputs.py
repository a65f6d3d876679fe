"""Input bounds applied to every request before a view sees it: no input may cause a 5xx.

- **Ids in paths** (`<int:...>`): the app's `int` converter only matches 0 … 2**31-1 — the range of
  an INTEGER primary key on PostgreSQL (SQLite would overflow at 2**63). A larger id matches no
  route: 404, never an overflow in the database driver.
- **JSON bodies**: malformed JSON, or JSON nested deeper than `MAX_JSON_DEPTH`, is a 400 naming the
  body (the stdlib parser raises RecursionError at ~1,000 levels: that used to be a 500 even before
  login); every whole number must lie in `INT_MIN … INT_MAX` (a 32-bit column's range: ids,
  versions, counts), every number must be finite, no string may contain NUL (PostgreSQL refuses
  it in text).
- **Query strings and forms**: no NUL anywhere; no control character (CR, LF, TAB …) in a redirect
  target (`next`), which would otherwise end in a header-injection error inside `redirect()`.
  Where `next` may point is decided by the redirect check itself; this module only makes sure
  nothing raises.
"""
from __future__ import annotations

import math
import re
from typing import Any

from flask import Flask, Request, request
from werkzeug.routing import IntegerConverter

from incident.errors import ValidationError

ID_MAX = 2**31 - 1
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
MAX_JSON_DEPTH = 32
REDIRECT_ARGS = ("next",)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL (PostgreSQL text), lone surrogates (UTF-8)


class BoundedInt(IntegerConverter):
    """`<int:...>` limited to the ids the database can hold (0 … 2**31-1)."""

    def __init__(self, map: Any, fixed_digits: int = 0, min: int | None = 0,  # noqa: A002
                 max: int | None = ID_MAX, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max if max is not None else ID_MAX,
                         signed=signed)
        self.regex = r"\d{1,10}"  # longer digit runs cannot be in range: refuse them before int()


class BoundedRequest(Request):
    """Request whose JSON parsing never raises anything but a 400 naming the body."""

    json_too_deep = False

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        if not self.json_too_deep:
            try:
                return super().get_json(force=force, silent=silent, cache=cache)
            except RecursionError:
                self.json_too_deep = True  # remembered: the body is not parsed a second time
        if silent:
            return None
        raise too_deep()

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if e is None:
            return super().on_json_loading_failed(e)  # not JSON at all: 415 from Flask
        raise ValidationError("the request body is not valid JSON", field="body", reason="malformed")


def parse_int(raw: str | None) -> int | None:
    """A whole number typed by a user (ASCII digits, optional sign), or None; never raises."""
    text = (raw or "").strip()
    if not re.fullmatch(r"[+-]?[0-9]{1,12}", text):
        return None
    return int(text)


def too_deep() -> ValidationError:
    return ValidationError("the request body is nested more than %(max)s levels deep", field="body",
                           max=MAX_JSON_DEPTH, reason="too_deep")


def check_json(data: Any) -> None:
    """Refuse a parsed JSON value that is too deep, or holds an out-of-range number or a NUL."""
    stack: list[tuple[Any, int, str | None]] = [(data, 0, None)]
    while stack:
        value, depth, field = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise too_deep()
        if isinstance(value, dict):
            for k, v in value.items():
                if _UNSTORABLE.search(k):
                    raise unstorable(field or "body")
                stack.append((v, depth + 1, field or k))
        elif isinstance(value, list):
            stack.extend((v, depth + 1, field) for v in value)
        elif isinstance(value, bool) or value is None:
            continue
        elif isinstance(value, int):
            if not INT_MIN <= value <= INT_MAX:
                raise ValidationError("%(field)s: whole numbers must lie between %(lo)s and %(hi)s",
                                      field=field or "body", lo=INT_MIN, hi=INT_MAX, reason="out_of_range")
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise ValidationError("%(field)s must be a finite number", field=field or "body",
                                      reason="out_of_range")
        elif isinstance(value, str) and _UNSTORABLE.search(value):
            raise unstorable(field or "body")


def unstorable(field: str) -> ValidationError:
    return ValidationError("%(field)s contains a character that cannot be stored (NUL or a lone surrogate)",
                           field=field, reason="unstorable")


def _check_text(name: str | None, value: str | None) -> None:
    name, value = name or "", value or ""  # a multipart part may come without a usable name
    if name in REDIRECT_ARGS and _CONTROL.search(value):
        raise ValidationError("%(field)s must not contain control characters", field=name, reason="unsafe")
    if _UNSTORABLE.search(name):
        raise unstorable("body")
    if _UNSTORABLE.search(value):
        raise unstorable(name)


def check_request() -> None:
    """before_request: query string, form fields and upload names free of NUL; `next` of controls."""
    for name, value in request.args.items(multi=True):
        _check_text(name, value)
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        for name, value in request.form.items(multi=True):
            _check_text(name, value)
        for name, f in request.files.items(multi=True):
            _check_text("file", f.filename or "")


def register(app: Flask) -> None:
    """Install the bounded converter and request class (before any route is added) and the check."""
    app.url_map.converters["int"] = BoundedInt
    app.request_class = BoundedRequest
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)
