"""A playbook as loaded and validated: steps with phase, seat, deadline, evidence, dependencies."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from playbooks.timing import Offset


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
