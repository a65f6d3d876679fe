"""Which playbooks an incident gets by default, from its class and intake (the default_when rules)."""
from __future__ import annotations

from typing import Any

from incident.models import Incident
from playbooks.spec import Playbook


def facts(inc: Incident) -> dict[str, Any]:
    """What the conditions look at: the triage class and scope, intake fields, risk categories."""
    tri = inc.triage or {}
    return {"class": tri.get("class"), "scope": inc.scope, "complaint_object": inc.complaint_object,
            "channel": inc.channel, "circumstances": set(inc.circumstances or []),
            "risk_category": {h.get("category") for h in tri.get("hits", [])},
            "safety_issue": bool(inc.safety_issue), "urgent": bool(inc.urgent), "headcount": inc.headcount}


def matches(cond: dict[str, Any], f: dict[str, Any]) -> bool:
    """All keys of one condition hold (lists: any of; sets: overlap; min_headcount: at least)."""
    for key, want in cond.items():
        have = f.get(key)
        if key == "min_headcount":
            if (f["headcount"] or 0) < want:
                return False
        elif isinstance(have, set):
            if not have & set(want):
                return False
        elif isinstance(want, list):
            if have not in want:
                return False
        elif have != want:
            return False
    return True


def default_keys(inc: Incident, registry: dict[str, Playbook]) -> list[str]:
    """Keys of the playbooks whose default_when has a matching condition, in key order."""
    f = facts(inc)
    return [k for k, pb in sorted(registry.items()) if any(matches(c, f) for c in pb.default_when)]
