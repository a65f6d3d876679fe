"""Sections of the incident page, contributed by features (task group, crowd, playbooks, agreements).

Each feature registers its template, a provider that returns the template's variables, and
optionally a script; the page renders them in order. Sections refresh themselves live from
timeline events in their own script (window.Concord.onEvent).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from flask import render_template
from sqlalchemy.orm import Session

from incident import service
from incident.access.actor import Actor
from incident.access.permissions import Action, can_map
from incident.models import Incident
from incident.taskgroup.queries import seats_of
from realtime.auth import actor
from realtime.dbsession import db

Provider = Callable[[Session, Actor, Incident, dict[str, bool]], dict[str, Any]]


@dataclass(frozen=True)
class Section:
    name: str
    template: str
    provider: Provider
    order: int = 100
    script: str | None = None  # file under static/


_sections: dict[str, Section] = {}


def register_section(section: Section) -> None:
    """Add (or replace, by name) a section of the incident page."""
    _sections[section.name] = section


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda s: (s.order, s.name))


def render_section(incident_id: int, name: str) -> str:
    """Render one registered section alone, as its script re-fetches it when one of its events arrives."""
    a = actor()
    inc = service.load_for(db(), a, incident_id, Action.INCIDENT_VIEW)
    can = can_map(a, seats_of(db(), inc.id, a.user_id))
    sec = _sections[name]
    return render_template(sec.template, inc=inc, can=can, section=sec.provider(db(), a, inc, can))
