"""The board (issue 12): the commanding strip, the section navigation and one fragment route per section.

`/incidents/<id>/board/<name>` renders one section alone (or the strip), so each section loads and
refreshes on its own; board.js re-fetches the strip after every event and notification. The overview,
the timeline with its note box and the intake are sections too, registered here.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from incident import clock, service
from incident.access.actor import Actor
from incident.access.permissions import Action, can_map
from incident.errors import NotFound
from incident.intake.readback import readback_text
from incident.models import Incident
from incident.taskgroup.queries import seats_of
from incident.timeline import list_since
from playbooks.board.strip import strip
from realtime.auth import actor
from realtime.dbsession import db
from realtime.sections import Section, register_section, sections

bp = Blueprint("board", __name__)

# What the navigation calls each section (and the element it jumps to); unknown sections use their name.
NAV = {"overview": (_l("Overview"), "overview"), "taskgroup": (_l("Task group"), "taskgroup"),
       "deadlines": (_l("Deadlines & checklist"), "deadlines"), "crowd": (_l("The crowd"), "crowd"),
       "samples": (_l("Samples"), "samples"), "demands": (_l("Demands"), "demands"),
       "agreements": (_l("Agreements"), "agreements"), "timeline": (_l("Timeline & notes"), "timeline-card"),
       "intake": (_l("Intake"), "intake"),
       # sections of later features: the intake edit and robots (issue 12), the written reply,
       # callbacks, ledger and closing (issue 13), the public side (issue 15)
       "intake_edit": (_l("Edit the intake"), "intake-edit"), "replies": (_l("Written reply"), "replies"),
       "callbacks": (_l("Callbacks"), "callbacks"), "ledger": (_l("Ledger"), "ledger"),
       "closing": (_l("Closing"), "closing"), "public": (_l("Public progress"), "public-admin"),
       "robots": (_l("Group robots"), "robots"),
       "opinion": (_l("Opinion watch"), "opinion")}  # -- opinion watch (issue 14)


def nav_items(rendered: list[tuple[Section, dict[str, Any]]]) -> list[dict[str, str]]:
    out = []
    for sec, _ctx in rendered:
        text, anchor = NAV.get(sec.name, (sec.name, sec.name))
        out.append({"name": sec.name, "label": str(text), "anchor": anchor})
    return out


def strip_for(session: Session, a: Actor, inc: Incident) -> dict[str, Any]:
    return strip(session, inc, a.user_id, clock.now())


def _overview(session: Session, a: Actor, inc: Incident, can: dict[str, bool]) -> dict[str, Any]:
    return {"inc": inc}


def _timeline(session: Session, a: Actor, inc: Incident, can: dict[str, bool]) -> dict[str, Any]:
    return {"events": list_since(session, inc.id, max(0, inc.last_seq - 50), 50), "can": can}


def _intake(session: Session, a: Actor, inc: Incident, can: dict[str, bool]) -> dict[str, Any]:
    return {"readback_zh": readback_text(inc, "zh_CN"), "readback_en": readback_text(inc, "en"), "can": can}


register_section(Section("overview", "sections/overview.html", _overview, order=5))
register_section(Section("timeline", "sections/timeline.html", _timeline, order=90))
register_section(Section("intake", "sections/intake.html", _intake, order=95))


@bp.get("/incidents/<int:incident_id>/board/<name>")
def fragment(incident_id: int, name: str):  # type: ignore[no-untyped-def]
    """One section of the board alone (HTML), or the strip ("strip")."""
    a = actor()
    inc = service.load_for(db(), a, incident_id, Action.INCIDENT_VIEW)
    if name == "strip":
        return render_template("sections/_strip.html", inc=inc, strip=strip_for(db(), a, inc))
    sec = next((s for s in sections() if s.name == name), None)
    if sec is None:
        raise NotFound("no such section")
    can = can_map(a, seats_of(db(), inc.id, a.user_id))
    return render_template("sections/_fragment.html", inc=inc, can=can, sec=sec, ctx=sec.provider(db(), a, inc, can))
