"""The JSON API: login required, CSRF, field-named errors that store nothing, timeline reads."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from incident.models import Incident, IncidentNote
from incident.timeline import Event
from tests.factories import intake_data, make_incident, make_user


def test_every_api_route_and_page_needs_login(app, client):
    public = {"/login", "/healthz", "/readyz", "/static/<path:filename>", "/vendor/<name>", "/lang/<code>",
              "/api/v1/openapi.json"}  # the OpenAPI document holds no data
    # -- the complainants' side (issue 15): the progress page, its API and the verify page need no login
    complainants = ("/p/", "/api/v1/public/", "/verify")
    for rule in app.url_map.iter_rules():
        if rule.rule in public:
            continue
        if rule.rule == "/p" or rule.rule.startswith(complainants):
            assert rule.endpoint.startswith(("public_", "verify.")), rule.rule  # nothing else hides there
            continue
        path = rule.rule
        for arg in rule.arguments:
            path = path.replace(f"<int:{arg}>", "1").replace(f"<{arg}>", "x").replace(f"<path:{arg}>", "x")
        resp = client.get(path, headers={"Accept": "application/json"}) if "GET" in rule.methods else None
        if resp is not None:
            assert resp.status_code in (302, 401), (rule.rule, resp.status_code)
            if path.startswith("/api/"):
                assert resp.status_code == 401 and resp.get_json()["error"] == "unauthenticated"


def test_open_incident_via_api(api_as, session):
    api = api_as(make_user(session))
    resp = api.post("/api/v1/incidents", json=intake_data(headcount=30))
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["scope"] == "group" and body["grade"] in "DCBA"
    assert body["intake"]["contacts"][0]["phone"] == "138****5678"
    evs = api.get(f"/api/v1/incidents/{body['id']}/events?after=0").get_json()["events"]
    assert [e["seq"] for e in evs] == [1] and evs[0]["type"] == "incident.opened"


def test_events_after(api_as, session):
    user = make_user(session, "manager")
    inc = make_incident(session, user)
    api = api_as(user)
    for i in range(3):
        assert api.post(f"/api/v1/incidents/{inc.id}/notes", json={"text": f"n{i}"}).status_code == 201
    evs = api.get(f"/api/v1/incidents/{inc.id}/events?after=2").get_json()["events"]
    assert [e["seq"] for e in evs] == [3, 4]
    bad = api.get(f"/api/v1/incidents/{inc.id}/events?after=-1")
    assert bad.status_code == 400 and bad.get_json()["field"] == "after"


def test_csrf_is_required_for_state_changes(api_as, session):
    api = api_as(make_user(session))
    resp = api.client.post("/api/v1/incidents", json=intake_data())
    assert resp.status_code == 400 and resp.get_json()["field"] == "csrf_token"
    resp = api.post("/api/v1/incidents", json=intake_data(), headers={"X-CSRF-Token": "forged"})
    assert resp.status_code == 400 and resp.get_json()["field"] == "csrf_token"
    assert session.scalar(select(func.count(Incident.id))) == 0


@pytest.mark.parametrize("body,field", [
    (None, "body"), ([1, 2], "body"), ({}, "core_demand"), (intake_data(headcount="x"), "headcount"),
    (intake_data(channel="fax"), "channel"), (intake_data(contacts=[{"name": "a", "phone": "1"}]),
                                              "contacts[0].phone"),
    (intake_data(occurred_at="soon"), "occurred_at"), (intake_data(core_demand="x" * 2001), "core_demand"),
])
def test_bad_open_names_field_and_stores_nothing(api_as, session, body, field):
    api = api_as(make_user(session))
    if body is None:
        resp = api.client.post("/api/v1/incidents", data="not json", headers={
            "X-CSRF-Token": api.csrf, "Content-Type": "text/plain"})
    else:
        resp = api.post("/api/v1/incidents", json=body)
    assert resp.status_code == 400
    err = resp.get_json()
    assert err["error"] == "invalid" and err["field"] == field and err["message"]
    assert session.scalar(select(func.count(Incident.id))) == 0
    assert session.scalar(select(func.count(Event.id))) == 0


@pytest.mark.parametrize("path,body,field,status", [
    ("notes", {"text": ""}, "text", 400),
    ("notes", {"text": 5}, "text", 400),
    ("readback/confirm", {"confirmed_by": 7}, "confirmed_by", 400),
    ("escalate", {}, "reason", 400),
    ("status", {"status": "done", "version": 1}, "status", 400),
    ("status", {"status": "closed"}, "version", 400),
    ("status", {"status": "closing", "version": 1}, "status", 409),
])
def test_bad_incident_actions(api_as, session, path, body, field, status):
    user = make_user(session, "manager")
    inc = make_incident(session, user)
    api = api_as(user)
    before = session.scalar(select(func.count(Event.id)))
    resp = api.post(f"/api/v1/incidents/{inc.id}/{path}", json=body)
    assert resp.status_code == status and resp.get_json()["field"] == field
    session.expire_all()
    assert session.scalar(select(func.count(Event.id))) == before
    assert session.scalar(select(func.count(IncidentNote.id))) == 0


@pytest.mark.parametrize("body,field,status", [
    ({"headcount": 5}, "version", 400),
    ({"version": 1, "headcount": -3}, "headcount", 400),
    ({"version": 1, "ref": "X"}, "ref", 400),
    ({"version": 99, "headcount": 5}, "version", 409),
])
def test_bad_patch(api_as, session, body, field, status):
    user = make_user(session, "manager")
    inc = make_incident(session, user)
    api = api_as(user)
    resp = api.patch(f"/api/v1/incidents/{inc.id}", json=body)
    assert resp.status_code == status and resp.get_json()["field"] == field
    session.expire_all()
    assert session.get(Incident, inc.id).headcount == 10


def test_stale_patch_returns_current_version(api_as, session):
    user = make_user(session, "manager")
    inc = make_incident(session, user)
    a, b = api_as(user), api_as(user)
    assert a.patch(f"/api/v1/incidents/{inc.id}", json={"version": 1, "place": "大厅"}).status_code == 200
    resp = b.patch(f"/api/v1/incidents/{inc.id}", json={"version": 1, "place": "门口"})
    assert resp.status_code == 409 and resp.get_json()["current_version"] == 2


def test_unknown_incident_is_404_and_foreign_is_403(api_as, session):
    owner, other, manager = make_user(session), make_user(session), make_user(session, "manager")
    inc = make_incident(session, owner)
    assert api_as(manager).get("/api/v1/incidents/99999").status_code == 404
    api = api_as(other)
    assert api.get(f"/api/v1/incidents/{inc.id}").status_code == 403
    assert api.get(f"/api/v1/incidents/{inc.id}/events").status_code == 403
    assert api.post(f"/api/v1/incidents/{inc.id}/notes", json={"text": "x"}).status_code == 403


def test_lexicon_admin_only_and_validated(api_as, session):
    admin, staff = make_user(session, "admin"), make_user(session)
    a, s = api_as(admin), api_as(staff)
    assert s.post("/api/v1/lexicon", json={"term": "堵路", "category": "protest"}).status_code == 403
    assert a.post("/api/v1/lexicon", json={"term": "", "category": "protest"}).get_json()["field"] == "term"
    assert a.post("/api/v1/lexicon", json={"term": "堵路", "category": "x"}).get_json()["field"] == "category"
    assert a.post("/api/v1/lexicon", json={"term": "堵路", "category": "protest", "weight": 9}
                  ).get_json()["field"] == "weight"
    assert a.post("/api/v1/lexicon", json={"term": "堵路", "category": "protest", "weight": 2}
                  ).status_code == 201
    assert a.post("/api/v1/lexicon", json={"term": "堵路", "category": "protest"}).status_code == 409


def test_custom_keyword_changes_triage(api_as, session):
    admin = make_user(session, "admin")
    a = api_as(admin)
    a.post("/api/v1/lexicon", json={"term": "堵路", "category": "protest", "weight": 2})
    inc = a.post("/api/v1/incidents", json=intake_data(headcount=1, scope_text="个人",
                                                        core_demand="业主说明天去堵路")).get_json()
    assert "堵路" in [h["term"] for h in inc["triage"]["hits"]]


def test_users_api_admin_only(api_as, session):
    admin, staff = make_user(session, "admin"), make_user(session)
    assert api_as(staff).post("/api/v1/users", json={"username": "x", "password": "p" * 10}).status_code == 403
    a = api_as(admin)
    assert a.post("/api/v1/users", json={"username": "new", "password": "short"}).get_json()["field"] == "password"
    assert a.post("/api/v1/users", json={"username": "new", "password": "long-enough", "role": "boss"}
                  ).get_json()["field"] == "role"
    assert a.post("/api/v1/users", json={"username": "new", "password": "long-enough"}).status_code == 201


def test_openapi_documents_every_api_route(app, api_as, session):
    api = api_as(make_user(session))
    doc = api.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    import re
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
            for m in rule.methods - {"HEAD", "OPTIONS"}:
                assert m.lower() in doc["paths"][path], (path, m)
    assert doc["paths"]["/api/v1/incidents"]["post"]["requestBody"]["content"]["application/json"][
        "schema"]["required"][0] == "core_demand"


def test_healthz(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.get_json()["database"] is True


def test_json_404_for_unknown_api_path(api_as, session):
    resp = api_as(make_user(session)).get("/api/v1/nothing-here")
    assert resp.status_code == 404 and resp.get_json()["error"] == "not_found"


def test_errors_speak_the_users_language(api_as, session):
    api = api_as(make_user(session, locale="zh_CN"))
    body = api.post("/api/v1/incidents", json=intake_data(headcount=0)).get_json()
    assert body["message"] == "headcount must be between 1 and 1000000"
    assert body["message_local"] == "“人数”必须在1到1000000之间"
    page = api.client.post("/incidents/new", data={"csrf_token": api.csrf, "core_demand": "x"})
    assert page.status_code == 400 and "“范围”为必填项" in page.get_data(as_text=True) or \
        "为必填项" in page.get_data(as_text=True)
