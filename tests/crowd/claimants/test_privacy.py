"""Phones and ID numbers never sit in clear text in the database; revealing one is seat-bound and recorded."""
from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import inspect, select, text

from incident.crowd.claimants.models import ContactReveal
from incident.crowd.households import households
from incident.timeline.models import Event
from tests.crowd.helpers import crowd_incident, seated

PHONE, ID = "13812345678", "110105199001011232"


def _every_text_value(engine):
    """Every non-null value of every column of every table, as text, read through plain SQL."""
    names = inspect(engine).get_table_names()
    with engine.connect() as conn:
        for table in names:
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                for value in row:
                    if value is not None:
                        yield table, str(value)


def test_no_clear_phone_or_id_in_the_database(session, api_as, engine, app):
    inc, leader = crowd_incident(session)
    api = api_as(leader)
    assert api.post(f"/api/v1/incidents/{inc.id}/claimants",
                    {"name": "刘𠮷", "unit": "3-1-1201", "phone": PHONE, "id_number": ID}).status_code == 201
    people = list(households(40, seed=3))
    csv = "姓名,单元,电话,身份证,分组\n" + "".join(
        f"{p['name']},{p['unit']},{p['phone']},{p['id_number']},{p['segment']}\n" for p in people)
    r = api.post(f"/api/v1/incidents/{inc.id}/claimants/import", content_type="multipart/form-data",
                 data={"file": (io.BytesIO(csv.encode()), "c.csv"), "mode": "all_or_nothing"})
    assert r.status_code == 201, r.get_json()
    secrets = {PHONE, ID} | {p["phone"] for p in people} | {p["id_number"] for p in people if p["id_number"]}
    assert len(secrets) > 50
    leaks = [(t, s) for t, v in _every_text_value(engine) for s in secrets if s in v]
    assert leaks == []
    if engine.dialect.name == "sqlite":
        path = Path(engine.url.database)
        raw = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
        assert b"138****5678" in raw  # the test does read the stored rows
        for s in secrets:
            assert s.encode() not in raw and s.encode("utf-16-le") not in raw


def test_reveal_needs_a_seat_and_a_reason_and_is_recorded_without_the_number(session, api_as):
    inc, leader = crowd_incident(session)
    legal, business = seated(session, inc, "legal"), seated(session, inc, "business")
    c = api_as(leader).post(f"/api/v1/incidents/{inc.id}/claimants",
                            {"name": "刘", "unit": "3-1-1201", "phone": PHONE, "id_number": ID}).get_json()
    url = f"/api/v1/incidents/{inc.id}/claimants/{c['id']}/reveal"
    assert api_as(business).post(url, {"field": "phone", "reason": "回访"}).status_code == 403
    lapi = api_as(legal)
    assert lapi.post(url, {"field": "phone"}).get_json()["field"] == "reason"
    assert lapi.post(url, {"field": "email", "reason": "回访"}).get_json()["field"] == "field"
    r = lapi.post(url, {"field": "phone", "reason": "通知协商会议时间"})
    assert r.status_code == 200 and r.get_json()["value"] == PHONE
    assert r.headers["Cache-Control"] == "no-store"
    assert lapi.post(url, {"field": "id_number", "reason": "核对身份"}).get_json()["value"] == ID
    session.rollback()
    evs = session.scalars(select(Event).where(Event.type == "contact.revealed").order_by(Event.seq)).all()
    assert [e.payload["field"] for e in evs] == ["phone", "id_number"]
    assert evs[0].actor_id == legal.id and evs[0].payload["reason"] == "通知协商会议时间"
    assert all(PHONE not in str(e.payload) and ID not in str(e.payload) for e in evs)
    assert len(session.scalars(select(ContactReveal)).all()) == 2


def test_section_and_export_show_masked_numbers_and_the_official_use_label(session, api_as):
    inc, leader = crowd_incident(session)
    api = api_as(leader)
    api.post(f"/api/v1/incidents/{inc.id}/claimants", {"name": "刘", "unit": "3-1-1201", "phone": PHONE})
    page = api.client.get(f"/incidents/{inc.id}").get_data(as_text=True)
    assert 'id="crowd"' in page and "138****5678" in page and PHONE not in page
    assert "仅用于官方沟通" in page or "official communication only" in page
    export = api.get(f"/api/v1/incidents/{inc.id}/claimants.csv").get_data(as_text=True)
    assert "138****5678" in export and PHONE not in export
    crowd = api.get(f"/api/v1/incidents/{inc.id}/crowd").get_data(as_text=True)
    assert PHONE not in crowd and "138****5678" in crowd
