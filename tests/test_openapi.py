"""The OpenAPI document is public and describes every operation as it really is (the fuzz run checks the rest)."""
from __future__ import annotations

import json

UPLOADS = {("post", "/api/v1/incidents/{incident_id}/claimants/import"),
           ("post", "/api/v1/incidents/{incident_id}/representatives/{representative_id}/mandate"),
           ("post", "/api/v1/incidents/{incident_id}/taskgroup/recordings"),
           ("post", "/api/v1/incidents/{incident_id}/samples/{draw_id}/members/{member_id}/evidence"),
           ("post", "/api/v1/verify"), ("post", "/api/v1/incidents/{incident_id}/checklist/{item_id}/tick")}


def _doc(client):  # type: ignore[no-untyped-def]
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200, "the document is public: no login needed"
    return r.get_json()


def _ops(doc):  # type: ignore[no-untyped-def]
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            yield method, path, op


def test_every_operation_has_described_responses_and_errors(client, app):
    doc = _doc(client)
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1")]
    assert len(list(_ops(doc))) == sum(len(r.methods - {"HEAD", "OPTIONS"}) for r in rules)
    for method, path, op in _ops(doc):
        ok = [s for s in op["responses"] if s.startswith("2")]
        assert ok, (method, path)
        assert "not described" not in json.dumps(op["responses"]), (method, path)
        for s in op["responses"]:
            assert s.isdigit(), (method, path, s)  # real status codes, no "4XX" catch-all
        if path != "/api/v1/openapi.json":
            assert "401" in op["responses"], (method, path)
        if "{" in path:
            assert "404" in op["responses"], (method, path)


def test_uploads_are_multipart_and_path_parameters_typed(client):
    doc = _doc(client)
    for method, path, op in _ops(doc):
        content = op.get("requestBody", {}).get("content", {})
        if (method, path) in UPLOADS:
            schema = content["multipart/form-data"]["schema"]
            assert schema["properties"]["file"] == {"type": "string", "format": "binary"}, path
        for p in op["parameters"]:
            if p["in"] != "path":
                continue
            if p["name"] in ("key", "session_id") or "enum" in p["schema"]:  # string ids / names
                assert p["schema"]["type"] == "string", path
            else:
                assert p["schema"] == {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}, (path, p)
    drop = doc["paths"]["/api/v1/incidents/{incident_id}/playbooks/{key}"]["delete"]
    assert {p["name"]: p["schema"]["type"] for p in drop["parameters"]} == {"incident_id": "integer", "key": "string"}


def test_query_parameters_and_security_are_declared(client):
    doc = _doc(client)
    events = doc["paths"]["/api/v1/incidents/{incident_id}/events"]["get"]
    assert {p["name"] for p in events["parameters"] if p["in"] == "query"} == {"after", "limit"}
    size = doc["paths"]["/api/v1/incidents/{incident_id}/samples/size"]["get"]
    assert {p["name"]: p["required"] for p in size["parameters"] if p["in"] == "query"} == \
        {"target": True, "assumed": True, "confidence": False}
    assert doc["paths"]["/api/v1/openapi.json"]["get"]["security"] == []
    assert doc["paths"]["/api/v1/incidents"]["post"]["security"] == [{"session": [], "csrf": []}]
    assert doc["paths"]["/api/v1/incidents/{incident_id}/agreement-batches"]["post"]["responses"]["202"]
    assert "X-CSRF-Token" not in json.dumps([op["parameters"] for _m, _p, op in _ops(doc)])


def test_register_body_still_works_for_features_that_use_it(app):
    from realtime import openapi
    openapi.register_body("some.endpoint", {"type": "object", "properties": {"x": openapi.INT}})
    assert openapi.described("some.endpoint")["body"]["properties"]["x"] == {"type": "integer"}
    openapi.register_query("some.endpoint", q=openapi.STR)
    openapi.register_responses("some.endpoint", {201: openapi.obj(id=openapi.INT)})
    op = openapi.described("some.endpoint")
    assert op["query"] == {"q": {"type": "string"}} and op["responses"]["201"]["required"] == ["id"]
    openapi._OPS.pop("some.endpoint")
