"""The demo hook: a sample and the split demand on the demo crowd; nothing without claimants."""
from __future__ import annotations

from sqlalchemy import func, select

from incident.crowd.demands.models import DemandTemplate
from incident.crowd.demands.queries import group_view
from incident.crowd.demo import load_demo_demands
from incident.crowd.samples.models import SampleDraw
from incident.crowd.samples.verify import verify_draw
from tests.crowd.helpers import add_claimants
from tests.factories import make_incident, make_user


def test_demo_hook_skips_without_claimants_then_builds_the_demand(session):
    users = {"leader": make_user(session, "manager"), "legal": make_user(session, is_legal=True), "engineer": make_user(session)}
    inc = make_incident(session, users["leader"], headcount=12)
    load_demo_demands(session, inc, users)
    assert session.scalar(select(func.count(DemandTemplate.id))) == 0
    add_claimants(session, inc, {"3号楼": 6, "4号楼": 4, "5号楼": 2})
    load_demo_demands(session, inc, users)
    load_demo_demands(session, inc, users)  # idempotent
    session.commit()
    [d] = session.scalars(select(SampleDraw)).all()
    assert d.k == 5 and verify_draw(session, inc.id, d.id).exit_code == 0
    view = group_view(session, inc.id)
    assert view["by_type"]["repair"]["by_status"]["offered"] == 12
    comp = view["by_type"]["compensation"]
    assert comp["accepted"] == 2 and comp["ceiling"] == "120.00" and comp["max_offer"] == "60.00"
