"""Group robots on the web (issue 12): the admin's and the leader's forms and API, the unread badge."""
from __future__ import annotations

from sqlalchemy import select

from playbooks.notify import inbox
from playbooks.notify.models import NotifyChannel
from tests.factories import give_seat, make_incident, make_user

WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-secret-key"
DING = "https://oapi.dingtalk.com/robot/send?access_token=tok-secret"


def test_the_admin_configures_organisation_robots_by_api_and_page(api_as, session):
    admin, staff = make_user(session, "admin"), make_user(session, "staff")
    api = api_as(admin)
    made = api.post("/api/v1/notify/channels", json={"platform": "wecom", "url": WECOM, "name": "客服群 <b>"})
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["url"] == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?…" and body["incident_id"] is None
    assert "secret-key" not in made.get_data(as_text=True)
    bad = api.post("/api/v1/notify/channels", json={"platform": "wecom", "url": "ftp://x"})
    assert bad.status_code == 400 and bad.get_json()["field"] == "url"
    assert api_as(staff).get("/api/v1/notify/channels").status_code == 403
    page = api.client.get("/admin/robots").get_data(as_text=True)
    assert "企业微信群机器人" in page and "客服群 &lt;b&gt;" in page and "secret-key" not in page
    assert 'id="nav-robots"' in page
    form = api.client.post("/admin/robots", data={"csrf_token": api.csrf, "platform": "dingtalk", "url": DING,
                                                  "secret": "SECabc", "kinds": ["overdue"]})
    assert form.status_code == 302
    rows = session.scalars(select(NotifyChannel).order_by(NotifyChannel.id)).all()
    assert [(r.platform, r.kinds) for r in rows] == [("wecom", ["reminder", "overdue", "grade", "formation"]),
                                                     ("dingtalk", ["overdue"])]
    gone = api.delete(f"/api/v1/notify/channels/{rows[0].id}")
    assert gone.status_code == 200 and gone.get_json()["active"] is False
    assert [c["platform"] for c in api.get("/api/v1/notify/channels").get_json()["channels"]] == ["dingtalk"]


def test_the_leader_adds_a_robot_for_the_incident_and_a_member_cannot(api_as, session):
    leader, cs = make_user(session, "staff"), make_user(session, "staff")
    inc = make_incident(session, leader)
    give_seat(session, inc, cs, "customer_service")
    session.commit()
    assert api_as(cs).post(f"/api/v1/incidents/{inc.id}/notify/channels",
                           json={"platform": "wecom", "url": WECOM}).status_code == 403
    api = api_as(leader)
    made = api.post(f"/api/v1/incidents/{inc.id}/notify/channels",
                    json={"platform": "dingtalk", "url": DING, "secret": "SECabc", "kinds": ["overdue", "grade"]})
    assert made.status_code == 201 and made.get_json()["signed"] is True
    listed = api_as(cs).get(f"/api/v1/incidents/{inc.id}/notify/channels").get_json()["channels"]
    assert [c["platform"] for c in listed] == ["dingtalk"] and "tok-secret" not in str(listed)
    page = api.client.get(f"/incidents/{inc.id}").get_data(as_text=True)
    assert 'id="robots"' in page and "钉钉机器人" in page and "tok-secret" not in page and "SECabc" not in page
    cs_page = api_as(cs).client.get(f"/incidents/{inc.id}").get_data(as_text=True)
    assert 'id="robots"' in cs_page and 'name="url"' not in cs_page.split('id="robots"')[1]
    events = api.get(f"/api/v1/incidents/{inc.id}/events?after=0").get_json()["events"]
    added = [e for e in events if e["type"] == "notify.channel_added"]
    assert added and "tok-secret" not in str(added) and added[0]["words"]["zh_CN"]["summary"] == "已添加群机器人"


def test_the_navigation_shows_the_unread_count(api_as, session):
    leader = make_user(session, "staff")
    inc = make_incident(session, leader)
    session.commit()
    api = api_as(leader)
    page = api.client.get("/").get_data(as_text=True)
    assert 'id="nav-unread" data-count="0"' in page and "hidden" in page.split('id="nav-unread"')[1][:80]
    session.rollback()
    from incident.db import begin_write
    begin_write(session)
    inbox.notify(session, [leader.id], incident=inc, kind="overdue", message="Overdue: %(step)s (%(ref)s)",
                 params={"step": {"zh_CN": "首次联系", "en": "first contact"}, "anchor": "deadlines-7"})
    inbox.notify(session, [leader.id], incident=inc, kind="overdue", message="Overdue: %(step)s (%(ref)s)",
                 params={"step": {"zh_CN": "首次联系", "en": "first contact"}, "anchor": "x\"><script>"})
    session.commit()
    page = api.client.get("/").get_data(as_text=True)
    assert 'id="nav-unread" data-count="2"' in page
    notes = api.get("/api/v1/notifications").get_json()["notifications"]
    assert {n["url"] for n in notes} == {f"/incidents/{inc.id}#deadlines-7", f"/incidents/{inc.id}"}
