"""The intake edited on a phone (issue 12): the re-triage shows before saving, saving starts the
formation clock of the new group, and a proposed playbook is attached with one tap."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from incident import service
from incident.accounts.models import User
from incident.db import unit_of_work
from incident.intake.schema import parse_intake
from incident.timeline.models import Event
from playbooks.proposals.models import PlaybookProposal
from tests.factories import intake_data

pytestmark = pytest.mark.browser


def test_edit_intake_on_a_phone_with_re_triage_before_saving(live_server, live_sessions, new_page):
    with unit_of_work(live_sessions) as s:
        leader = s.scalar(select(User).where(User.username == "leader"))
        inc = service.open_incident(s, actor=leader.actor, intake=parse_intake(intake_data(
            headcount=3, scope_text="3号楼，3户", core_demand="楼道灯坏了 <script>", channel="phone")))
        inc_id = inc.id
    page = new_page("leader", phone=True)
    page.goto(f"{live_server.url}/incidents/{inc_id}#intake-edit")
    page.locator("#intake-editor > summary").click()
    page.fill("#intake-form input[name=headcount]", "20")
    page.fill("#intake-form textarea[name=note]", "业主说今晚要找记者来曝光")
    page.wait_for_function("() => !document.getElementById('triage-preview').hidden"
                           " && !document.getElementById('preview-formation').hidden")
    assert "组建专项工作组" in page.locator("#preview-formation").inner_text()
    assert "舆情监测" in page.locator("#preview-proposals").inner_text()
    assert page.locator("#preview-reasons li").count() >= 2
    with unit_of_work(live_sessions) as s:  # nothing written by the preview
        assert not s.scalars(select(Event).where(Event.incident_id == inc_id, Event.type != "incident.opened")).all()
    assert page.evaluate("() => document.documentElement.scrollWidth") == 390

    page.locator("#intake-save").click()
    attach = page.locator("#intake-edit .attach-proposal").first
    attach.wait_for()
    with unit_of_work(live_sessions) as s:
        types = set(s.scalars(select(Event.type).where(Event.incident_id == inc_id)))
        assert {"intake.updated", "taskgroup.formation_started", "playbook.proposed", "note.added"} <= types
    height = page.evaluate("() => document.querySelector('#intake-edit .attach-proposal')"
                           ".getBoundingClientRect().height")
    assert height >= 44, height
    keys = [p.key for p in live_sessions().scalars(select(PlaybookProposal).where(
        PlaybookProposal.incident_id == inc_id).order_by(PlaybookProposal.id))]
    n = page.locator("#intake-edit .proposal").count()
    assert n == len(keys) and "public_opinion" in keys
    attach.click()
    page.wait_for_function(f"() => document.querySelectorAll('#intake-edit .proposal').length === {n - 1}")
    assert page.evaluate("() => document.documentElement.scrollWidth") == 390
