"""Vocabulary of an incident, as StrEnums whose values are stored and sent over the API."""
from __future__ import annotations

from enum import StrEnum


class IncidentStatus(StrEnum):
    OPEN = "open"          # intake recorded, not yet under command
    COMMAND = "command"    # task group handling it
    CLOSING = "closing"    # agreements and callbacks under way
    RESOLVED = "resolved"  # -- closing (issue 13): handled, through the closing gate; callbacks follow
    CLOSED = "closed"


class Channel(StrEnum):
    ON_SITE = "on_site"
    PHONE = "phone"
    ONLINE = "online"
    LETTER = "letter"


class ComplaintObject(StrEnum):
    GOODS = "goods"
    SERVICE = "service"
    ENVIRONMENT = "environment"
    OTHER = "other"


class Emotion(StrEnum):
    CALM = "calm"
    ANXIOUS = "anxious"
    DISAPPOINTED = "disappointed"
    ANGRY = "angry"


class Circumstance(StrEnum):
    ELDERLY = "elderly"
    PREGNANT = "pregnant"
    CHILDREN = "children"
    MEDIA = "media"
    # -- intake (issue 12): what has already happened outside, not only what is threatened
    REGULATOR = "regulator"      # a regulator (工商 / 市场监管 / 12315 / 消协) is already involved
    MEDIA_STORY = "media_story"  # a media story about it is already published


class DemandType(StrEnum):
    REFUND = "refund"
    REPAIR = "repair"
    REPLACEMENT = "replacement"
    COMPENSATION = "compensation"  # 补偿: goodwill, no admission of fault
    INDEMNITY = "indemnity"        # 赔偿: may imply liability
    APOLOGY = "apology"
    RECTIFICATION = "rectification"
    OTHER = "other"


class Grade(StrEnum):
    """Escalation ladder: F handled by an agent … A by the director with department heads."""

    F = "F"
    E = "E"
    D = "D"
    C = "C"
    B = "B"
    A = "A"

    @property
    def rank(self) -> int:
        return "FEDCBA".index(self.value)

    @classmethod
    def from_rank(cls, rank: int) -> "Grade":
        return cls("FEDCBA"[max(0, min(5, rank))])

    def raised(self, steps: int = 1) -> "Grade":
        return Grade.from_rank(self.rank + steps)


class Scope(StrEnum):
    INDIVIDUAL = "individual"
    GROUP = "group"


class Seat(StrEnum):
    """Seats of the 1+3+N task group."""

    LEADER = "leader"
    CUSTOMER_SERVICE = "customer_service"
    BUSINESS = "business"
    LEGAL = "legal"
    LOGISTICS = "logistics"
    RECORDER = "recorder"
    TRANSLATOR = "translator"
    AUXILIARY = "auxiliary"  # custom named auxiliary seat


CORE_SEATS = (Seat.LEADER, Seat.CUSTOMER_SERVICE, Seat.BUSINESS, Seat.LEGAL)
