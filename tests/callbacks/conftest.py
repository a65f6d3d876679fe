"""Callback fixtures: a frozen clock and a mall parking-fee dispute (five tenants, one representative,
a refund for each, no agreements) with its task group: leader, customer service, legal, a manager."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from incident.crowd.claimants import service as claimants
from incident.crowd.demands import service as demands
from incident.crowd.representatives import service as representatives
from incident.db import begin_write
from playbooks import engine
from tests.factories import default_config, events, frozen_at, give_seat, make_incident, make_user  # noqa: F401

T0 = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)  # a Wednesday, 10:00 in Shanghai
TENANTS = [("王芳", "Ａ区１０２"), ("李强", "A区105"), ("陈静 <script>", "B区201"), ("赵磊", "B区202"),
           ("=cmd|' /C calc'!A0", "B区203")]


frozen = frozen_at(T0)  # default_config (imported) resets the playbooks' configuration around each test


def again(session: Any) -> None:
    """After reading through a service or the app: a fresh writer's transaction for the set-up session."""
    session.rollback()
    begin_write(session)


@pytest.fixture
def mall(session, frozen):  # type: ignore[no-untyped-def]
    leader, cs = make_user(session, "staff", display_name="组长 周"), make_user(session, "staff", display_name="客服 孙")
    legal = make_user(session, "staff", display_name="法务 吴", is_legal=True)
    manager = make_user(session, "manager", display_name="经理 郑")
    inc = make_incident(session, leader, core_demand="停车费从每小时5元涨到10元，要求恢复原价并退还多收的费用",
                        headcount=5, scope_text="商场二层租户，5家", channel="on_site", complaint_object="service",
                        title="二层租户停车费争议")
    give_seat(session, inc, cs, "customer_service", by=leader)
    give_seat(session, inc, legal, "legal", by=leader)
    for key in [p for p in events(session, inc.id, "incident.opened")[0].payload["playbooks"]]:
        engine.drop(session, actor=leader.actor, incident_id=inc.id, key=key)
    engine.attach(session, actor=leader.actor, incident_id=inc.id, key="mall_complaint")
    rows = [claimants.add(session, actor=cs.actor, incident_id=inc.id,
                          data={"name": n, "unit": u, "segment": "二层", "phone": f"1391234567{i}"})
            for i, (n, u) in enumerate(TENANTS)]
    session.flush()
    rep = representatives.elect(session, actor=leader.actor, incident_id=inc.id, claimant_id=rows[0].id,
                                mandate="negotiate_only", segments=["二层"])
    demands.create_template(session, actor=leader.actor, incident_id=inc.id, data={
        "type": "refund", "remedy": "退还11月多收的停车费", "amount": "120.00", "owner": "商场财务部",
        "deadline": (T0 + timedelta(days=3)).isoformat()})
    session.commit()
    begin_write(session)
    return {"incident": inc, "leader": leader, "cs": cs, "legal": legal, "manager": manager, "tenants": rows,
            "representative": rep}
