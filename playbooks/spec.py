"""A playbook as loaded and validated: steps with phase, seat, deadline, evidence, dependencies."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Callable

from incident.callbacks.scale import Anchor, Target
from playbooks.timing import Offset, parse_offset


class Phase(StrEnum):
    INTAKE = "intake"
    COMMAND = "command"
    CLOSE = "close"


class Evidence(StrEnum):
    NOTE = "note"
    ATTACHMENT = "attachment"


class OverdueAction(StrEnum):
    REMIND_SEAT = "remind_seat"      # inbox + toast to whoever holds the step's seat
    NOTIFY_LEADER = "notify_leader"  # inbox + toast to the leader, webhook and e-mail
    ESCALATE = "escalate"            # raise the grade one level, reason on the timeline


# Conditions a playbook may use to be attached by default when an incident opens.
CONDITION_KEYS = {"class": list, "scope": list, "complaint_object": list, "channel": list,
                  "circumstances": list, "risk_category": list, "safety_issue": bool, "urgent": bool,
                  "min_headcount": int}


@dataclass(frozen=True)
class Step:
    id: str
    title: dict[str, str]
    phase: Phase
    seat: str
    anchor: str | None = None          # event type ("incident.opened") or "step:<id>"
    offset: Offset | None = None
    business_hours: bool = False
    evidence: tuple[Evidence, ...] = ()
    depends_on: tuple[str, ...] = ()
    on_overdue: tuple[OverdueAction, ...] = ()
    repeat: Offset | None = None       # a recurring step: the next round is due this long after a tick
    done_by: str | None = None         # -- callbacks (issue 13): an event type that completes the step
    second_round: bool = False         # -- its deadline starts again (a new round) at a second round (二次处理)

    @property
    def anchor_step(self) -> str | None:
        return self.anchor[5:] if self.anchor and self.anchor.startswith("step:") else None


@dataclass(frozen=True)
class Playbook:
    key: str
    title: dict[str, str]
    steps: tuple[Step, ...]
    default_when: tuple[dict[str, Any], ...] = ()
    source: str = ""
    callbacks: tuple["CallbackSpec", ...] = ()  # -- callbacks (issue 13)

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)


@dataclass(frozen=True)
class Issue:
    """One validation error: where it is (file, step, field) and what is wrong."""

    file: str
    step: str | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"step {self.step!r}, " if self.step else ""
        return f"{self.file}: {where}field {self.field!r}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "step": self.step, "field": self.field, "message": self.message}


@dataclass
class PlaybookInvalid(Exception):
    issues: list[Issue] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(i) for i in self.issues)


def title_in(title: dict[str, str], locale: str) -> str:
    """The title in a locale, falling back to the other language."""
    return title.get(locale) or title.get("zh_CN") or title.get("en") or ""


# -- callbacks (issue 13): the `callbacks:` declarations of a playbook
CALLBACK_KEYS = {"after", "in", "per", "attempts", "window"}
ANCHORS = tuple(a.value for a in Anchor if a is not Anchor.SECOND_ROUND)
PER = (Target.CLAIMANT.value, Target.REPRESENTATIVE.value)


@dataclass(frozen=True)
class CallbackSpec:
    after: str
    offset: Offset
    per: str = Target.CLAIMANT.value
    attempts: int = 3
    window: Offset = Offset(24, "h")


def parse_callbacks(raw: Any, add: Callable[[str | None, str, str], None]) -> tuple[CallbackSpec, ...]:
    """Validate a playbook's `callbacks:` list, reporting each problem through add(step, field, msg)."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        add(None, "callbacks", "must be a list")
        return ()
    out = []
    for i, item in enumerate(raw):
        where = f"callbacks[{i}]"
        if not isinstance(item, dict):
            add(None, where, "must be a mapping with after, in and optionally per, attempts, window")
            continue
        for extra in sorted(set(item) - CALLBACK_KEYS):
            add(None, f"{where}.{extra}", f"unknown field; allowed: {', '.join(sorted(CALLBACK_KEYS))}")
        ok = True
        if item.get("after") not in ANCHORS:
            add(None, f"{where}.after", f"must be one of {', '.join(ANCHORS)}")
            ok = False
        per = item.get("per", Target.CLAIMANT.value)
        if per not in PER:
            add(None, f"{where}.per", "must be claimant or representative")
            ok = False
        attempts = item.get("attempts", 3)
        if not isinstance(attempts, int) or isinstance(attempts, bool) or not 1 <= attempts <= 10:
            add(None, f"{where}.attempts", "must be a whole number from 1 to 10")
            ok = False
        offsets = []
        for fld, default in (("in", None), ("window", "+24h")):
            try:
                offsets.append(parse_offset(item.get(fld, default)))
            except ValueError as err:
                add(None, f"{where}.{fld}", str(err))
                ok = False
        if ok:
            out.append(CallbackSpec(item["after"], offsets[0], per, attempts, offsets[1]))
    return tuple(out)
