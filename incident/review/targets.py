"""What a period's handling is measured against: minutes per moment, the satisfaction target, the
window in which a complaint counts as a repeat. Defaults follow the standard playbook (first contact
within 15 minutes, the task group within the formation clock, the written reply within 24 hours) and
DOMAIN.md (callbacks within a week); the instance's concord.json overrides them (`review_targets`,
`satisfaction_target`, `repeat_window_days` in incident/settings.py), see docs/review.md."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

MOMENTS = ("first_contact", "formation", "written_reply", "resolution")
DEFAULT_MINUTES = {"first_contact": 15, "formation": 30, "written_reply": 24 * 60, "resolution": 7 * 24 * 60}


@dataclass(frozen=True)
class Targets:
    minutes: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_MINUTES))
    satisfaction: float = 0.85
    repeat_window_days: int = 30

    def to_dict(self) -> dict[str, Any]:
        return {"minutes": dict(self.minutes), "satisfaction": self.satisfaction,
                "repeat_window_days": self.repeat_window_days}


def from_settings(settings: Any, playbook_minutes: Mapping[str, int] | None = None) -> Targets:
    """Defaults, then what the playbook says, then the instance (formation clock, concord.json)."""
    minutes = dict(DEFAULT_MINUTES)
    minutes.update({k: int(v) for k, v in (playbook_minutes or {}).items() if k in MOMENTS})
    minutes["formation"] = int(getattr(settings, "formation_minutes", 0) or minutes["formation"])
    minutes.update({k: int(v) for k, v in (getattr(settings, "review_targets", None) or {}).items() if k in MOMENTS})
    return Targets(minutes=minutes, satisfaction=float(getattr(settings, "satisfaction_target", 0.85)),
                   repeat_window_days=int(getattr(settings, "repeat_window_days", 30)))
