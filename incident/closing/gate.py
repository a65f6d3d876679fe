"""The closing gate: what must hold before an incident may be resolved or closed.

Each feature that leaves work open (demand items, agreements, payments, callbacks, sign-offs)
registers one condition here, next to its own code; resolving and closing evaluate them all and are
refused with the list of what is still open. The gate knows no feature: a condition is a function
`fn(session, incident) -> list[GateItem]` returning one item per thing it checks (passing items too,
so the board can show the whole checklist).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Callable

from sqlalchemy.orm import Session

from incident.models import Incident


@dataclass(frozen=True)
class GateItem:
    key: str                 # stable id, e.g. "demands.open_items" (for tests and links, never shown)
    label: str               # English msgid of the requirement, e.g. "every demand item is fulfilled"
    ok: bool
    detail: str = ""         # English msgid with %(name)s placeholders filled from params
    params: dict[str, Any] = field(default_factory=dict)
    section: str = ""        # board section that resolves it ("demands", "agreements", …)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


Condition = Callable[[Session, Incident], list[GateItem]]
_conditions: dict[str, Condition] = {}


def register(name: str, condition: Condition) -> None:
    """Add (or replace, by name) a condition of the closing gate."""
    _conditions[name] = condition


def evaluate(session: Session, inc: Incident) -> list[GateItem]:
    """Every registered condition's items, in registration order."""
    items: list[GateItem] = []
    for condition in _conditions.values():
        items.extend(condition(session, inc))
    return items


def open_items(session: Session, inc: Incident) -> list[GateItem]:
    """The items that still block resolving or closing (empty when the gate passes)."""
    return [item for item in evaluate(session, inc) if not item.ok]
