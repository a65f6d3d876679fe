"""Domain errors; the web layer maps each class to one HTTP status."""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of all errors a user can cause; carries a code and an optional field."""

    code = "error"

    def __init__(self, message: str, *, field: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details


class ValidationError(DomainError):
    code = "invalid"


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"


class Conflict(DomainError):
    """A stale write or a state that does not allow the action."""

    code = "conflict"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class Throttled(DomainError):
    code = "throttled"
