"""The live public page: namespace /public, joined with a code, carries only a "changed" signal."""
from __future__ import annotations

import pytest

from tests.public.conftest import issue

sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@sqlite_only
def test_a_published_update_reaches_the_public_namespace_and_nothing_else(world):
    from realtime.extensions import socketio
    app, staff, w = world
    code = issue(staff, w.incident_id)["code"]
    anon = app.test_client()
    sock = socketio.test_client(app, namespace="/public", auth={"code": code}, flask_test_client=anon,
                                headers={"Origin": "http://localhost"})
    assert sock.is_connected("/public")
    sock.get_received("/public")
    staff.post(f"/api/v1/incidents/{w.incident_id}/notes", {"text": "内部备注"})
    assert sock.get_received("/public") == []  # internal events never reach the public room
    assert staff.post(f"/api/v1/incidents/{w.incident_id}/public/updates", {"text": "今晚通报"}).status_code == 201
    got = sock.get_received("/public")
    assert [m["name"] for m in got] == ["changed"] and set(got[0]["args"][0]) == {"at"}
    sock.disconnect("/public")


@sqlite_only
def test_a_wrong_or_revoked_code_is_refused(world):
    from realtime.extensions import socketio
    app, staff, w = world
    issued = issue(staff, w.incident_id)
    bad = socketio.test_client(app, namespace="/public", auth={"code": "0000-0000-0000-0000"},
                               headers={"Origin": "http://localhost"})
    assert not bad.is_connected("/public")
    staff.post(f"/api/v1/incidents/{w.incident_id}/public/codes/{issued['id']}/revoke", {})
    revoked = socketio.test_client(app, namespace="/public", auth={"code": issued["code"]},
                                   headers={"Origin": "http://localhost"})
    assert not revoked.is_connected("/public")
