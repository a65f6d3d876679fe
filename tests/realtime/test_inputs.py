"""No input answers 5xx: ids past the database's range, hostile JSON, NUL bytes, CR/LF in redirects.

Every case here used to be a 500 (an OverflowError in the SQLite driver, a RecursionError in the JSON
parser, a header-injection ValueError in redirect(), a TypeError in the CSRF comparison).
"""
from __future__ import annotations

import pytest

from realtime.http.inputs import ID_MAX, INT_MAX, MAX_JSON_DEPTH
from tests.factories import make_incident, make_user

HUGE = [2**31, 2**63, 2**64, 10**30]


@pytest.fixture
def leader(session, api_as):  # type: ignore[no-untyped-def]
    user = make_user(session, "manager", locale="zh_CN")
    inc = make_incident(session, user)
    return api_as(user), inc


def _json_error(resp, status: int, field: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    body = resp.get_json()
    assert body["field"] == field and body["error"] and body["message"], body
    return body


@pytest.mark.parametrize("big", HUGE)
def test_ids_beyond_the_database_range_in_paths_are_404(leader, big):
    api, inc = leader
    for path in (f"/api/v1/incidents/{big}", f"/api/v1/incidents/{inc.id}/claimants/{big}/withdraw",
                 f"/api/v1/agreements/{big}", f"/api/v1/agreement-batches/{big}", f"/incidents/{big}",
                 f"/api/v1/incidents/{inc.id}/samples/{big}"):
        method = api.post if path.endswith("withdraw") else api.get
        r = method(path, json={"version": 1}) if method == api.post else method(path)
        assert r.status_code == 404, (path, r.status_code)
    r = api.get(f"/api/v1/incidents/{ID_MAX}")  # the largest id still routes, and is simply not there
    assert r.status_code == 404 and r.get_json()["error"] == "not_found"


def test_ids_beyond_the_range_in_query_and_json_are_400_naming_the_field(leader):
    api, inc = leader
    _json_error(api.get(f"/api/v1/incidents/{inc.id}/events?after={2**63}"), 400, "after")
    _json_error(api.get(f"/api/v1/incidents/{inc.id}/events?limit=" + "9" * 5000), 400, "limit")
    _json_error(api.post(f"/api/v1/incidents/{inc.id}/agreements", json={"claimant_id": 2**63}), 400,
                "claimant_id")
    _json_error(api.post(f"/api/v1/incidents/{inc.id}/representatives",
                         json={"claimant_id": 1, "mandate": "negotiate_only", "claimant_ids": [1, 2**70]}), 400,
                "claimant_ids")
    body = _json_error(api.patch(f"/api/v1/incidents/{inc.id}", json={"version": INT_MAX + 1}), 400, "version")
    assert body["message_local"] != body["message"]  # localized, naming the field in Chinese
    ok = api.patch(f"/api/v1/incidents/{inc.id}", json={"version": INT_MAX})
    assert ok.status_code == 409  # in range: an ordinary stale version


def test_non_finite_numbers_and_nul_in_json_are_400(leader):
    api, inc = leader
    for raw in ('{"text": "a", "x": NaN}', '{"text": "a", "x": 1e400}', '{"text": "a", "x": -Infinity}'):
        _json_error(api.post(f"/api/v1/incidents/{inc.id}/notes", data=raw, content_type="application/json"),
                    400, "x")
    _json_error(api.post(f"/api/v1/incidents/{inc.id}/notes", json={"text": "a\u0000b"}), 400, "text")
    _json_error(api.post(f"/api/v1/incidents/{inc.id}/notes", data='{"text": "\\ud800"}',
                         content_type="application/json"), 400, "text")


def test_json_nested_2000_deep_is_400_before_and_after_login(client, leader):
    api, inc = leader
    deep = "[" * 2000 + "]" * 2000
    anon = client.post("/api/v1/incidents", data=deep, content_type="application/json")
    assert anon.status_code == 400 and anon.get_json()["error"]  # the CSRF check refuses it, cleanly
    body = _json_error(api.post("/api/v1/incidents", data=deep, content_type="application/json"), 400, "body")
    assert body["reason"] == "too_deep"
    shallow_but_over = '{"a": ' + "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1) + "}"
    assert _json_error(api.post(f"/api/v1/incidents/{inc.id}/notes", data=shallow_but_over,
                                content_type="application/json"), 400, "body")["reason"] == "too_deep"


def test_malformed_json_and_a_non_object_body_are_400_naming_the_body(leader):
    api, inc = leader
    for raw in ('{"text": ', "[1, 2]", '"just a string"', "null", "\xff\xfe"):
        _json_error(api.post(f"/api/v1/incidents/{inc.id}/notes", data=raw, content_type="application/json"),
                    400, "body")


def test_nul_in_query_and_form_is_400(leader):
    api, inc = leader
    _json_error(api.get(f"/api/v1/incidents/{inc.id}/claimants?q=a%00b"), 400, "q")
    r = api.client.post(f"/incidents/{inc.id}/notes", data={"text": "a\x00b", "csrf_token": api.csrf})
    assert r.status_code == 400


@pytest.mark.parametrize("target", ["/%0d%0aSet-Cookie:%20x=1", "/%0a", "/incidents%09/x", "/%00"])
def test_control_characters_in_next_are_400_not_500(client, leader, target):
    api, _inc = leader
    assert client.get(f"/lang/en?next={target}").status_code == 400
    assert api.client.get(f"/lang/zh_CN?next={target}").status_code == 400
    page = client.get("/login").get_data(as_text=True)
    import re
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post(f"/login?next={target}", data={"username": "x", "password": "y", "csrf_token": token})
    assert r.status_code == 400
    assert "Set-Cookie" not in r.headers or "x=1" not in r.headers.get("Set-Cookie", "")


def test_a_non_ascii_csrf_header_is_a_400(leader):
    api, inc = leader
    r = api.client.post(f"/api/v1/incidents/{inc.id}/notes", json={"text": "a"},
                        headers={"X-CSRF-Token": "令牌", "Accept": "application/json"})
    _json_error(r, 400, "csrf_token")


def test_lexicon_form_with_odd_numbers_is_not_a_500(session, api_as):
    admin = api_as(make_user(session, "admin"))
    for form in ({"toggle": "²"}, {"toggle": "9" * 5000}, {"toggle": str(2**63)},
                 {"term": "曝光", "category": "media", "weight": "9" * 5000}, {"term": "x", "weight": "٣"}):
        r = admin.client.post("/admin/lexicon", data=form | {"csrf_token": admin.csrf})
        assert r.status_code in (400, 404), (form, r.status_code)


def test_non_finite_decimals_in_query_are_400(leader):
    api, inc = leader
    for raw in ("NaN", "sNaN", "Infinity", "-Infinity", "1e999999999"):
        _json_error(api.get(f"/api/v1/incidents/{inc.id}/samples?confidence={raw}"), 400, "confidence")
        _json_error(api.get(f"/api/v1/incidents/{inc.id}/samples/size?target={raw}&assumed=0.9"), 400, "target")


def test_a_write_refused_before_its_gate_still_refreshes_the_login_without_a_500(leader):
    """The input check runs before the gate that begins the writer; the refusal's error page looks up
    the user (locale), whose login refresh must then take its own short write, not the read."""
    import io
    from datetime import timedelta

    from incident import clock
    api, inc = leader
    with clock.frozen(clock.now() + timedelta(minutes=5)):  # the login is due a refresh
        r = api.client.post(f"/api/v1/incidents/{inc.id}/claimants/import",
                            data={"bad\x00name": "x", "file": (io.BytesIO(b"\x04"), "file")},
                            headers={"X-CSRF-Token": api.csrf, "Accept": "application/json"},
                            content_type="multipart/form-data")
    assert r.status_code == 400, r.get_data(as_text=True)[:300]
