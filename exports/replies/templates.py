"""The written reply's template: wording legal edits, kept as versions in the agreement template table.

Version 0 is the built-in wording (English msgids, translated); legal staff save versions 1, 2, …
under the name "written_reply" (one row per version and locale, like agreement templates). A read
never writes: with no saved version the built-in wording is used.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from exports.agreements.models import AgreementTemplate
from exports.agreements.templates import newest
from incident import clock
from incident.access.actor import Actor
from incident.access.permissions import Action, require
from incident.errors import Conflict, ValidationError
from incident.i18n import Translator

NAME = "written_reply"
PARTS = ("title", "opening", "facts", "closing", "contact")
MAX_PART = 4000
DEFAULT = {
    "title": "Written reply on incident %(ref)s",
    "opening": "To the representatives of the complainants, and through them to every complainant: thank you for "
               "your patience. After verifying the facts, we reply to your demand in writing as follows.",
    "facts": "Your demand: %(demand)s. The task group verified it with records, on-site checks and the "
             "complainants' own accounts.",
    "closing": "Each measure below is carried out by its deadline; we will call you back afterwards to ask "
               "whether you are satisfied. If anything is unclear, please contact us.",
    "contact": "Contact: %(contact)s",
}


def current(session: Session, locale: str) -> tuple[int, dict[str, str]]:
    """(version, wording) of the newest template in *locale*; version 0 is the built-in one."""
    row = newest(session, NAME, locale)
    if row is None:
        _ = Translator(locale)
        return 0, {k: _(v) for k, v in DEFAULT.items()}
    return row.version, dict(row.clauses)


def edit(session: Session, *, actor: Actor, locale: str, parts: object, note: object = "",
         expected_version: int | None = None) -> tuple[int, dict[str, str]]:
    """Save a new version of the reply template (legal staff); replies already drafted keep theirs."""
    require(session, actor, Action.TEMPLATE_EDIT)
    version, base = current(session, locale)
    if expected_version is not None and expected_version != version:
        raise Conflict("the template was changed by someone else; reload", field="version",
                       current_version=version)
    if not isinstance(parts, dict):
        raise ValidationError("parts must be an object", field="parts")
    new = dict(base)
    for key, value in parts.items():
        if key not in PARTS:
            raise ValidationError(f"unknown part {key!r}", field=f"parts.{key}")
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_PART:
            raise ValidationError(f"part {key} must be a text of 1 to {MAX_PART} characters", field=f"parts.{key}")
        new[key] = value.strip()
    if not isinstance(note, str) or len(note) > 300:
        raise ValidationError("note must be text of at most 300 characters", field="note")
    if new == base:
        return version, base
    session.add(AgreementTemplate(name=NAME, locale=locale, version=version + 1, clauses=new, note=note,
                                  created_at=clock.now(), created_by_id=actor.user_id, created_by_name=actor.name))
    session.flush()
    return version + 1, new


def fill(text: str, values: dict[str, str]) -> str:
    """Fill %(name)s placeholders legal may use; an unknown or broken one leaves the text as written."""
    try:
        return text % values
    except (KeyError, ValueError, TypeError):
        return text
