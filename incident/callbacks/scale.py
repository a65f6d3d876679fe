"""The vocabulary of a callback: channels, the five-level satisfaction scale, reasons, states."""
from __future__ import annotations

from enum import StrEnum

from incident.labels import LABELS


class Channel(StrEnum):
    PHONE = "phone"
    VISIT = "visit"
    MESSAGE = "message"


# Not a channel staff pick: the claimant answered through their one-time survey link (incident/public).
SURVEY_CHANNEL = "survey"


class Satisfaction(StrEnum):
    """The government 好差评 scale's five levels, best first (the middle one is 一般 here)."""

    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    NEUTRAL = "neutral"
    DISSATISFIED = "dissatisfied"
    VERY_DISSATISFIED = "very_dissatisfied"

    @property
    def unhappy(self) -> bool:
        return self in (Satisfaction.DISSATISFIED, Satisfaction.VERY_DISSATISFIED)


SCALE = tuple(Satisfaction)
REASONS = ("not_solved", "too_slow", "attitude", "compensation_low", "not_informed", "promise_broken", "other")


class CallbackStatus(StrEnum):
    OPEN = "open"                # not answered yet (scheduled, due or overdue: see queries.state)
    DONE = "done"                # reached, satisfaction recorded
    UNREACHABLE = "unreachable"  # not reached after the configured number of attempts


class Target(StrEnum):
    CLAIMANT = "claimant"
    REPRESENTATIVE = "representative"  # for the claimants they represent
    COMPLAINANT = "complainant"        # an incident without a claimant registry


class Anchor(StrEnum):
    """The named moments a callback's offset is counted from."""

    REPLY_ISSUED = "reply_issued"
    DEMANDS_FULFILLED = "demands_fulfilled"
    AGREEMENT_SEALED = "agreement_sealed"
    INCIDENT_RESOLVED = "incident_resolved"
    SECOND_ROUND = "second_round"  # not for playbooks: the callback that follows an unhappy answer


LABELS.update({
    "callback_channel": {"phone": "phone", "visit": "visit", "message": "message",
                         SURVEY_CHANNEL: "online survey (the claimant)"},
    "satisfaction": {"very_satisfied": "very satisfied", "satisfied": "satisfied", "neutral": "neutral",
                     "dissatisfied": "dissatisfied", "very_dissatisfied": "very dissatisfied"},
    "callback_reason": {"not_solved": "the problem is not solved", "too_slow": "handling was too slow",
                        "attitude": "staff attitude", "compensation_low": "compensation too low",
                        "not_informed": "not kept informed", "promise_broken": "a promise was not kept",
                        "other": "other"},
    "callback_state": {"scheduled": "not due yet", "due": "due to be called", "overdue": "overdue", "done": "done",
                       "unreachable": "unreachable"},
    "callback_target": {"claimant": "claimant", "representative": "representative",
                        "complainant": "complainant"},
    "callback_anchor": {"reply_issued": "the written reply was issued",
                        "demands_fulfilled": "the demand items were fulfilled",
                        "agreement_sealed": "the agreements were sealed",
                        "incident_resolved": "the incident was resolved",
                        "second_round": "the second round started"},
})
