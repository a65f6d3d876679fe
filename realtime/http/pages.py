"""Server-rendered pages: login, incident list, intake form, incident page, lexicon admin."""
from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from incident import service
from incident.access.permissions import Action, can_map, require
from incident.accounts import sessions as login_sessions
from incident.accounts import throttle
from incident.accounts.models import User
from incident.accounts.throttle import LoginFailed, LoginThrottled
from incident.enums import Channel, Circumstance, ComplaintObject, DemandType, Emotion
from incident.errors import (
    DomainError,
    NotFound,
    ValidationError,
)
from incident.i18n import normalize_locale
from incident.intake.readback import readback_text
from incident.intake.schema import parse_intake
from incident.security.log import Kind
from incident.taskgroup.queries import active_seats, seats_of
from incident.timeline import list_since
from incident.triage import store as lexicon
from realtime.auth import actor, start_session
from realtime.dbsession import db
from realtime.errors import localized, status_of
from realtime.http.inputs import ID_MAX, parse_int
from realtime.sections import sections
from realtime.security import devices, recorder
from realtime.security.redirects import safe_next
from realtime.sessions import control as session_control

bp = Blueprint("pages", __name__)

ENUMS = {"channels": [c.value for c in Channel], "objects": [o.value for o in ComplaintObject],
         "circumstances": [c.value for c in Circumstance], "emotions": [e.value for e in Emotion],
         "demand_types": [d.value for d in DemandType]}


def _next() -> str:
    """The `next` of this request, through the one redirect check (realtime/security/redirects.py)."""
    return safe_next(request.args.get("next"), url_for("pages.index"))


def _name_of(user_id: int | None) -> str:
    user = db().get(User, user_id) if user_id is not None else None
    return user.display_name if user is not None else ""


@bp.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    error, status, headers = None, 200, {}
    target = _next()  # a control character in `next` is a 400 before anything else happens
    if request.method == "POST":
        try:
            ls = throttle.login(db(), username=request.form.get("username", ""),
                                password=request.form.get("password", ""),
                                client=recorder.client_address(), devices=devices.known_devices())
            # -- accounts (issue 10): device and address for "my sessions"; TOTP users give a code next
            needs_code = login_sessions.after_login(db(), ls, user_agent=request.user_agent.string,
                                                    address=recorder.client_address())
            db().commit()
            lang = session.get("lang")
            start_session(ls.id)
            if lang:
                session["lang"] = lang
            if needs_code:
                resp = redirect(url_for("account.login_code", next=request.args.get("next") or None))
            else:
                resp = redirect(target)
            devices.remember(resp, ls.user_id)
            return resp
        except LoginThrottled as err:
            recorder.add(Kind.LOGIN_THROTTLED, user_id=err.user_id, user_name=_name_of(err.user_id),
                         status=429, counter=err.key, retry_after=err.details.get("retry_after"))
            db().commit()
            wait = err.details.get("retry_after", 60)
            error, status, headers = _("Too many failed logins. Try again in %(s)s seconds.", s=wait), 429, \
                {"Retry-After": str(wait)}
        except LoginFailed as err:
            recorder.add(Kind.LOGIN_FAILED, user_id=err.user_id, user_name=_name_of(err.user_id),
                         status=401, reason=err.reason)
            db().commit()  # keep the failure counts
            error, status = _("Wrong username or password."), 401
    return render_template("login.html", error=error), status, headers


@bp.post("/logout")
def logout():  # type: ignore[no-untyped-def]
    # -- accounts (issue 10): the session ends, and so do its sockets in every server process
    ended = login_sessions.end(db(), session.get("sid"), "logout")
    db().commit()
    session_control.sessions_ended(current_app._get_current_object(), ended, "logout")  # type: ignore[attr-defined]
    session.clear()
    return redirect(url_for("pages.login"))


@bp.get("/lang/<code>")
def set_language(code: str):  # type: ignore[no-untyped-def]
    target = _next()
    session["lang"] = normalize_locale(code)
    return redirect(target)


@bp.get("/")
def index():  # type: ignore[no-untyped-def]
    incidents = service.visible_incidents(db(), actor())
    # -- board (issue 12): the list as a queue, soonest breach first, with filters and search
    from incident import clock
    from playbooks.board import queue
    filters = queue.Filters.parse(request.args)
    rows = queue.queue(db(), incidents, actor().user_id, clock.now(), filters)
    return render_template("incidents.html", incidents=incidents, queue=rows, filters=filters,
                           grades=queue.GRADES, statuses=queue.STATUSES)


def _form_intake() -> dict[str, Any]:
    f = request.form
    names, phones = f.getlist("contact_name"), f.getlist("contact_phone")
    data: dict[str, Any] = {k: f.get(k, "") for k in (
        "title", "core_demand", "headcount", "scope_text", "channel", "complaint_object", "demand_type",
        "place", "occurred_at", "complainant_name", "emotion", "prior_contact", "notes")}
    for flag in ("anonymous", "demands_consistent", "safety_issue"):
        data[flag] = f.get(flag) == "on"
    data["circumstances"] = f.getlist("circumstances")
    data["contacts"] = [{"name": n, "phone": p} for n, p in zip(names, phones)]
    return data


@bp.route("/incidents/new", methods=["GET", "POST"])
def new_incident():  # type: ignore[no-untyped-def]
    require(db(), actor(), Action.INCIDENT_OPEN)
    error = None
    data: dict[str, Any] = {}
    if request.method == "POST":
        data = _form_intake()
        try:
            inc = service.open_incident(db(), actor=actor(), intake=parse_intake(data),
                                        formation_minutes=current_app.extensions["concord.settings"].formation_minutes)
            db().commit()
            return redirect(url_for("pages.incident", incident_id=inc.id))
        except ValidationError as err:
            db().rollback()
            error = err
    return render_template("incident_new.html", data=data, error=error, **ENUMS), (400 if error else 200)


@bp.get("/incidents/<int:incident_id>")
def incident(incident_id: int):  # type: ignore[no-untyped-def]
    a = actor()
    inc = service.load_for(db(), a, incident_id, Action.INCIDENT_VIEW)
    events = list_since(db(), inc.id, max(0, inc.last_seq - 50), 50)
    seats = seats_of(db(), inc.id, a.user_id)
    can = can_map(a, seats)
    rendered = [(sec, sec.provider(db(), a, inc, can)) for sec in sections()]
    # -- board (issue 12): the strip and the navigation over the sections
    from realtime.http import board
    return render_template("incident.html", inc=inc, events=events, seats=active_seats(db(), inc.id),
                           readback_zh=readback_text(inc, "zh_CN"), readback_en=readback_text(inc, "en"),
                           can=can, sections=rendered, strip=board.strip_for(db(), a, inc),
                           nav=board.nav_items(rendered))


def _incident_action(incident_id: int, fn: Any) -> Any:
    try:
        fn()
        db().commit()
    except DomainError as err:
        db().rollback()
        recorder.note_error(err, status_of(err))  # -- security log (issue 10): refusals count too
        session["flash_error"] = localized(err)
    return redirect(url_for("pages.incident", incident_id=incident_id))


@bp.post("/incidents/<int:incident_id>/notes")
def add_note(incident_id: int):  # type: ignore[no-untyped-def]
    return _incident_action(incident_id, lambda: service.add_note(
        db(), actor=actor(), incident_id=incident_id, text=request.form.get("text", "")))


@bp.post("/incidents/<int:incident_id>/readback")
def confirm_readback(incident_id: int):  # type: ignore[no-untyped-def]
    return _incident_action(incident_id, lambda: service.confirm_readback(
        db(), actor=actor(), incident_id=incident_id, confirmed_by=request.form.get("confirmed_by", "")))


@bp.route("/admin/lexicon", methods=["GET", "POST"])
def admin_lexicon():  # type: ignore[no-untyped-def]
    require(db(), actor(), Action.LEXICON_EDIT)
    error = None
    if request.method == "POST":
        try:
            if request.form.get("toggle"):
                keyword_id = parse_int(request.form["toggle"])
                if keyword_id is None or not 0 < keyword_id <= ID_MAX:
                    raise NotFound("no such keyword", field="toggle")
                lexicon.set_active(db(), keyword_id, request.form.get("active") == "1")
            else:
                weight = parse_int(request.form.get("weight", "1"))
                lexicon.add_keyword(db(), term=request.form.get("term", ""),
                                    category=request.form.get("category", ""),
                                    weight=-1 if weight is None else weight)
            db().commit()
            return redirect(url_for("pages.admin_lexicon"))
        except DomainError as err:
            db().rollback()
            error = err
    return render_template("admin_lexicon.html", keywords=lexicon.list_keywords(db()),
                           categories=lexicon.CATEGORIES, error=error), (400 if error else 200)
