"""Task-group HTTP API: JSON errors naming fields, 409 on stale seat changes, 403 for outsiders."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from incident.taskgroup.models import SeatAssignment
from incident.timeline.models import Event


def base(g):  # type: ignore[no-untyped-def]
    return f"/api/v1/incidents/{g.inc.id}/taskgroup"


def test_group_snapshot_and_assign(session, group, api_as):
    g = group
    api = api_as(g.leader)
    r = api.get(base(g))
    assert r.status_code == 200
    body = r.get_json()
    assert [s["seat"] for s in body["seats"]] == ["leader"]
    assert "customer_service" in body["vacant"] and body["formation"]["remaining_seconds"] == 1800
    assert body["figures"]["headcount"] == 10 and body["figures"]["open_items"] >= 3
    r = api.post(base(g) + "/seats", {"seat": "customer_service", "user_id": g.cs.id,
                                      "version": body["version"]})
    assert r.status_code == 201, r.get_json()
    out = r.get_json()
    assert out["assignment"]["holder"] == {"user_id": g.cs.id, "name": g.cs.display_name, "outside": False,
                                           "phone": None}
    assert out["version"] == body["version"] + 1


def test_two_people_replacing_the_same_seat(session, group, api_as):
    g = group
    leader, manager = api_as(g.leader), api_as(g.manager)
    a = leader.post(base(g) + "/seats", {"seat": "legal", "user_id": g.legal.id}).get_json()["assignment"]
    first = leader.post(base(g) + f"/seats/{a['assignment_id']}/replace", {"user_id": g.legal2.id})
    assert first.status_code == 200
    second = manager.post(base(g) + f"/seats/{a['assignment_id']}/replace", {"user_id": g.aux.id})
    assert second.status_code == 409
    err = second.get_json()
    assert err["error"] == "conflict" and err["field"] == "assignment_id"
    assert err["current"]["holder"]["user_id"] == g.legal2.id
    assert err["current_version"] == first.get_json()["version"]
    hist = leader.get(base(g) + "/history").get_json()["history"]
    legal = [h for h in hist if h["seat"] == "legal"]
    assert [h["holder"]["user_id"] for h in legal] == [g.legal.id, g.legal2.id]
    assert legal[0]["released_by"]["user_id"] == g.leader.id and legal[1]["predecessor_id"] == legal[0]["assignment_id"]


def test_stale_group_version_gets_409(session, group, api_as):
    g = group
    api = api_as(g.leader)
    v = api.get(base(g)).get_json()["version"]
    assert api.post(base(g) + "/seats", {"seat": "recorder", "user_id": g.aux.id, "version": v}).status_code == 201
    r = api.post(base(g) + "/seats", {"seat": "translator", "user_id": g.other.id, "version": v})
    assert r.status_code == 409 and r.get_json()["current_version"] == v + 1


def test_leader_cannot_be_released_over_http(session, group, api_as):
    g = group
    api = api_as(g.manager)
    leader = api.get(base(g)).get_json()["seats"][0]
    r = api.post(base(g) + f"/seats/{leader['assignment_id']}/release", {})
    assert r.status_code == 409 and r.get_json()["field"] == "assignment_id"


def test_bad_bodies_name_the_field_and_store_nothing(session, group, api_as):
    g = group
    api = api_as(g.leader)
    count = lambda: session.scalar(select(func.count(SeatAssignment.id)))  # noqa: E731
    n, seq = count(), session.scalar(select(func.max(Event.seq)).where(Event.incident_id == g.inc.id))
    for body, field in (({"seat": "legal", "user_id": g.legal.id, "version": "x"}, "version"),
                        ({"seat": "wizard", "user_id": g.legal.id}, "seat"),
                        ({"seat": "legal"}, "user_id"),
                        ({"seat": "legal", "outside_name": "外人", "outside_phone": "13900001111"}, "outside_name"),
                        ({"seat": "auxiliary", "user_id": g.aux.id}, "label")):
        r = api.post(base(g) + "/seats", body)
        assert r.status_code == 400 and r.get_json()["field"] == field, (body, r.get_json())
    r = api.post(base(g) + "/seats", data="not json", headers={"Content-Type": "text/plain"})
    assert r.status_code == 400 and r.get_json()["field"] == "body"
    r = api.post(base(g) + "/consents", {"consented_by": "刘先生", "method": "telepathy"})
    assert r.status_code in (400, 409)
    session.expire_all()
    assert count() == n
    assert session.scalar(select(func.max(Event.seq)).where(Event.incident_id == g.inc.id)) == seq


def test_outsiders_get_403(session, group, api_as):
    g = group
    api = api_as(g.other)
    assert api.get(base(g)).status_code == 403
    assert api.get(base(g) + "/formation").status_code == 403
    r = api.post(base(g) + "/seats", {"seat": "legal", "user_id": g.other.id})
    assert r.status_code == 403 and r.get_json()["error"] == "forbidden"
    assert api.get(f"/incidents/{g.inc.id}/taskgroup/section").status_code == 403


def test_consent_then_recording_upload_and_download(session, group, api_as):
    g = group
    leader = api_as(g.leader)
    leader.post(base(g) + "/seats", {"seat": "recorder", "user_id": g.aux.id})
    rec = api_as(g.aux)
    audio = b"RIFF....WAVEfmt fake"
    upload = lambda: rec.post(base(g) + "/recordings", None, data={  # noqa: E731
        "caption": "现场协商", "file": (io.BytesIO(audio), "talk.wav", "audio/wav")},
        content_type="multipart/form-data")
    r = upload()
    assert r.status_code == 409 and r.get_json()["field"] == "consent"
    r = rec.post(base(g) + "/consents", {"consented_by": "刘先生（代表）", "method": "spoken"})
    assert r.status_code == 201 and r.get_json()["consents"][0]["recorder"] == g.aux.display_name
    r = upload()
    assert r.status_code == 201, r.get_json()
    recording = r.get_json()["recordings"][0]
    assert recording["kind"] == "audio" and recording["caption"] == "现场协商"
    got = leader.get(base(g) + f"/recordings/{recording['id']}/file")
    assert got.status_code == 200 and got.data == audio
    r = rec.post(base(g) + "/recordings", None, data={"caption": "x"}, content_type="multipart/form-data")
    assert r.status_code == 400 and r.get_json()["field"] == "file"


def test_board_section_renders_seats_clock_and_figures(session, group, api_as):
    g = group
    leader = api_as(g.leader)
    leader.post(base(g) + "/seats", {"seat": "customer_service", "user_id": g.cs.id})
    leader.post(base(g) + "/seats", {"seat": "auxiliary", "label": "方言翻译",
                                     "outside_name": "陈阿姨", "outside_phone": "13900001111"})
    page = leader.client.get(f"/incidents/{g.inc.id}").get_data(as_text=True)
    assert 'id="taskgroup"' in page and "taskgroup.js" in page
    assert f'data-user-id="{g.cs.id}"' in page and f'data-user-id="{g.leader.id}"' in page
    assert 'data-deadline="' in page and "方言翻译" in page and "139****1111" in page
    assert "13900001111" not in page
    assert 'id="tg-assign-form"' in page
    frag = api_as(g.cs).client.get(f"/incidents/{g.inc.id}/taskgroup/section").get_data(as_text=True)
    assert f'data-user-id="{g.cs.id}"' in frag and "tg-release" not in frag  # cs may not change the group
