"""Urgency × scope class, response deadlines and the F→A grade, as one pure function."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from incident.enums import Channel, Circumstance, Grade, Scope
from incident.triage.lexicon import Term, find_hits, find_hits_in

# Authority each grade carries: who handles it and the largest goodwill amount it may grant
# without going one level up (CNY; None = no preset limit, decided by the director).
AUTHORITY: dict[str, dict[str, Any]] = {
    "F": {"handler": "agent", "limit": 500},
    "E": {"handler": "senior_agent", "limit": 2000},
    "D": {"handler": "team_lead", "limit": 10000},
    "C": {"handler": "department_manager", "limit": 50000},
    "B": {"handler": "general_manager", "limit": 200000},
    "A": {"handler": "director", "limit": None},
}

EMOTION_CATEGORIES = {"extreme", "police", "media", "protest", "camera"}
CONSISTENCY_PHRASES = [Term("都一样", "consistency"), Term("都是这个问题", "consistency"),
                       Term("已经找过", "consistency"), Term("找过", "consistency"),
                       Term("大家一起", "consistency"), Term("same problem", "consistency"),
                       Term("already went", "consistency")]
# -- intake (issue 12): what has already happened, as opposed to a threat ("我要找记者曝光").
PUBLISHED_PHRASES = [Term(t, "published") for t in (
    "已曝光", "已经曝光", "被曝光", "上了热搜", "上热搜了", "被报道", "已报道", "已经报道", "报道出来",
    "上了新闻", "上电视了", "视频已发", "帖子已发", "story was published", "went viral", "already reported")]
REGULATOR_PHRASES = [Term(t, "regulator_involved") for t in (
    "已经找过工商", "已找工商", "已向工商", "工商已", "工商局已", "市场监管局已", "已向市场监管",
    "已经打了12315", "已打12315", "12315已", "消协已", "已经找过消协", "regulator is involved")]


@dataclass(frozen=True)
class Policy:
    group_threshold: int = 5        # headcount from which a complaint is a group complaint
    large_group: int = 20
    very_large_group: int = 50
    mass_group: int = 100
    urgent_start: timedelta = timedelta(minutes=30)
    routine_progress: timedelta = timedelta(hours=24)
    group_written_reply: timedelta = timedelta(hours=24)
    first_contact: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class TriageInput:
    headcount: int
    texts: tuple[str, ...]
    circumstances: frozenset[str] = frozenset()
    channel: str = Channel.PHONE
    emotion: str = "calm"
    demands_consistent: bool = False
    prior_contact: str = ""
    safety_issue: bool = False


@dataclass
class TriageResult:
    grade: Grade
    urgent: bool
    scope: Scope
    warning_level: int
    observations: dict[str, bool]
    hits: list[dict[str, Any]]
    reasons: list[dict[str, Any]] = field(default_factory=list)
    points: int = 0

    @property
    def klass(self) -> str:
        return f"{'urgent' if self.urgent else 'routine'}_{self.scope.value}"

    @property
    def authority(self) -> dict[str, Any]:
        return AUTHORITY[self.grade.value]

    def deadlines(self, opened_at: datetime, policy: Policy = Policy()) -> dict[str, datetime]:
        """Absolute response deadlines from the class: first contact, start or progress, written reply."""
        out = {"first_contact": opened_at + policy.first_contact,
               "response": opened_at + (policy.urgent_start if self.urgent else policy.routine_progress)}
        if self.scope is Scope.GROUP:
            out["written_reply"] = opened_at + policy.group_written_reply
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"grade": self.grade.value, "urgent": self.urgent, "scope": self.scope.value,
                "class": self.klass, "warning_level": self.warning_level,
                "observations": self.observations, "hits": self.hits, "reasons": self.reasons,
                "points": self.points, "authority": self.authority}


def _grade_for(points: int) -> Grade:
    if points >= 9:
        return Grade.A
    if points >= 7:
        return Grade.B
    if points >= 5:
        return Grade.C
    if points >= 2:
        return Grade.D
    return Grade.E if points == 1 else Grade.F


def triage(inp: TriageInput, lexicon: list[Term], policy: Policy = Policy()) -> TriageResult:
    """Grade an intake: three observations, keyword hits, class and F→A grade with reasons."""
    texts = inp.texts
    hits = find_hits_in(texts, lexicon)
    cats = {h["category"] for h in hits}
    reasons: list[dict[str, Any]] = []
    points = 0

    obs_headcount = inp.headcount >= policy.group_threshold
    obs_emotion = (bool(cats & EMOTION_CATEGORIES) or Circumstance.MEDIA in inp.circumstances
                   or Circumstance.MEDIA_STORY in inp.circumstances)
    obs_consistency = (inp.demands_consistent or bool(inp.prior_contact.strip())
                       or bool(find_hits_in(texts, CONSISTENCY_PHRASES)))
    observations = {"headcount": obs_headcount, "emotion": obs_emotion, "consistency": obs_consistency}
    warning_level = sum(observations.values())

    scope = Scope.GROUP if obs_headcount else Scope.INDIVIDUAL
    urgent = inp.safety_issue or "safety" in cats or obs_emotion

    if scope is Scope.GROUP:
        points += 2
        reasons.append({"code": "group", "headcount": inp.headcount})
        # Twenty households is the qualitative jump practitioners describe; above it, +1 a step.
        for size, pts in ((policy.large_group, 2), (policy.very_large_group, 1), (policy.mass_group, 1)):
            if inp.headcount >= size:
                points += pts
                reasons.append({"code": "headcount_over", "threshold": size})
    if inp.safety_issue or "safety" in cats:
        points += 3
        reasons.append({"code": "safety"})
    if obs_emotion:
        points += 1
        reasons.append({"code": "emotion"})
    if obs_consistency and scope is Scope.GROUP:
        points += 1
        reasons.append({"code": "consistency"})
    risk = min(3, sum(int(h["weight"]) for h in hits if h["category"] != "safety"))
    if risk:
        points += risk
        reasons.append({"code": "keywords", "terms": [h["term"] for h in hits], "points": risk})
    vulnerable = inp.circumstances & {Circumstance.ELDERLY, Circumstance.PREGNANT, Circumstance.CHILDREN}
    if vulnerable and inp.channel == Channel.ON_SITE:
        points += 1
        reasons.append({"code": "vulnerable_on_site", "who": sorted(vulnerable)})
    if Circumstance.MEDIA in inp.circumstances:
        points += 2
        reasons.append({"code": "media_present"})
    if inp.emotion == "angry":
        points += 1
        reasons.append({"code": "angry"})
    published = Circumstance.MEDIA_STORY in inp.circumstances or bool(find_hits_in(texts, PUBLISHED_PHRASES))
    if published:
        points += 2
        reasons.append({"code": "media_story"})

    grade = _grade_for(points)
    # A regulator already involved together with a published story is the director's (A), whatever
    # the headcount: the company now answers in public and to the authorities at once.
    if published and _regulator_involved(inp, lexicon):
        if grade is not Grade.A:
            grade = Grade.A
        reasons.append({"code": "regulator_and_media"})
    # A group complaint or an urgent case always needs at least a team lead (D).
    if (scope is Scope.GROUP or urgent) and grade.rank < Grade.D.rank:
        grade = Grade.D
        reasons.append({"code": "floor_d"})
    return TriageResult(grade=grade, urgent=urgent, scope=scope, warning_level=warning_level,
                        observations=observations, hits=hits, reasons=reasons, points=points)


def _regulator_involved(inp: TriageInput, lexicon: list[Term]) -> bool:
    """The regulator already has the case: flagged at intake, named where they already went, or said so."""
    if Circumstance.REGULATOR in inp.circumstances:
        return True
    if any(h["category"] == "regulator" for h in find_hits(inp.prior_contact, lexicon)):
        return True
    return bool(find_hits_in(inp.texts, REGULATOR_PHRASES))
