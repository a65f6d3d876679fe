"""Triage as a table: intake facts in, class, warning level and grade out."""
from __future__ import annotations

import pytest

from incident.triage import TriageInput, triage
from incident.triage.defaults import DEFAULT_TERMS


def T(headcount=1, text="", circ=(), channel="phone", emotion="calm", consistent=False, prior="",
      safety=False):
    return TriageInput(headcount=headcount, texts=(text,), circumstances=frozenset(circ), channel=channel,
                       emotion=emotion, demands_consistent=consistent, prior_contact=prior,
                       safety_issue=safety)


CASES = [
    # id, input, class, warning level, grade
    ("single calm caller", T(1, "楼道灯坏了"), "routine_individual", 0, "F"),
    ("single caller, one complaint word", T(1, "我要投诉楼道灯"), "routine_individual", 0, "E"),
    ("single caller threatens 12345", T(1, "再不修就打12345"), "routine_individual", 0, "E"),
    ("single caller threatens media", T(1, "我要找记者曝光"), "urgent_individual", 1, "D"),
    ("single caller, injury", T(1, "孩子在电梯里受伤了"), "urgent_individual", 0, "D"),
    ("trapped in elevator, safety flag", T(2, "有人困梯", safety=True), "urgent_individual", 0, "D"),
    ("three households, calm", T(3, "停车位被占"), "routine_individual", 0, "F"),
    ("five households = group", T(5, "停车费上涨"), "routine_group", 1, "D"),
    ("group, demands the same", T(10, "我们的问题都一样", consistent=True), "routine_group", 2, "D"),
    ("group went to department before", T(12, "电梯坏了", prior="工程部"), "routine_group", 2, "D"),
    ("20 households coordinated", T(20, "大家一起来的", consistent=True), "routine_group", 2, "C"),
    ("86 households, banner, 12345, media",
     T(86, "拉横幅，今天不解决就打12345找媒体曝光", consistent=True), "urgent_group", 3, "A"),
    ("237 buyers online, 3·15 complaint", T(237, "要去3·15投诉"), "routine_group", 1, "A"),
    ("full-width ３·１５", T(1, "我要去３·１５"), "routine_individual", 0, "D"),
    ("3.15 with a dot", T(1, "去3.15曝光你们"), "urgent_individual", 1, "D"),
    ("315 plain digits", T(1, "打315"), "routine_individual", 0, "D"),
    ("phone number containing 315 is no hit", T(1, "电话13150001234"), "routine_individual", 0, "F"),
    ("traditional characters 報警", T(1, "我要報警"), "urgent_individual", 1, "D"),
    ("elderly on site with group", T(30, "老人在大厅等", circ=("elderly",), channel="on_site"),
     "routine_group", 1, "C"),
    ("media present circumstance", T(8, "物业费", circ=("media",)), "urgent_group", 2, "C"),
    ("angry individual", T(1, "非常生气", emotion="angry"), "routine_individual", 0, "E"),
    ("mall floor tenants, lawyer", T(40, "已经请了律师准备起诉"), "routine_group", 1, "B"),
    ("food poisoning, 15 buyers", T(15, "吃了以后食物中毒"), "urgent_group", 1, "C"),
    ("100 households and police", T(100, "已经报警了", consistent=True), "urgent_group", 3, "A"),
    ("English text: journalist", T(1, "I will call a journalist"), "urgent_individual", 1, "D"),
]


@pytest.mark.parametrize("inp,klass,warning,grade", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_triage_table(inp, klass, warning, grade):
    result = triage(inp, DEFAULT_TERMS)
    assert (result.klass, result.warning_level, result.grade.value) == (klass, warning, grade), result.reasons


def test_table_has_enough_cases():
    assert len(CASES) >= 20


def test_group_and_urgent_never_below_team_lead():
    for inp, *_ in [c[1:] for c in CASES]:
        r = triage(inp, DEFAULT_TERMS)
        if r.urgent or r.scope.value == "group":
            assert r.grade.rank >= 2


def test_deadlines_follow_the_class():
    from datetime import datetime, timedelta, timezone
    t0 = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)
    urgent = triage(T(1, "有人受伤"), DEFAULT_TERMS).deadlines(t0)
    routine_group = triage(T(10, "停车费"), DEFAULT_TERMS).deadlines(t0)
    assert urgent["response"] - t0 == timedelta(minutes=30)
    assert urgent["first_contact"] - t0 == timedelta(minutes=15)
    assert routine_group["response"] - t0 == timedelta(hours=24)
    assert routine_group["written_reply"] - t0 == timedelta(hours=24)
    assert "written_reply" not in urgent


def test_authority_grows_with_the_grade():
    limits = [triage(T(n, t), DEFAULT_TERMS).authority["limit"] for n, t in
              [(1, "灯坏了"), (1, "投诉"), (5, "停车"), (86, "横幅 12345 媒体 律师")]]
    assert limits[:3] == sorted(limits[:3]) and limits[3] is None or limits[3] > limits[2]


# -- intake (issue 12): a regulator already involved together with a published story is grade A
GRADE_A_CASES = [
    ("flagged at intake, three households", T(3, "物业费", circ=("regulator", "media_story")), "A"),
    ("regulator named where they already went, story on the hot list",
     T(1, "视频已经上了热搜", prior="已经找过工商"), "A"),
    ("said in the notes, full-width digits", T(2, "已经打了１２３１５，帖子已发", ), "A"),
    ("threats only: not yet A", T(1, "我要找工商，还要找记者曝光"), "D"),
    ("story published, no regulator", T(1, "停车费", circ=("media_story",)), "D"),
    ("regulator involved, no story", T(1, "停车费", circ=("regulator",)), "F"),
]


@pytest.mark.parametrize("inp,grade", [c[1:] for c in GRADE_A_CASES], ids=[c[0] for c in GRADE_A_CASES])
def test_regulator_and_published_story_reach_grade_a(inp, grade):
    result = triage(inp, DEFAULT_TERMS)
    assert result.grade.value == grade, result.reasons
    assert ("regulator_and_media" in {r["code"] for r in result.reasons}) == (grade == "A")
