"""The one event renderer: every event type in words, in zh-CN and English, with no raw key,
no arrow between raw states, no "None" and nothing left untranslated on a Chinese screen."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

import concord.models  # noqa: F401  (registers every feature's labels and event words)
from concord.cli import main
from incident.db import make_engine, make_session_factory
from incident.labels import LABELS
from incident.timeline.models import Event
from incident.timeline.render import DETAILS, render, words

ROOT = Path(__file__).resolve().parent.parent
AT = "2026-12-01T10:30:00+00:00"  # 18:30 in Beijing
RAW_KEY = re.compile(r"\b[a-z]+(?:[._][a-z]+)+\b")  # in_review, agreement.sealed, count_reposts
ASCII_WORD = re.compile(r"[A-Za-z]{3,}")
DATA_WORDS = {"pdf", "csv", "xlsx"}  # file extensions inside user data


def _recorded_types() -> set[str]:
    """Every event type the domain records (literal first string argument after session, inc)."""
    found: set[str] = set()
    for pkg in ("incident", "playbooks", "exports"):
        for path in (ROOT / pkg).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name not in ("record", "_event"):
                    continue
                for arg in node.args[2:4]:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and "." in arg.value:
                        found.add(arg.value)
                    elif isinstance(arg, ast.JoinedStr) and arg.values and \
                            getattr(arg.values[0], "value", "") == "demand.":
                        found |= {"demand.accepted", "demand.rejected"}  # f"demand.{decision}"
    return found


HOLDER = {"user_id": 3, "name": "李敏", "outside": False, "phone": None}
SAMPLES = {
    "incident.opened": {"ref": "GC-20261201-001", "intake": {"headcount": 86, "channel": "on_site"},
                        "triage": {"grade": "A"}},
    "intake.updated": {"diff": {"headcount": {"from": 3, "to": 20}, "channel": {"from": "phone", "to": "on_site"},
                                "circumstances": {"from": [], "to": ["elderly", "media"]},
                                "safety_issue": {"from": False, "to": True}}, "readback_voided": True},
    "intake.read_back_confirmed": {"confirmed_by_complainant": "刘建国", "text": "复述内容"},
    "note.added": {"text": "业主代表要求今晚答复"},
    "grade.changed": {"from": "D", "to": "A", "cause": "intake.updated"},
    "status.changed": {"from": "open", "to": "command", "reason": "组建工作组"},
    "taskgroup.seat_assigned": {"seat": "customer_service", "label": "", "holder": HOLDER},
    "taskgroup.seat_released": {"seat": "auxiliary", "label": "方言翻译", "holder": HOLDER},
    "taskgroup.seat_replaced": {"seat": "leader", "label": "", "holder": HOLDER,
                                "previous": {"name": "王建国"}},
    "taskgroup.formed": {"late": False, "minutes_from_opening": 18.4},
    "taskgroup.formation_missed": {"due_at": AT},
    # -- intake (issue 12)
    "playbook.proposed": {"proposal_id": 1, "playbook": "public_opinion", "cause": "note.added",
                          "title": {"zh_CN": "舆情监测", "en": "Public-opinion watch"},
                          "matched": {"risk_category": ["media"]}, "notified": [3]},
    "playbook.proposal_dismissed": {"proposal_id": 1, "playbook": "public_opinion",
                                    "title": {"zh_CN": "舆情监测", "en": "Public-opinion watch"}},
    "notify.channel_added": {"channel_id": 1, "platform": "dingtalk", "name": "3号楼专项组",
                             "url": "https://oapi.dingtalk.com/robot/send?…", "kinds": ["overdue", "formation"]},
    "notify.channel_removed": {"channel_id": 1, "platform": "wecom", "name": "物业客服群",
                               "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?…"},
    "taskgroup.formation_started": {"due_at": AT, "previous_due_at": AT, "minutes": 30, "headcount": 20,
                                    "cause": "intake.updated"},
    "taskgroup.consent_recorded": {"consented_by": "刘建国", "method": "spoken", "recorder": "赵磊"},
    "taskgroup.recording_added": {"kind": "audio", "caption": "现场沟通录音", "filename": "录音1.m4a"},
    "claimant.added": {"name": "张𠮷", "unit": "3栋1单元1201", "headcount": {"from": 3, "to": 4}},
    "claimant.updated": {"name": "张𠮷", "diff": {"phone": {"from": "138****5678", "to": "139****1111"},
                                                 "segment": {"from": "", "to": "3号楼"}}},
    "claimant.withdrawn": {"name": "张𠮷", "reason": "已自行解决", "headcount": {"from": 4, "to": 3}},
    "claimants.imported": {"filename": "业主名册.xlsx", "mode": "skip_invalid", "rows": 90, "stored": 86,
                           "headcount": {"from": 3, "to": 86}},
    "contact.revealed": {"name": "张𠮷", "field": "id_number", "reason": "核对身份"},
    "representative.elected": {"name": "刘建国", "mandate": "sign_on_behalf", "reason": "业主推选"},
    "representative.mandate_attached": {"mandate": "negotiate_only", "attachment": {"filename": "委托书.pdf"}},
    "representative.replaced": {"previous_name": "刘建国", "name": "周秀英", "reason": "本人出差"},
    "representative.revoked": {"name": "周秀英", "reason": "业主撤回委托"},
    "sample.drawn": {"k": 5, "population_size": 86, "stratified": True, "claim": "本月电梯故障六次"},
    "sample.outcome_recorded": {"from": "pending", "to": "partly", "note": "维保记录显示三次停梯"},
    "sample.evidence_added": {"attachment": {"filename": "维保记录.pdf"}},
    "demand.template_created": {"template": {"type": "compensation", "remedy": "减免一个月电梯费",
                                             "amount": "1200.00", "owner": "客服部 李敏"}, "item_count": 86},
    "demand.item_overridden": {"diff": {"amount": {"from": "60.00", "to": "80.00"}}, "approval_voided": True},
    "demand.offered": {"item_ids": list(range(86)), "type": "compensation", "amount": "60.00",
                       "remedy": "减免一个月电梯费", "step": 2},
    "demand.accepted": {"type": "repair", "amount": None, "remedy": "检修电梯", "note": "业主当场同意",
                        "from": "offered", "to": "accepted"},
    "demand.rejected": {"type": "indemnity", "amount": "500.00", "remedy": "赔偿误工", "note": "嫌少",
                        "from": "offered", "to": "rejected"},
    "demand.fulfilled": {"from": "accepted", "to": "fulfilled", "note": "已完成检修"},
    "demand.confirmed": {"confirmed_by": "刘建国", "from": "fulfilled", "to": "confirmed"},
    "demand.indemnity_approved": {"item_ids": [1, 2, 3], "note": "依法赔偿"},
    "demand.ceiling_set": {"demand_type": "compensation", "from": "100.00", "to": "120.00", "note": "不超过两个月"},
    "playbook.attached": {"title": {"zh_CN": "舆情监测", "en": "Public-opinion watch"}, "steps": [1, 2, 3]},
    "playbook.dropped": {"title": {"zh_CN": "舆情监测", "en": "Public-opinion watch"}, "open_steps": 2},
    "playbook.step_done": {"title": {"zh_CN": "记录转发量", "en": "Record reposts"}, "late": True, "note": "转发 340"},
    "playbook.reminder_sent": {"title": {"zh_CN": "记录转发量", "en": "Record reposts"}, "due_at": AT},
    "playbook.step_overdue": {"title": {"zh_CN": "书面答复", "en": "Written reply"}, "seat": "leader",
                              "due_at": AT, "actions": ["remind_seat", "notify_leader", "escalate"]},
    "playbook.deadlines_set": {"items": [{"due_at": AT}, {"due_at": "2026-12-01T12:00:00+00:00"}]},
    "agreement.drafted": {"ref": "AG-20261201-0001", "signer": "刘建国", "items": 2, "represented": 12},
    "agreement.terms_changed": {"ref": "AG-20261201-0001", "changed": ["items.0.amount"],
                                "approval_dropped": True, "from": "approved", "to": "draft"},
    "agreement.submitted": {"ref": "AG-20261201-0001", "from": "draft", "to": "in_review"},
    "agreement.approved": {"ref": "AG-20261201-0001", "from": "in_review", "to": "approved"},
    "agreement.returned": {"ref": "AG-20261201-0001", "from": "in_review", "to": "returned", "text": "金额需复核"},
    "agreement.signed": {"ref": "AG-20261201-0001", "from": "approved", "to": "signed", "signer": "刘建国"},
    "agreement.sealed": {"ref": "AG-20261201-0001", "from": "signed", "to": "sealed", "level": "B-T"},
    "agreement.voided": {"ref": "AG-20261201-0001", "from": "sealed", "to": "void", "text": "双方协商作废"},
    "agreement.batch_started": {"kind": "seal", "segment": "3号楼"},
    "agreement.batch_progress": {"done": 10, "total": 26, "failed": 1},
    "agreement.batch_interrupted": {"kind": "seal", "done": 12, "total": 40, "failed": 1},
    "agreement.batch_resumed": {"kind": "seal", "pending": 27},
    "agreement.batch_abandoned": {"kind": "generate", "pending": 3},
    "agreement.batch_finished": {"kind": "generate", "status": "done", "done": 26, "total": 26, "failed": 0},
    # -- public side (issue 15)
    "public.code_issued": {"kind": "claimant", "hint": "7K3M", "claimant_id": 3},
    "public.code_revoked": {"kind": "incident", "hint": "Q9XA"},
    "public.codes_issued": {"count": 86, "kind": "claimant"},
    "public.stage_changed": {"from": 1, "to": 2, "renamed": False, "next_update_due": None},
    "public.update_published": {"text": "今晚 8 点在物业中心通报进展", "update_id": 1},
    "claimant.self_registered": {"name": "王𠮷", "unit": "9栋1单元302", "phone": "139****9000"},
    "claimant.registration_confirmed": {"count": 3, "claimant_ids": [1, 2, 3], "headcount": {"from": 3, "to": 6}},
    "claimant.registration_rejected": {"count": 1, "claimant_ids": [4], "headcount": {"from": 6, "to": 6}},
    "public.survey_answered": {"score": 4, "reasons": ["speed"], "text": "处理及时", "claimant_id": 3},
    # -- callbacks and the written reply (issue 13)
    "reply.drafted": {"reply_id": 1, "version": 1, "claimants": 5, "promises_money": True, "template_version": 0},
    "reply.changed": {"reply_id": 1, "version": 2, "changed": ["facts"], "approval_dropped": True},
    "reply.approved": {"reply_id": 1, "version": 2, "by": "legal", "status": "approved"},
    "reply.issued": {"reply_id": 1, "version": 2, "recipients": ["王芳", "李𠮷"], "attachment_id": 3,
                     "pdf_sha256": "ab" * 32, "due_at": AT, "late": True},
    "callback.scheduled": {"callback_ids": [1, 2], "count": 2, "anchor": "reply_issued", "per": "claimant",
                           "anchor_at": AT, "due_at": AT, "spec": "mall_complaint#1"},
    "callback.due": {"callback_ids": [1, 2], "names": ["王芳", "李强", "a", "b", "c", "d"], "count": 6, "notified": [3]},
    "callback.overdue": {"callback_ids": [1], "names": ["王芳"], "count": 1, "notified": [3]},
    "callback.attempted": {"callback_id": 1, "name": "王芳", "round": 2, "channel": "visit", "attempt": 1,
                           "max_attempts": 3, "note": ""},
    "callback.unreachable": {"callback_id": 1, "name": "王芳", "round": 1, "channel": "phone", "attempt": 3,
                             "max_attempts": 3},
    "callback.recorded": {"callback_id": 1, "name": "王芳", "round": 1, "channel": "phone", "attempt": 1,
                          "max_attempts": 3, "satisfaction": "dissatisfied", "reasons": ["compensation_low"],
                          "note": "退款只退了一半", "covers": 1},
    "callback.second_round": {"callback_id": 1, "new_callback_id": 2, "name": "王芳", "round": 2, "from": "D",
                              "to": "C", "handler": "department_manager", "due_at": AT,
                              "satisfaction": "dissatisfied", "notified": [4], "level": "department_manager",
                              "asked_level": "general_manager", "asked": "higher",
                              "started": [{"item_id": 9, "playbook": "mall_complaint", "step": "written_reply",
                                           "round": 2, "title": {"zh_CN": "24小时内书面答复群体",
                                                                 "en": "Written reply to the group within 24 hours"},
                                           "due_at": AT}]},
}
# -- ledger, closing gate and archive (issue 13)
SAMPLES.update({
    "ledger.payment_recorded": {"claimant": "王𠮷", "kind": "compensation", "amount": "1333.33",
                                "method": "bank_transfer", "proof_kind": "upload", "outstanding": "0.00"},
    "ledger.waived": {"claimant": "王𠮷", "kind": "indemnity", "amount": "866.67", "reason": "业主自愿放弃"},
    "ledger.payment_overdue": {"claimant": "王𠮷", "kind": "compensation", "outstanding": "120.00",
                               "due_at": "2026-12-10T15:59:59+00:00"},
    "closing.signed_off": {"seat": "business", "name": "赵经理", "note": "款项已付清", "round": 1},
    "closing.item_closed": {"item_id": 3, "claimant_id": 9, "type": "repair", "status": "rejected",
                            "reason": "业主已自行维修"},
    "closing.gate_overridden": {"from": "command", "to": "closed", "reason": "业主已搬离，无法回访",
                                "open_items": [{"key": "ledger.payments"}]},
    "archive.updated": {"round": 1, "problem_type": "停车/收费 › 停车费争议", "root_cause": "收费标准未公示"},
    "archive.recorded": {"round": 2, "problem_type": "电梯 › 电梯故障", "root_cause": "维保不到位"},
    "archive.improvement_added": {"title": "公示停车收费标准", "owner": "物业服务中心", "status": "open",
                                  "due_at": "2026-12-20T15:59:59+00:00"},
    "archive.improvement_updated": {"title": "公示停车收费标准", "owner": "物业服务中心", "status": "done",
                                    "due_at": "2026-12-20T15:59:59+00:00"},
    "archive.improvement_overdue": {"title": "公示停车收费标准", "owner": "物业服务中心", "status": "open",
                                    "due_at": "2026-12-20T15:59:59+00:00"},
})
# -- opinion watch (issue 14)
OPINION = {"source_id": 1, "platform": "xiaohongshu", "title": "商场一楼专柜卖过期面霜！"}
SAMPLES.update({
    "opinion.source_added": OPINION | {"url": "https://www.xiaohongshu.com/explore/64f0c1a2", "first_seen_at": AT,
                                       "negative": True, "reply_due_at": AT},
    "opinion.snapshot": OPINION | {"snapshot_id": 3, "taken_at": AT, "reads": 12600, "reposts": 520, "comments": None,
                                   "likes": 88, "growth": {"reads": 4500, "reposts": 180, "comments": None, "likes": None},
                                   "minutes": 30, "screenshot_sha256": "ab" * 32},
    "opinion.alert": OPINION | {"alerts": [{"kind": "growth", "metric": "reposts", "value": 180, "threshold": 150},
                                           {"kind": "reads", "metric": "reads", "value": 120000, "threshold": 100000}],
                                "circumstance_added": "media_story", "notified": [3]},
    "opinion.replied": OPINION | {"text": "您好，已为您办理退款", "url": "", "due_at": AT, "on_time": True},
    "opinion.reply_overdue": OPINION | {"due_at": AT, "notified": [3, 4]},
})


def problems(text: str, locale: str) -> list[str]:
    """What a user must never read: raw keys, None, untranslated English on a Chinese screen."""
    out = []
    if "None" in text or "null" in text:
        out.append("None/null")
    out += [f"raw key {m!r}" for m in RAW_KEY.findall(text)]
    if re.search(r"(^| · )(0|False|True)( · |$)", text):  # `count and say(...)` with nothing to say
        out.append("bare 0/False")
    if locale == "zh_CN":
        out += [f"English {m!r}" for m in ASCII_WORD.findall(text) if m.lower() not in DATA_WORDS]
    return out


def test_the_checker_catches_what_the_issue_saw():
    for text in ("in_review → approved", "offered → accepted", "compensation × 86", "None", "system",
                 "起算事件：count_reposts", "not allowed: lexicon.edit",
                 "GC-20261203-001-A001 · 刘建国 · 1 项 · 0"):
        assert problems(text, "zh_CN"), text


def test_every_recorded_event_type_has_a_label_words_and_a_sample():
    recorded = _recorded_types()
    assert len(recorded) > 40  # the scan works
    assert recorded - set(LABELS["event"]) == set()
    assert recorded - set(DETAILS) == set()
    assert recorded - set(SAMPLES) == set()


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("event_type", sorted(SAMPLES))
def test_each_event_type_in_words(event_type, locale):
    w = render(event_type, SAMPLES[event_type], "system", locale)
    assert w.detail, "every sample carries enough to say something"
    assert w.actor == ("系统" if locale == "zh_CN" else "System")
    assert problems(f"{w.summary} {w.detail} {w.actor}", locale) == []
    if locale == "zh_CN":
        assert w.summary != LABELS["event"][event_type], "the summary is translated"


def test_amounts_carry_the_currency_and_times_the_display_zone():
    w = render("demand.template_created", SAMPLES["demand.template_created"], "李敏", "zh_CN")
    assert "¥1,200.00" in w.detail and "补偿" in w.detail and "86" in w.detail
    w = render("playbook.reminder_sent", SAMPLES["playbook.reminder_sent"], "system", "en")
    assert "2026-12-01 18:30" in w.detail  # 10:30 UTC shown in Beijing time
    w = render("agreement.submitted", SAMPLES["agreement.submitted"], "陈律", "zh_CN")
    assert "草稿 → 法务审核中" in w.detail, w.detail


def test_a_count_of_nothing_leaves_no_bare_zero():
    w = render("agreement.drafted", SAMPLES["agreement.drafted"] | {"represented": 0}, "李敏", "zh_CN")
    assert w.detail == "AG-20261201-0001 · 刘建国 · 2 项", w.detail


def test_an_odd_payload_still_says_what_happened():
    w = render("agreement.sealed", {"level": 7, "from": None}, "陈律", "zh_CN")
    assert w.summary and problems(w.summary + w.detail, "zh_CN") == []
    w = render("something.new", {"x": 1}, "陈律", "en")
    assert w.summary == "event recorded" and w.detail == ""


def test_words_for_json_carry_both_languages():
    ev = {"type": "note.added", "payload": {"text": "你好"}, "actor": {"id": None, "name": "system"}}
    both = words(ev)
    assert both["zh_CN"]["actor"] == "系统" and both["en"]["actor"] == "System"


def test_every_event_of_the_demo_reads_cleanly(tmp_path, db_url):
    """Real payloads, as `make run` produces them: the demo incident's whole timeline."""
    runner = CliRunner()
    env = {"CONCORD_DATABASE_URL": db_url}
    for args in (["init", "--admin-password", "admin-pass-1"], ["demo"]):
        result = runner.invoke(main, ["--instance", str(tmp_path / "inst"), *args], env=env,
                               catch_exceptions=False)
        assert result.exit_code == 0, result.output
    engine = make_engine(db_url)
    with make_session_factory(engine)() as s:
        events = s.scalars(select(Event).order_by(Event.incident_id, Event.seq)).all()
        assert len({e.type for e in events}) >= 12
        for e in events:
            for locale in ("zh_CN", "en"):
                w = render(e.type, e.payload, e.actor_name, locale)
                assert problems(f"{w.summary} {w.detail} {w.actor}", locale) == [], (e.type, w)
    engine.dispose()
