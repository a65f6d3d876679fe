"""The security log: one row and one JSON line for each kind of event, with no personal data."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from exports.agreements import service as agreements
from incident import clock
from incident.db import begin_write
from incident import service
from incident.security.log import Kind, record
from incident.security.models import SecurityEvent
from realtime.extensions import socketio
from tests.conftest import login
from tests.exports.conftest import ITEMS, add_claimant
from tests.factories import PASSWORD, give_seat, make_incident, make_user

PHONE, ID = "13812345678", "110101199003071233"
sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def rows(session, kind: Kind | None = None) -> list[SecurityEvent]:  # type: ignore[no-untyped-def]
    session.rollback()
    q = select(SecurityEvent).order_by(SecurityEvent.id)
    if kind:
        q = q.where(SecurityEvent.kind == kind.value)
    return list(session.scalars(q))


def lines(app) -> list[dict]:  # type: ignore[no-untyped-def]
    path = app.extensions["concord.settings"].instance / "security.log"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


@pytest.fixture
def world(session):  # type: ignore[no-untyped-def]
    """Incident A (leader `a`, legal `legal`), incident B (leader `b`), a claimant with phone and ID on each."""
    a, b, outsider = (make_user(session, "staff") for _ in range(3))
    legal = make_user(session, "staff", is_legal=True)  # the legal seat confers its powers on legal staff
    inc_a, inc_b = make_incident(session, a), make_incident(session, b)
    give_seat(session, inc_a, legal, "legal")
    from incident.crowd.claimants import service as claimants
    ca = claimants.add(session, actor=a.actor, incident_id=inc_a.id,
                       data={"name": "周秀英", "unit": "5-2-301", "phone": PHONE, "id_number": ID})
    cb = claimants.add(session, actor=b.actor, incident_id=inc_b.id,
                       data={"name": "吉𠮷", "unit": "3-1-101", "phone": "13998765432"})
    session.commit()
    return {"a": a, "b": b, "legal": legal, "outsider": outsider, "A": inc_a, "B": inc_b, "ca": ca, "cb": cb}


def test_refused_requests_are_recorded(app, session, world, api_as):
    outsider = api_as(world["outsider"])
    assert outsider.get(f"/api/v1/incidents/{world['A'].id}").status_code == 403
    a = api_as(world["a"])
    # A claimant of B through A's URL: a foreign id, answered 404.
    assert a.patch(f"/api/v1/incidents/{world['A'].id}/claimants/{world['cb'].id}",
                   {"version": 1, "name": "x"}).status_code == 404
    assert app.test_client().get("/api/v1/me", headers={"Accept": "application/json"}).status_code == 401
    forged = a.client.post(f"/api/v1/incidents/{world['A'].id}/notes", json={"text": "x"})
    assert forged.status_code == 400  # no CSRF header

    denied = rows(session, Kind.DENIED)
    assert [(r.status, r.user_id) for r in denied] == [(403, world["outsider"].id), (401, None)]
    assert denied[0].incident_id == world["A"].id and denied[0].detail["action"] == "incident.view"
    assert denied[0].detail["path"] == f"/api/v1/incidents/{world['A'].id}" and denied[0].address == "127.0.0.1"
    assert denied[0].user_name == world["outsider"].display_name
    nf = rows(session, Kind.NOT_FOUND)
    assert len(nf) == 1 and nf[0].user_id == world["a"].id and nf[0].detail["field"] == "claimant_id"
    csrf = rows(session, Kind.CSRF_REFUSED)
    assert len(csrf) == 1 and csrf[0].user_id == world["a"].id and csrf[0].status == 400


def test_a_refused_page_action_is_recorded_and_nothing_else_is_kept(app, session, world, api_as):
    outsider = api_as(world["outsider"])
    resp = outsider.client.post(f"/incidents/{world['A'].id}/notes", data={"text": "看看", "csrf_token": outsider.csrf})
    assert resp.status_code == 302
    assert [r.status for r in rows(session, Kind.DENIED)] == [403]
    assert len(rows(session)) == 1


def test_failed_and_throttled_logins_name_the_account_never_what_was_typed(app, session, world):
    client = app.test_client()

    def post(username: str, password: str) -> int:
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": token}).status_code

    assert post(world["a"].username, "Secret-typo-1") == 401
    assert post("周先生13812345678", "Another-secret") == 401  # someone typed a phone as user name
    # a frozen clock: on a loaded machine six argon2 checks outlast the first 1-second backoff
    with clock.frozen(clock.now()):
        for _ in range(6):
            post(world["b"].username, "Secret-typo-2")
    failed = rows(session, Kind.LOGIN_FAILED)
    assert (failed[0].user_id, failed[0].detail["reason"]) == (world["a"].id, "wrong_password")
    assert (failed[1].user_id, failed[1].user_name, failed[1].detail["reason"]) == (None, "", "unknown_user")
    throttled = rows(session, Kind.LOGIN_THROTTLED)
    assert throttled and throttled[0].user_id == world["b"].id and throttled[0].detail["counter"] == "user"
    dump = json.dumps([r.to_dict() for r in rows(session)], ensure_ascii=False) + json.dumps(lines(app))
    for secret in ("Secret-typo", "Another-secret", "13812345678", "周先生"):
        assert secret not in dump


def test_reveals_and_full_id_documents_are_recorded_without_the_numbers(app, session, world, api_as):
    legal = api_as(world["legal"])
    url = f"/api/v1/incidents/{world['A'].id}/claimants/{world['ca'].id}/reveal"
    assert legal.post(url, {"field": "phone", "reason": "通知协商会议"}).get_json()["value"] == PHONE
    revealed = rows(session, Kind.CONTACT_REVEALED)
    assert len(revealed) == 1 and revealed[0].detail == {"claimant_id": world["ca"].id, "field": "phone"}
    assert revealed[0].user_id == world["legal"].id and revealed[0].incident_id == world["A"].id

    session.rollback()
    begin_write(session)  # the reads above began a read transaction
    claimant = add_claimant(session, world["A"], "王喆", id_number=ID)
    ag = agreements.draft(session, actor=world["a"].actor, incident_id=world["A"].id,
                          data={"claimant_id": claimant.id, "items": ITEMS}, org_name="锦绣物业")
    session.commit()
    assert legal.get(f"/api/v1/agreements/{ag.id}/preview.pdf").status_code == 200
    assert rows(session, Kind.ID_DOCUMENT) == []  # masked IDs: nothing to record
    agreements.update_terms(session, actor=world["legal"].actor, agreement_id=ag.id,
                            data={"id_display": "full"}, expected_version=ag.version)
    session.commit()
    assert legal.get(f"/api/v1/agreements/{ag.id}/preview.pdf").status_code == 200
    docs = rows(session, Kind.ID_DOCUMENT)
    assert len(docs) == 1 and docs[0].detail["document"] == "agreement_preview"
    assert docs[0].detail["agreement_ref"] == ag.ref and docs[0].user_id == world["legal"].id
    # -- issue 11: a seat that may not reveal contacts may not open a PDF that prints IDs in full
    session.rollback()
    begin_write(session)
    business = make_user(session, "staff")
    give_seat(session, world["A"], business, "business")
    session.commit()
    r = api_as(business).get(f"/api/v1/agreements/{ag.id}/preview.pdf")
    assert r.status_code == 403 and r.get_json()["field"] == "id_display"
    assert len(rows(session, Kind.ID_DOCUMENT)) == 1  # nothing was handed out

    dump = json.dumps([r.to_dict() for r in rows(session)], ensure_ascii=False) + json.dumps(lines(app))
    for pii in (PHONE, ID, "周秀英", "王喆", "通知协商会议"):
        assert pii not in dump


def test_socket_refusals_are_recorded(app, session, world):
    assert not socketio.test_client(app).is_connected()
    http = app.test_client()
    login(http, world["a"].username, PASSWORD)
    sock = socketio.test_client(app, flask_test_client=http)
    assert sock.emit("join", {"incident_id": world["B"].id}, callback=True)["status"] == 403
    refused = rows(session, Kind.SOCKET_REFUSED)
    assert [(r.status, r.detail.get("reason"), r.detail.get("event")) for r in refused] == [
        (401, "unauthenticated", "connect"), (403, "forbidden", "join")]
    assert refused[1].user_id == world["a"].id and refused[1].incident_id == world["B"].id
    sock.disconnect()


def test_each_committed_event_is_one_json_line_and_a_rollback_writes_none(app, session, world):
    record(session, kind=Kind.DENIED, user_id=world["a"].id, user_name="A", address="10.0.0.5",
           status=403, path="/x")
    session.rollback()
    assert lines(app) == [] and rows(session) == []
    record(session, kind=Kind.DENIED, user_id=world["a"].id, user_name="A", address="10.0.0.5",
           status=403, path="/x")
    session.commit()
    (line,) = lines(app)
    assert line["kind"] == "denied" and line["address"] == "10.0.0.5" and line["detail"] == {"path": "/x"}
    assert line["id"] == rows(session)[0].id


def test_only_whitelisted_fields_can_be_recorded(session):
    with pytest.raises(ValueError, match="whitelisted"):
        record(session, kind=Kind.DENIED, phone=PHONE)
    with pytest.raises(ValueError):
        record(session, kind="no-such-kind")


def test_a_flood_of_refusals_costs_a_bounded_number_of_rows(app, session, world, api_as):
    outsider = api_as(world["outsider"])
    for _ in range(80):
        assert outsider.get(f"/api/v1/incidents/{world['A'].id}").status_code == 403
    denied = rows(session, Kind.DENIED)
    assert 30 <= len(denied) <= 35  # the burst, then one per 2 s


@sqlite_only
def test_the_admin_page_lists_and_filters(app, session, world, api_as):
    admin = make_user(session, "admin", display_name="管理员")
    session.commit()
    api_as(world["outsider"]).get(f"/api/v1/incidents/{world['A'].id}")
    app.test_client().get("/api/v1/me")
    web = api_as(admin).client
    page = web.get("/admin/security").get_data(as_text=True)
    assert page.count('data-kind=') == 2 and "请求被拒绝" in page
    one = web.get(f"/admin/security?user={world['outsider'].id}").get_data(as_text=True)
    assert one.count('data-kind=') == 1 and world["outsider"].display_name in one
    assert web.get("/admin/security?kind=login_failed").get_data(as_text=True).count('data-kind=') == 0
    assert web.get("/admin/security?since=2000-01-01&until=2000-01-02").get_data(as_text=True) \
        .count('data-kind=') == 0
    bad = web.get("/admin/security?since=yesterday")
    assert bad.status_code == 400 and 'data-field="since"' in bad.get_data(as_text=True)
    assert web.get("/admin/security?kind=<script>").status_code == 400
    english = web.get("/lang/en?next=/admin/security", follow_redirects=True).get_data(as_text=True)
    assert "Security log" in english and "request refused (401/403)" in english
    # Not for anyone else, and asking is itself recorded.
    assert api_as(world["a"]).client.get("/admin/security").status_code == 403
    assert rows(session, Kind.DENIED)[-1].detail["path"] == "/admin/security"


def test_open_incident_is_unaffected(session, world):
    assert service.get(session, world["A"].id).id == world["A"].id
