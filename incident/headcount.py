"""Who owns an incident's headcount: the intake figure, until a registry of claimants exists.

The one seam between the incident core and the crowd. The claimant registry registers here how to
tell that an incident has a registry (next to its model, so whoever loads the model has the rule);
the core asks before an intake edit of the headcount, and refuses it then, because the registry sets
the headcount itself (its active count). The core never imports the crowd.
"""
from __future__ import annotations

from typing import Callable

from sqlalchemy.orm import Session

Registry = Callable[[Session, int], bool]
_registries: list[Registry] = []


def register_registry(exists: Registry) -> None:
    """Declare a registry that owns the headcount of every incident for which *exists* is true."""
    if exists not in _registries:
        _registries.append(exists)


def owned_by_registry(session: Session, incident_id: int) -> bool:
    """True when a registry owns the incident's headcount (intake edits of the figure are refused)."""
    return any(exists(session, incident_id) for exists in _registries)
