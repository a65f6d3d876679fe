"""What a property or mall manager types on a phone, found trying issue 13 by hand: amounts copied
with full-width digits or a currency sign, payment dates in the future, improvement actions due in
the past, and refusals that must read in Chinese on a Chinese screen."""
from __future__ import annotations

import pytest

from incident import i18n
from incident.closing import service as closing
from incident.crowd.demands.fields import parse_amount, parse_deadline
from incident.errors import ValidationError
from incident.labels import field_label
from incident.ledger.service import paid_on


@pytest.mark.parametrize("typed, amount", [("１２００", "1200.00"), ("１，２００．５", "1200.50"), ("¥60", "60.00"),
                                           ("￥60.00", "60.00"), ("60元", "60.00"), (" 1,200 ", "1200.00")])
def test_amounts_as_a_chinese_keyboard_types_them(typed, amount):
    assert parse_amount(typed) == amount


def zh_text(err: ValidationError) -> str:
    zh = i18n.translations("zh_CN")
    return err.localized(zh.ugettext, field_label(zh.ugettext, err.field))


@pytest.mark.parametrize("typed", ["", "-5", "0", "99999999999", "abc", "1e3", "NaN", "12.345", "<script>"])
def test_a_refused_amount_names_the_field_in_chinese(typed):
    with pytest.raises(ValidationError) as e:
        parse_amount(typed, required=True)
    assert e.value.field == "amount"
    text = zh_text(e.value)
    assert "金额" in text and not any(w in text for w in ("amount", "must", "yuan", "required")), text


def test_a_bad_date_reads_in_chinese():
    with pytest.raises(ValidationError) as e:
        parse_deadline("１２月", "due_on")
    assert "ISO" not in zh_text(e.value) and "must" not in zh_text(e.value)


def test_a_payment_cannot_be_dated_in_the_future(frozen):
    assert paid_on("2026-11-25") == "2026-11-25" and paid_on("2020-01-01") == "2020-01-01"
    with pytest.raises(ValidationError) as e:
        paid_on("2026-11-26")
    assert e.value.field == "paid_on" and "今天" in zh_text(e.value)


def test_an_improvement_action_cannot_be_due_in_the_past(session, mall):
    leader = mall["leader"].actor
    with pytest.raises(ValidationError) as e:
        closing.add_improvement(session, actor=leader, incident_id=mall["incident"].id,
                                data={"title": "停车收费调价前公示", "owner": "物业 王", "due_on": "2026-11-24"})
    assert e.value.field == "due_on" and "今天" in zh_text(e.value)
    today = closing.add_improvement(session, actor=leader, incident_id=mall["incident"].id,
                                    data={"title": "停车收费调价前公示", "owner": "物业 王", "due_on": "2026-11-25"})
    assert today.status == "open"


def test_callback_states_do_not_read_as_deadline(api_as, session, session_factory, mall, frozen):
    """"due" the state (应回访) and "due" the date prefix (期限) were one word: 期限 · 期限 2026-…,
    and a count box labelled 期限 next to 待回访 for the callbacks not yet due."""
    from playbooks.scheduler import jobs
    inc = mall["incident"]
    cs, leader, legal = api_as(mall["cs"]), api_as(mall["leader"]), api_as(mall["legal"])
    base = f"/api/v1/incidents/{inc.id}/replies"
    reply = cs.post(base, json={}).get_json()
    leader.post(f"{base}/{reply['id']}/approve", json={})
    legal.post(f"{base}/{reply['id']}/approve-legal", json={})
    cs.post(f"{base}/{reply['id']}/issue", json={})
    jobs.run_due(session_factory)
    page = cs.get(f"/incidents/{inc.id}/sections/callbacks").get_data(as_text=True)
    assert "<span>未到期</span>" in page and "<span>应回访</span>" in page and "<span>期限</span>" not in page
    frozen.advance(hours=49)
    page = api_as(mall["cs"]).get(f"/incidents/{inc.id}/sections/callbacks").get_data(as_text=True)
    assert '<span class="cb-state">应回访</span> · 期限' in page


def test_the_dossier_lists_each_callback_with_its_answer(api_as, session, session_factory, mall, frozen, tmp_path):
    """The case dossier promised "the callbacks" but held only the satisfaction counts: who was called,
    in which round, what they said and why, and who recorded it were in the timeline only."""
    from exports.ledger import dossier
    from playbooks.scheduler import jobs
    from tests.exports.pdfkit import pdftotext
    inc = mall["incident"]
    cs, leader, legal = api_as(mall["cs"]), api_as(mall["leader"]), api_as(mall["legal"])
    base = f"/api/v1/incidents/{inc.id}/replies"
    reply = cs.post(base, json={}).get_json()
    leader.post(f"{base}/{reply['id']}/approve", json={})
    legal.post(f"{base}/{reply['id']}/approve-legal", json={})
    cs.post(f"{base}/{reply['id']}/issue", json={})
    jobs.run_due(session_factory)
    frozen.advance(hours=49)
    cs = api_as(mall["cs"])
    first = cs.get(f"/api/v1/incidents/{inc.id}/callbacks").get_json()["callbacks"][0]
    r = cs.post(f"/api/v1/incidents/{inc.id}/callbacks/{first['id']}/attempts",
                json={"channel": "phone", "reached": True, "satisfaction": "dissatisfied",
                      "reasons": ["too_slow"], "note": "退款还没到账", "version": first["version"]})
    assert r.status_code == 201, r.get_json()
    path = tmp_path / "dossier.pdf"
    path.write_bytes(dossier.build(session, actor=mall["cs"].actor, incident_id=inc.id))
    flat = "".join(pdftotext(path).split())
    table = flat[flat.index("回访诉求人轮次"):]
    assert first["name"].replace(" ", "") in table and "不满意" in table and "处理太慢·退款还没到账" in table
    assert "客服孙" in table and "应回访" in table  # the others, called at 48 h, not yet reached


def test_a_closed_case_says_so_and_who_overrode_the_gate(api_as, session, mall):
    """Closed over the gate, the section still read 在每一项完成之前，不能标记解决或结案 under a red list."""
    from tests.factories import close_incident
    inc = mall["incident"]
    close_incident(session, inc, reason="<script>x</script>业主已书面确认")
    page = api_as(mall["cs"]).get(f"/incidents/{inc.id}/sections/closing").get_data(as_text=True)
    assert "本案已结案" in page and "不能标记解决或结案" not in page
    override = page[page.index('id="gate-override"'):]
    assert "强制通过了结案关卡" in override and "&lt;script&gt;x&lt;/script&gt;业主已书面确认" in override
    assert "<script>x" not in page


def test_an_issued_reply_shows_its_deadline_met(api_as, session, mall):
    """Once issued, the section still showed 期限 <due time> as if the reply were pending."""
    inc = mall["incident"]
    cs, leader, legal = api_as(mall["cs"]), api_as(mall["leader"]), api_as(mall["legal"])
    base = f"/api/v1/incidents/{inc.id}/replies"
    reply = cs.post(base, json={}).get_json()
    leader.post(f"{base}/{reply['id']}/approve", json={})
    legal.post(f"{base}/{reply['id']}/approve-legal", json={})
    assert cs.post(f"{base}/{reply['id']}/issue", json={}).status_code == 200
    page = cs.get(f"/incidents/{inc.id}/sections/replies").get_data(as_text=True)
    hint = page[page.index('id="rp-deadline"'):].split("</p>")[0]
    assert "已在 24 小时时限内发出" in hint and "期限" not in hint
