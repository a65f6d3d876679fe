"""Agreement pages: one agreement (review diff, next step, signature pad) and the template editor."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from exports.agreements import service, templates
from incident.access.permissions import Action
from realtime.auth import actor
from realtime.dbsession import db
from realtime.http.inputs import parse_int

pages = Blueprint("agreement_pages", __name__)


@pages.get("/agreements/<int:agreement_id>")
def detail(agreement_id: int):  # type: ignore[no-untyped-def]
    from incident.access.permissions import can_map
    from incident.taskgroup.queries import seats_of
    a = actor()
    ag, _inc = service.load_for(db(), a, agreement_id, Action.INCIDENT_VIEW)
    seats = seats_of(db(), ag.incident_id, a.user_id)
    can = can_map(a, seats)
    # -- board (issue 12): the whole agreement, every clause, shown before the pad
    from exports.agreements.clauses import whole_text
    from exports.agreements.terms import from_dict
    return render_template("agreements/detail.html", ag=ag, terms=ag.terms, can=can,
                           review=service.review(db(), actor=a, agreement_id=ag.id),
                           whole=whole_text(from_dict(ag.terms), ag.ref))


@pages.route("/agreement-templates", methods=["GET", "POST"])
def templates_page():  # type: ignore[no-untyped-def]
    from exports.agreements.terms import CLAUSES
    from incident.errors import DomainError
    error, status = None, 200
    if request.method == "POST":
        f = request.form
        try:
            version = parse_int(f.get("version"))
            templates.edit(db(), actor=actor(), locale=f.get("locale", ""), note=f.get("note", ""),
                           clauses={k: f.get(f"clause_{k}", "") for k in CLAUSES}, expected_version=version)
            db().commit()
        except DomainError as err:
            db().rollback()
            from realtime.errors import status_of
            from realtime.security.recorder import note_error
            note_error(err, status_of(err))  # -- security log (issue 10): a refused edit counts
            error, status = err, 400
    current = [templates.current(db(), loc) for loc in ("zh_CN", "en")]
    db().commit()
    return render_template("agreements/templates.html", current=current, history=templates.listing(db()),
                           clause_keys=CLAUSES, can_edit=templates.may_edit(db(), actor()),
                           error=error), status
