"""Verification samples: reproducible from the timeline alone, a changed crowd is detected."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from incident import clock
from incident.crowd.claimants.models import Claimant
from incident.crowd.samples import draws
from incident.crowd.samples import service as samples
from incident.crowd.samples.models import SampleDraw
from incident.crowd.samples.verify import find_event, rerun, verify_draw
from incident.timeline.models import Event
from tests.crowd.helpers import add_claimants
from tests.factories import give_seat, make_incident, make_user


@pytest.fixture
def crowd(session):
    leader = make_user(session, "staff")
    inc = make_incident(session, leader, headcount=60)
    people = add_claimants(session, inc, {"3号楼": 30, "4号楼": 20, "5号楼": 10})
    session.commit()
    return leader, inc, people


def test_draw_is_recorded_and_rerun_from_the_event_alone(session, crowd):
    leader, inc, people = crowd
    d = samples.draw(session, actor=leader.actor, incident_id=inc.id, claim="没收到货", k=6)
    session.commit()
    ev = find_event(session, inc.id, d.id)
    p = ev.payload
    assert p["seed"] == d.seed and len(p["seed"]) == 64 and p["algorithm"] == draws.ALGORITHM
    assert p["population_hash"] == draws.population_hash(c.id for c in people)
    assert len(p["drawn"]) == 6 and p["drawn"] == [m.claimant_id for m in d.members]
    # only the event's payload: no database, no draw row
    assert rerun(dict(p)) == (p["drawn"], [])
    check = verify_draw(session, inc.id, d.id)
    assert check.exit_code == 0, check.problems
    assert check.reproduced and check.matches_record and check.population_unchanged and check.chain_ok


def test_algorithm_is_the_documented_hmac_ranking():
    seed = "00" * 32
    strata = {"a": [1, 2, 3, 4], "b": [5, 6]}
    import hashlib
    import hmac
    keys = {i: hmac.new(bytes(32), str(i).encode(), hashlib.sha256).hexdigest() for i in range(1, 7)}
    assert draws.draw(seed, strata, 3, draws.ALGORITHM) == sorted(keys, key=lambda i: keys[i])[:3]
    strat = draws.draw(seed, strata, 3, draws.ALGORITHM_STRATIFIED)
    assert len([i for i in strat if i <= 4]) == 2 and len([i for i in strat if i > 4]) == 1
    assert draws.allocate({"a": 30, "b": 20, "c": 10}, 7) == {"a": 4, "b": 2, "c": 1}  # 3.5, 2.33, 1.17
    assert draws.allocate({"a": 1, "b": 1}, 5) == {"a": 1, "b": 1}


def test_stratified_draw_allocates_proportionally(session, crowd):
    leader, inc, _ = crowd
    d = samples.draw(session, actor=leader.actor, incident_id=inc.id, claim="墙体开裂", k=6, stratified=True)
    session.commit()
    by_seg = {}
    for m in d.members:
        by_seg[m.segment] = by_seg.get(m.segment, 0) + 1
    assert by_seg == {"3号楼": 3, "4号楼": 2, "5号楼": 1}
    assert find_event(session, inc.id, d.id).payload["allocation"] == by_seg
    assert verify_draw(session, inc.id, d.id).exit_code == 0


def test_changed_population_is_detected(session, crowd):
    leader, inc, people = crowd
    d = samples.draw(session, actor=leader.actor, incident_id=inc.id, claim="没收到货", k=5)
    session.commit()
    people[0].status = "withdrawn"
    session.add(Claimant(incident_id=inc.id, name="新业主", unit="6-1", unit_key="6-1", segment="6号楼",
                         joined_at=clock.now()))
    session.commit()
    check = verify_draw(session, inc.id, d.id)
    assert check.reproduced and check.matches_record
    assert not check.population_unchanged and check.exit_code == 2
    assert check.removed == [people[0].id] and len(check.added) == 1


def test_tampered_record_is_detected(session, crowd):
    leader, inc, people = crowd
    d = samples.draw(session, actor=leader.actor, incident_id=inc.id, claim="没收到货", k=5)
    session.commit()
    row = session.get(SampleDraw, d.id)
    drawn = {m.claimant_id for m in row.members}
    row.members[0].claimant_id = next(c.id for c in people if c.id not in drawn)  # swap a household
    session.commit()
    check = verify_draw(session, inc.id, d.id)
    assert check.reproduced and not check.matches_record and check.exit_code == 1


def test_outcomes_evidence_and_bound(session, crowd):
    leader, inc, _ = crowd
    d = samples.draw(session, actor=leader.actor, incident_id=inc.id, claim="没收到货", k=5)
    for m in d.members:
        samples.record_outcome(session, actor=leader.actor, incident_id=inc.id, draw_id=d.id, member_id=m.id,
                               outcome="confirmed", note="快递记录显示未签收")
    samples.add_evidence(session, actor=leader.actor, incident_id=inc.id, draw_id=d.id,
                         member_id=d.members[0].id, filename="proof.png", content_type="image/png",
                         data=b"\x89PNG fake")
    session.commit()
    st = samples.draw_stats(d)
    assert st["counts"]["confirmed"] == 5 and st["resolved"] == 5
    # 5 of 5 confirmed among 60: exact hypergeometric bound
    from incident.crowd.samples.stats import hypergeom_lower_count
    assert st["hypergeometric"]["count"] == hypergeom_lower_count(5, 5, 60)
    types = [e.type for e in session.scalars(select(Event).where(Event.incident_id == inc.id))]
    assert types.count("sample.outcome_recorded") == 5 and types.count("sample.evidence_added") == 1


def test_only_sampling_seats_may_draw(session, crowd):
    leader, inc, _ = crowd
    legal = make_user(session, "staff", is_legal=True)
    give_seat(session, inc, legal, "legal")
    session.commit()
    from incident.errors import Forbidden
    with pytest.raises(Forbidden):
        samples.draw(session, actor=legal.actor, incident_id=inc.id, claim="x", k=1)


def test_api_draw_outcome_and_bad_input(session, crowd, api_as):
    leader, inc, _ = crowd
    api = api_as(leader)
    base = f"/api/v1/incidents/{inc.id}/samples"
    before = session.scalar(select(func.count(Event.id)))
    for body, field in [({"claim": "x", "k": 0}, "k"), ({"claim": "x", "k": 61}, "k"), ({"claim": "", "k": 2}, "claim"),
                        ({"claim": "x", "k": "3"}, "k"), ({"claim": "x", "k": 2, "stratified": "yes"}, "stratified")]:
        r = api.post(base, json=body)
        assert r.status_code == 400 and r.get_json()["field"] == field, (body, r.get_json())
    assert api.post(base, data="nope").get_json()["field"] == "body"
    session.expire_all()
    assert session.scalar(select(func.count(Event.id))) == before
    assert session.scalar(select(func.count(SampleDraw.id))) == 0
    r = api.post(base, json={"claim": "没收到货", "k": 3, "stratified": True})
    assert r.status_code == 201, r.get_json()
    d = r.get_json()
    m = d["members"][0]
    url = f"{base}/{d['id']}/members/{m['id']}/outcome"
    assert api.post(url, json={"outcome": "maybe"}).get_json()["field"] == "outcome"
    assert api.post(url, json={"outcome": "confirmed", "version": 99}).status_code == 409
    ok = api.post(url, json={"outcome": "confirmed", "note": "核实", "version": m["version"]})
    assert ok.status_code == 200 and ok.get_json()["outcome"] == "confirmed"
    ev = f"{base}/{d['id']}/members/{m['id']}/evidence"
    assert api.post(ev, data={}).get_json()["field"] == "file"
    from io import BytesIO
    bad = api.post(ev, data={"file": (BytesIO(b"MZ"), "x.exe", "application/x-msdownload")},
                   content_type="multipart/form-data")
    assert bad.status_code == 400 and bad.get_json()["field"] == "file"
    up = api.post(ev, data={"file": (BytesIO(b"\x89PNG proof"), "签收单.png", "image/png")},
                  content_type="multipart/form-data")
    assert up.status_code == 201 and len(up.get_json()["attachment_ids"]) == 1
    aid = up.get_json()["attachment_ids"][0]
    got_file = api.get(f"{ev}/{aid}")
    assert got_file.status_code == 200 and got_file.data == b"\x89PNG proof"
    assert api.get(f"{ev}/{aid + 1000}").get_json()["field"] == "attachment_id"
    assert api.get(f"{base}/{d['id']}/verify").get_json()["exit_code"] == 0
    got = api.get(f"{base}/{d['id']}").get_json()
    assert got["stats"]["resolved"] == 1 and got["stats"]["hypergeometric"]["count"] >= 1
    assert api.get(f"{base}/999").status_code == 404
    size = api.get(f"{base}/size?target=0.8&assumed=0.95").get_json()
    assert size["population"] == 60 and size["n"] >= 1
    assert api.get(f"{base}/size?target=2&assumed=0.95").get_json()["field"] == "target"
    assert api.get(f"{base}/size?target=0.8").get_json()["field"] == "assumed"
    page = api.get(f"/incidents/{inc.id}/sections/samples").get_data(as_text=True)
    assert 'id="samples"' in page and "没收到货" in page
