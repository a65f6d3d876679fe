"""Domain errors; the web layer maps each class to one HTTP status."""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of all errors a user can cause; carries a code and an optional field."""

    code = "error"
    # details whose values are msgids themselves, translated with the message (e.g. Forbidden's "what")
    translated: tuple[str, ...] = ()

    def __init__(self, message: str, *, field: str | None = None, **details: Any) -> None:
        # The message may be a template with %(name)s placeholders filled from field and details:
        # the English text is the template filled in, and the web layer translates the template.
        self.template = message
        self.field = field
        self.details = details
        self.message = _fill(message, {"field": field, **details})
        super().__init__(self.message)

    def localized(self, gettext: Any, field_label: str | None = None) -> str:
        """The message in the user's language (the English text when no translation exists)."""
        params = {"field": field_label or self.field, **self.details}
        for key in self.translated:
            if isinstance(params.get(key), str):
                params[key] = gettext(params[key])
        return _fill(gettext(self.template), params)


def _fill(template: str, params: dict[str, Any]) -> str:
    if "%(" not in template:
        return template
    try:
        return template % params
    except (KeyError, ValueError, TypeError):
        return template


class ValidationError(DomainError):
    code = "invalid"


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"
    translated = ("what",)


class Conflict(DomainError):
    """A stale write or a state that does not allow the action."""

    code = "conflict"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class Throttled(DomainError):
    code = "throttled"


# -- one writer at a time (issue 17)
class Busy(DomainError):
    """The database stayed locked by other writers past its wait (busy_timeout): try again shortly."""

    code = "busy"


# -- resource faults (issue 17)
class StorageFull(DomainError):
    """The instance folder's disk (or quota) is full: nothing was kept, the partial file is gone."""

    code = "storage_full"


class Unavailable(DomainError):
    """A resource the request needs is gone for now (storage read-only or missing, the database
    connection lost mid-transaction): nothing was written; try again shortly."""

    code = "unavailable"
