"""Who performs an action: a user, or the system itself (scheduler, import job)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    name: str
    role: str  # organisation role: admin / manager / staff, or "system"
    # Organisation qualifications the admin granted (e.g. "legal"); seats may require one.
    qualifications: frozenset[str] = field(default=frozenset())

    @property
    def is_system(self) -> bool:
        return self.user_id is None


SYSTEM = Actor(user_id=None, name="system", role="system")
