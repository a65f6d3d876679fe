"""OpenAPI 3 document built from the URL map, so no route goes undocumented."""
from __future__ import annotations

import re
from typing import Any

from flask import current_app

ERROR = {"type": "object", "required": ["error", "message"],
         "properties": {"error": {"type": "string"}, "field": {"type": ["string", "null"]},
                        "message": {"type": "string"}}}
INTAKE = {
    "type": "object", "required": ["core_demand", "headcount", "scope_text", "channel", "complaint_object"],
    "properties": {
        "title": {"type": "string", "maxLength": 200},
        "core_demand": {"type": "string", "maxLength": 2000, "description": "in the complainants' words"},
        "headcount": {"type": "integer", "minimum": 1},
        "scope_text": {"type": "string", "description": "e.g. building 3-5, 86 households"},
        "channel": {"enum": ["on_site", "phone", "online", "letter"]},
        "complaint_object": {"enum": ["goods", "service", "environment", "other"]},
        "contacts": {"type": "array", "description": "for official communication only",
                     "items": {"type": "object", "required": ["name", "phone"],
                               "properties": {"name": {"type": "string"}, "phone": {"type": "string"},
                                              "note": {"type": "string"}}}},
        "circumstances": {"type": "array", "items": {"enum": ["elderly", "pregnant", "children", "media"]}},
        "demand_type": {"enum": ["refund", "repair", "replacement", "compensation", "indemnity", "apology",
                                 "rectification", "other"]},
        "place": {"type": "string"}, "occurred_at": {"type": "string", "format": "date-time"},
        "anonymous": {"type": "boolean"}, "complainant_name": {"type": "string"},
        "emotion": {"enum": ["calm", "anxious", "disappointed", "angry"]},
        "demands_consistent": {"type": "boolean"}, "prior_contact": {"type": "string"},
        "safety_issue": {"type": "boolean"}, "notes": {"type": "string"},
    },
}
# Request bodies by endpoint; routes without an entry take a free-form JSON object.
BODIES: dict[str, dict[str, Any]] = {
    "api.open_incident": INTAKE,
    "api.update_incident": {"type": "object", "required": ["version"],
                            "properties": {"version": {"type": "integer"}} | INTAKE["properties"]},
    "api.add_note": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}},
    "api.confirm_readback": {"type": "object", "properties": {"confirmed_by": {"type": "string"}}},
    "api.escalate": {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}},
    "api.change_status": {"type": "object", "required": ["status", "version"],
                          "properties": {"status": {"enum": ["open", "command", "closing", "closed"]},
                                         "reason": {"type": "string"}, "version": {"type": "integer"}}},
}


def register_body(endpoint: str, schema: dict[str, Any]) -> None:
    """Let a feature blueprint describe its request body."""
    BODIES[endpoint] = schema


def document() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        view = current_app.view_functions[rule.endpoint]
        summary = (view.__doc__ or rule.endpoint).strip().splitlines()[0]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            op: dict[str, Any] = {
                "operationId": rule.endpoint.replace(".", "_") + ("" if method == "GET" else f"_{method.lower()}"),
                "summary": summary,
                "parameters": [{"name": a, "in": "path", "required": True, "schema": {"type": "integer"}}
                               for a in rule.arguments],
                "responses": {
                    "200": {"description": "OK"},
                    "4XX": {"description": "error naming the field",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                },
            }
            if method in ("POST", "PATCH", "PUT"):
                op["requestBody"] = {"required": True, "content": {"application/json": {
                    "schema": BODIES.get(rule.endpoint, {"type": "object"})}}}
                op["parameters"].append({"name": "X-CSRF-Token", "in": "header", "required": True,
                                         "schema": {"type": "string"}})
            paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "Concord API", "version": "1",
                 "description": "Mass-complaint command: incidents, timeline, task group, crowd, "
                                "playbooks, settlements. Session-cookie auth; state-changing calls "
                                "need the X-CSRF-Token header."},
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": {"Error": ERROR},
                       "securitySchemes": {"session": {"type": "apiKey", "in": "cookie",
                                                       "name": "concord_session"}}},
        "security": [{"session": []}],
    }
