"""Agreement templates: one row per version, per name and locale; legal edits by adding a version."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from exports.agreements.clauses import default_clauses
from exports.agreements.models import AgreementTemplate
from exports.agreements.terms import CLAUSES, LOCALES, parse_clauses
from incident import clock
from incident.access.actor import Actor
from incident.access.permissions import Action, allowed, require
from incident.errors import NotFound, ValidationError

DEFAULT_NAME = "settlement"


def newest(session: Session, name: str, locale: str) -> AgreementTemplate | None:
    """The newest stored version of the template *name* in *locale*, if any (the table also holds the
    written reply's versions)."""
    if locale not in LOCALES:
        raise ValidationError(f"locale must be one of {', '.join(LOCALES)}", field="locale")
    return session.scalars(select(AgreementTemplate).where(
        AgreementTemplate.name == name, AgreementTemplate.locale == locale)
        .order_by(AgreementTemplate.version.desc()).limit(1)).first()


def current(session: Session, locale: str, name: str = DEFAULT_NAME) -> AgreementTemplate:
    """The newest version of a template (a read: version 1 is seeded by the migrations)."""
    row = newest(session, name, locale)
    if row is None:
        if name != DEFAULT_NAME:
            raise NotFound(f"no template named {name!r}", field="template")
        raise NotFound("the default agreement template is missing; run `concord init`", field="template")
    return row


def seed_defaults(session: Session) -> int:
    """Add version 1 of the default template for every locale that has none; the number added."""
    added = 0
    for locale in LOCALES:
        if session.scalar(select(func.count(AgreementTemplate.id)).where(
                AgreementTemplate.name == DEFAULT_NAME, AgreementTemplate.locale == locale)):
            continue
        session.add(AgreementTemplate(name=DEFAULT_NAME, locale=locale, version=1,
                                      clauses=default_clauses(locale), note="default",
                                      created_at=clock.now(), created_by_name="system"))
        added += 1
    session.flush()
    return added


def get(session: Session, template_id: int) -> AgreementTemplate:
    row = session.get(AgreementTemplate, template_id) if isinstance(template_id, int) else None
    if row is None:
        raise NotFound("no such template", field="template_id")
    return row


def listing(session: Session) -> list[AgreementTemplate]:
    """Every version of every agreement template, newest first."""
    # -- callbacks (issue 13): the written reply's wording shares the table under its own name
    return list(session.scalars(select(AgreementTemplate).where(AgreementTemplate.name != "written_reply").order_by(
        AgreementTemplate.name, AgreementTemplate.locale, AgreementTemplate.version.desc())))


def may_edit(session: Session, actor: Actor) -> bool:
    """Legal staff (the admin's qualification), wherever they sit: templates are organisation-wide."""
    return allowed(Action.TEMPLATE_EDIT, actor.role, qualifications=actor.qualifications)


def edit(session: Session, *, actor: Actor, locale: str, clauses: object, note: object = "",
         name: str = DEFAULT_NAME, expected_version: int | None = None) -> AgreementTemplate:
    """Save a new version of a template; agreements already drafted keep theirs."""
    require(session, actor, Action.TEMPLATE_EDIT)
    base = current(session, locale, name)
    if expected_version is not None and expected_version != base.version:
        from incident.errors import Conflict
        raise Conflict("the template was changed by someone else; reload", field="version",
                       current_version=base.version)
    new = parse_clauses(clauses, base.clauses)
    for key in CLAUSES:
        if not new.get(key):
            raise ValidationError(f"clause {key} may not be empty", field=f"clauses.{key}")
    if not isinstance(note, str) or len(note) > 300:
        raise ValidationError("note must be text of at most 300 characters", field="note")
    if new == base.clauses:
        return base
    row = AgreementTemplate(name=name, locale=locale, version=base.version + 1, clauses=new, note=note,
                            created_at=clock.now(), created_by_id=actor.user_id,
                            created_by_name=actor.name)
    session.add(row)
    session.flush()
    return row
