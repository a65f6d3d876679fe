"""OpenAPI 3.1 document built from the URL map, so no route goes undocumented.

Each feature module describes its own operations next to its routes:

    register(endpoint, body=schema, media="multipart/form-data", query={"limit": INT},
             responses={200: schema, 409: None})

- `body`: the request body (`register_body(endpoint, schema)` is the older spelling, still used);
  `media` "application/json" (default) or "multipart/form-data"; several media types as a mapping.
- `query`: query parameters, name → schema (add "required": True inside to require one).
- `responses`: status → JSON schema, `file(...)` for a download, or None for "an Error body".
  The error statuses every operation can answer are added from what it is (see `_errors`): 401 without
  a session, 403 where a permission applies, 404 with a path id, 400 with a body or query, 409 for a
  state change, 413 over the upload limit.

The document is public (it holds no data): `api.openapi` is one of realtime.auth's public endpoints.
tests/test_openapi.py checks that every operation is described; tests/test_fuzz_api.py runs
schemathesis over it against the app.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from flask import current_app

ID_MAX = 2**31 - 1  # realtime.http.inputs: the int converter's upper bound
JSON = "application/json"
MULTIPART = "multipart/form-data"

# -- schema helpers (small, so each feature's description stays readable)
STR: dict[str, Any] = {"type": "string"}
INT: dict[str, Any] = {"type": "integer"}
BOOL: dict[str, Any] = {"type": "boolean"}
TIME: dict[str, Any] = {"type": "string", "format": "date-time"}
ANY_OBJ: dict[str, Any] = {"type": "object"}
ID: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": ID_MAX}
VERSION: dict[str, Any] = {"type": "integer", "description": "the version you last read; stale → 409"}


def null(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The schema, or JSON null."""
    return {"anyOf": [dict(schema), {"type": "null"}]}


def array(items: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": dict(items)}


def obj(optional: Mapping[str, Any] | None = None, /, **props: Any) -> dict[str, Any]:
    """An object whose keyword properties are always present, plus optional ones."""
    return {"type": "object", "required": sorted(props), "properties": props | dict(optional or {})}


def file(*media: str, description: str = "the file") -> dict[str, Any]:
    """A download response (not JSON)."""
    return {"description": description, "content": {m: {"schema": {"type": "string", "format": "binary"}}
                                                    for m in media}}


def upload(required: tuple[str, ...] = ("file",), **fields: Any) -> dict[str, Any]:
    """A multipart body: a binary `file` and the given text fields."""
    props = {"file": {"type": "string", "format": "binary"}} | fields
    return {"type": "object", "required": list(required), "properties": props}


ERROR = {"type": "object", "required": ["error", "field", "message"],
         "properties": {"error": STR, "field": null(STR), "message": STR,
                        "message_local": {"type": "string", "description": "the message in the user's language"}},
         "description": "error naming the field; some carry details (reason, limits, an import report)"}
INTAKE_FIELDS = {
    "title": {"type": "string", "maxLength": 200},
    "core_demand": {"type": "string", "maxLength": 2000, "description": "in the complainants' words"},
    "headcount": {"type": "integer", "minimum": 1},
    "scope_text": {"type": "string", "description": "e.g. building 3-5, 86 households"},
    "channel": {"enum": ["on_site", "phone", "online", "letter"]},
    "complaint_object": {"enum": ["goods", "service", "environment", "other"]},
    "contacts": {"type": "array", "description": "for official communication only",
                 "items": {"type": "object", "required": ["name", "phone"],
                           "properties": {"name": STR, "phone": STR, "note": STR}}},
    "circumstances": {"type": "array", "items": {"enum": ["elderly", "pregnant", "children", "media"]}},
    "demand_type": {"enum": ["refund", "repair", "replacement", "compensation", "indemnity", "apology",
                             "rectification", "other"]},
    "place": STR, "occurred_at": {"type": "string", "format": "date-time"},
    "anonymous": BOOL, "complainant_name": STR,
    "emotion": {"enum": ["calm", "anxious", "disappointed", "angry"]},
    "demands_consistent": BOOL, "prior_contact": STR, "safety_issue": BOOL, "notes": STR,
}
INTAKE = {"type": "object", "required": ["core_demand", "headcount", "scope_text", "channel", "complaint_object"],
          "properties": INTAKE_FIELDS}
INCIDENT_BRIEF = obj(id=ID, ref=STR, title=STR, status={"enum": ["open", "command", "closing", "closed"]},
                     grade=STR, urgent=BOOL, scope={"enum": ["individual", "group"]}, headcount=INT,
                     opened_at=TIME, version=INT, last_seq=INT)
INTAKE_VIEW = obj(
    title=STR, core_demand=STR, headcount=INT, scope_text=STR, channel=STR, circumstances=array(STR),
    complaint_object=STR, demand_type=null(STR), place=STR, occurred_at=null(TIME), anonymous=BOOL,
    complainant_name=STR, emotion=STR, demands_consistent=BOOL, prior_contact=STR, safety_issue=BOOL,
    contacts=array(obj(id=INT, name=STR, phone={"type": "string", "description": "masked"}, note=STR)))
INCIDENT = obj(**INCIDENT_BRIEF["properties"], intake=INTAKE_VIEW,
               triage=ANY_OBJ | {"description": "grade, class, scope, hits, reasons, authority"},
               warning_level=INT, deadlines={"type": "object", "additionalProperties": TIME},
               readback_confirmed=null(obj(at=TIME, by=STR, recorded_by_id=null(INT))),
               formed_at=null(TIME), head_hash=STR, notes=array(obj(id=INT, author=STR, at=TIME, text=STR)))
ATTACHMENT = obj(id=INT, filename=STR, content_type=STR, size=INT, sha256=STR, purpose=STR, uploaded_at=TIME)
EVENT = obj(incident_id=INT, seq=INT, type=STR, actor=obj(id=null(INT), name=STR), at=TIME, payload=ANY_OBJ,
            prev_hash=STR, hash=STR)

_OPS: dict[str, dict[str, Any]] = {}


def register(endpoint: str, *, body: Mapping[str, Any] | None = None, media: str | Mapping[str, Any] | None = None,
             query: Mapping[str, Mapping[str, Any]] | None = None,
             responses: Mapping[int | str, Any] | None = None,
             path: Mapping[str, Mapping[str, Any]] | None = None) -> None:
    """Describe an operation: request body and its media type, query parameters, responses, and the
    schema of a string path parameter (e.g. an enum of names)."""
    op = _OPS.setdefault(endpoint, {})
    if path is not None:
        op.setdefault("path", {}).update(path)
    if body is not None:
        op["body"] = dict(body)
    if media is not None:
        op["media"] = media
    if query is not None:
        op.setdefault("query", {}).update(query)
    if responses is not None:
        op.setdefault("responses", {}).update({str(k): v for k, v in responses.items()})


def register_body(endpoint: str, schema: dict[str, Any], media: str | None = None) -> None:
    """Let a feature blueprint describe its request body."""
    register(endpoint, body=schema, media=media)


def register_query(endpoint: str, **params: Mapping[str, Any]) -> None:
    """Let a feature blueprint describe its query parameters."""
    register(endpoint, query=params)


def register_responses(endpoint: str, responses: Mapping[int | str, Any]) -> None:
    """Let a feature blueprint describe its responses (status → schema, file(...), or None for Error)."""
    register(endpoint, responses=responses)


def described(endpoint: str) -> dict[str, Any]:
    return _OPS.get(endpoint, {})


register("api.open_incident", body=INTAKE, responses={201: INCIDENT})
register("api.update_incident", body={"type": "object", "required": ["version"],
                                      "properties": {"version": VERSION} | INTAKE_FIELDS},
         responses={200: INCIDENT})
register("api.add_note", body={"type": "object", "required": ["text"], "properties": {"text": STR}},
         responses={201: obj(id=INT, text=STR, at=TIME)})
register("api.confirm_readback", body={"type": "object", "properties": {"confirmed_by": STR}},
         responses={200: INCIDENT})
register("api.escalate", body={"type": "object", "required": ["reason"], "properties": {"reason": STR}},
         responses={200: INCIDENT})
register("api.change_status", body={"type": "object", "required": ["status", "version"], "properties": {
    "status": {"enum": ["open", "command", "closing", "closed"]}, "reason": STR, "version": VERSION}},
    responses={200: INCIDENT})


def _errors(method: str, endpoint: str, path_args: list[str], op: dict[str, Any]) -> dict[str, Any]:
    """The error statuses an operation really answers, from what it is."""
    from realtime.auth import PUBLIC_ENDPOINTS
    from realtime.http.access import ENDPOINT_ACTIONS, LOGGED_IN
    codes: set[str] = set()
    if endpoint not in PUBLIC_ENDPOINTS:
        codes.add("401")
        if ENDPOINT_ACTIONS.get(endpoint, LOGGED_IN) is not LOGGED_IN:
            codes.add("403")
    if path_args:
        codes.add("404")
    if method != "GET" or op.get("query"):
        codes.add("400")  # the body, a query parameter, or the CSRF token
    if method != "GET":
        codes |= {"409", "413"}
    return {c: None for c in sorted(codes)}


def _response(status: str, spec: Any) -> dict[str, Any]:
    if spec is None:
        return {"description": "error naming the field",
                "content": {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}}}
    if isinstance(spec, dict) and "content" in spec and "description" in spec:
        return spec  # file(...) or a complete response object
    return {"description": {"200": "OK", "201": "created", "202": "accepted"}.get(status, "result"),
            "content": {JSON: {"schema": spec}}}


def _parameters(rule: Any, op: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for arg in rule.arguments:
        conv = rule._converters.get(arg)  # the converter decides the type: <int:…> or a string
        is_int = conv is not None and type(conv).__name__ in ("BoundedInt", "IntegerConverter")
        given = (op.get("path") or {}).get(arg)
        out.append({"name": arg, "in": "path", "required": True,
                    "schema": {"type": "integer", "minimum": 0, "maximum": ID_MAX} if is_int
                    else dict(given) if given else {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}})
    for name, schema in (op.get("query") or {}).items():
        s = dict(schema)
        required = bool(s.pop("required", False))
        out.append({"name": name, "in": "query", "required": required, "schema": s})
    return out


def _operation(rule: Any, method: str) -> dict[str, Any]:
    view = current_app.view_functions[rule.endpoint]
    op = described(rule.endpoint)
    summary = (view.__doc__ or rule.endpoint).strip().splitlines()[0]
    responses = {s: _response(s, spec) for s, spec in (op.get("responses") or {}).items()}
    if not any(s.startswith("2") for s in responses):
        responses["200"] = {"description": "OK (not described yet)", "content": {JSON: {"schema": ANY_OBJ}}}
    for status, spec in _errors(method, rule.endpoint, list(rule.arguments), op).items():
        responses.setdefault(status, _response(status, spec))
    out: dict[str, Any] = {
        "operationId": rule.endpoint.replace(".", "_") + ("" if method == "GET" else f"_{method.lower()}"),
        "summary": summary, "parameters": _parameters(rule, op), "responses": dict(sorted(responses.items())),
    }
    if method in ("POST", "PATCH", "PUT"):
        media = op.get("media") or JSON
        bodies = dict(media) if isinstance(media, Mapping) else {media: op.get("body", {"type": "object"})}
        out["requestBody"] = {"required": True, "content": {m: {"schema": s} for m, s in bodies.items()}}
    from realtime.auth import PUBLIC_ENDPOINTS
    if rule.endpoint in PUBLIC_ENDPOINTS:
        out["security"] = []
    elif method != "GET":
        out["security"] = [{"session": [], "csrf": []}]
    return out


def document() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, method)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Concord API", "version": "1",
                 "description": "Mass-complaint command: incidents, timeline, task group, crowd, "
                                "playbooks, settlements. Session-cookie auth (log in at /login); "
                                "state-changing calls need the X-CSRF-Token header. Ids are 1 … 2^31-1."},
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": {"Error": ERROR, "Incident": INCIDENT, "IncidentBrief": INCIDENT_BRIEF,
                                   "Event": EVENT},
                       "securitySchemes": {
                           "session": {"type": "apiKey", "in": "cookie", "name": "concord_session"},
                           "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token",
                                    "description": "the session's CSRF token (from any page's csrf_token)"}}},
        "security": [{"session": []}],
    }
