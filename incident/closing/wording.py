"""The words of the closing events (see incident/timeline/render.py)."""
from __future__ import annotations

from typing import Any

from incident.timeline.render import Say, detail


@detail("closing.signed_off")
def _signed_off(say: Say, p: dict[str, Any]) -> str:
    return say.join(say.label("seat", p.get("seat")), p.get("name"), say.text(p.get("note"), 80))


@detail("closing.item_closed")
def _item_closed(say: Say, p: dict[str, Any]) -> str:
    return say.join(say.label("demand_type", p.get("type")), say.label("item_status", p.get("status")),
                    say.text(p.get("reason"), 80))


@detail("closing.gate_overridden")
def _overridden(say: Say, p: dict[str, Any]) -> str:
    return say.join(say.change("status", p.get("from"), p.get("to")),
                    say("%(n)s open items", n=len(p.get("open_items") or [])), say.text(p.get("reason"), 80))


@detail("archive.updated", "archive.recorded")
def _archive(say: Say, p: dict[str, Any]) -> str:
    return say.join(say("round %(n)s", n=p.get("round", 1)), p.get("problem_type"),
                    say.text(p.get("root_cause"), 80))


@detail("archive.improvement_added", "archive.improvement_updated", "archive.improvement_overdue")
def _improvement(say: Say, p: dict[str, Any]) -> str:
    return say.join(say.text(p.get("title"), 80), p.get("owner"), say.label("improvement_status", p.get("status")),
                    say.time(p.get("due_at"), "date"))
