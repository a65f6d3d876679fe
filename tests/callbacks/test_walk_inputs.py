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
