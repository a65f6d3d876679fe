"""The public pages: /p (progress by code), the poster, self-registration, the claimant's copy, the survey."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_babel import gettext

from exports.pdf.poster import poster_pdf, qr_png
from exports.signing import public_report
from incident.errors import DomainError, Forbidden, NotFound
from incident.public import lookup, registration, survey
from incident.public.models import CodeKind
from realtime.dbsession import db
from realtime.public.view import opened, progress

bp = Blueprint("public_pages", __name__)
VIEWS = ("progress", "claimant_copy", "register_form", "register", "poster", "poster_png", "poster_pdf",
         "survey_start", "survey_form", "survey_answer")
PROGRESS_PATH = "/p"


def base_url() -> str:
    s = current_app.extensions["concord.settings"]
    return (s.public_url or request.host_url).rstrip("/")


def progress_address() -> str:
    """The one fixed address of the progress page (printed on posters, in SMS texts, on agreements)."""
    return base_url() + PROGRESS_PATH


def _code_arg() -> str:
    return (request.values.get("code") or "")[:64]


def _refused(template: str, err: DomainError, status: int, **ctx: Any):  # type: ignore[no-untyped-def]
    from realtime.errors import localized
    db().rollback()
    return render_template(template, error=localized(err), address=progress_address(), **ctx), status


@bp.get(PROGRESS_PATH, endpoint="progress")
def progress_page():  # type: ignore[no-untyped-def]
    code = _code_arg()
    if not code:
        return render_template("public/progress.html", view=None, code="", address=progress_address())
    try:
        row, view = progress(code)
    except NotFound as err:
        return _refused("public/progress.html", err, 404, view=None, code="")
    code_id = row.id
    html = render_template("public/progress.html", view=view, code=code, address=progress_address())
    opened(code_id)
    return html



@bp.post("/p/agreement")
def claimant_copy():  # type: ignore[no-untyped-def]
    """The claimant's own sealed agreement, after the second factor (last four digits of the phone)."""
    code = _code_arg()
    try:
        row = lookup.resolve(db(), code, kinds=(CodeKind.CLAIMANT.value,))
        if not lookup.second_factor(db(), row, request.form.get("last4", "")):
            raise Forbidden("the last four digits do not match the phone number we have", field="last4")
        ag = public_report.for_claimant(db(), row.incident_id, row.claimant_id or 0)
        pdf = public_report.sealed_copy(db(), ag) if ag is not None else None
        if ag is None or pdf is None:
            raise NotFound("there is no sealed agreement to download yet", field="code")
    except (NotFound, Forbidden) as err:
        try:
            _row, view = progress(code)
        except NotFound:
            view = None
        return _refused("public/progress.html", err, 403 if isinstance(err, Forbidden) else 404,
                        view=view, code=code if view else "")
    db().rollback()
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{ag.ref}.pdf"'})


@bp.get("/p/register")
def register_form():  # type: ignore[no-untyped-def]
    code = _code_arg()
    try:
        row = lookup.resolve(db(), code, kinds=(CodeKind.INCIDENT.value,))
    except NotFound as err:
        return _refused("public/progress.html", err, 404, view=None, code="")
    from incident.models import Incident
    try:
        registration.ensure_open_for_registration(db().get(Incident, row.incident_id))
    except DomainError as err:  # a closed case: say so before anyone types their details
        return _refused("public/register.html", err, 409, code=code, form={}, closed=True)
    return render_template("public/register.html", code=code, form={}, error=None)


@bp.post("/p/register")
def register():  # type: ignore[no-untyped-def]
    code = _code_arg()
    form = {k: request.form.get(k, "")[:2000] for k in ("name", "unit", "phone", "demand")}
    try:
        row = lookup.resolve(db(), code, kinds=(CodeKind.INCIDENT.value,))
        registration.register(db(), incident_id=row.incident_id, data=form | {
            "consent": request.form.get("consent") == "1"})
        db().commit()
    except NotFound as err:
        return _refused("public/progress.html", err, 404, view=None, code="")
    except DomainError as err:
        return _refused("public/register.html", err, 400, code=code, form=form)
    return render_template("public/registered.html", code=code)


def _poster_code() -> tuple[str, str]:
    code = _code_arg()
    row = lookup.resolve(db(), code, kinds=(CodeKind.INCIDENT.value,))
    from incident.models import Incident
    inc = db().get(Incident, row.incident_id)
    db().rollback()
    return code, inc.ref if inc is not None else ""


def _page_url(code: str) -> str:
    from urllib.parse import quote
    return f"{progress_address()}?code={quote(code)}"


@bp.get("/p/poster")
def poster():  # type: ignore[no-untyped-def]
    try:
        code, case = _poster_code()
    except NotFound as err:
        return _refused("public/progress.html", err, 404, view=None, code="")
    return render_template("public/poster.html", code=code, case=case, address=progress_address())


@bp.get("/p/poster.png")
def poster_png():  # type: ignore[no-untyped-def]
    code, _case = _poster_code()
    return Response(qr_png(_page_url(code)), mimetype="image/png")


@bp.get("/p/poster.pdf", endpoint="poster_pdf")
def poster_pdf_view():  # type: ignore[no-untyped-def]
    code, case = _poster_code()
    pdf = poster_pdf(address=progress_address(), code=code, url=_page_url(code), case=case, _=gettext)
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": 'inline; filename="poster.pdf"'})



@bp.post("/p/survey")
def survey_start():  # type: ignore[no-untyped-def]
    """Open a one-time survey link from the claimant's progress page."""
    code = _code_arg()
    try:
        row = lookup.resolve(db(), code, kinds=(CodeKind.CLAIMANT.value,))
        token = survey.open_link(db(), claimant_code=row)
        db().commit()
    except DomainError as err:
        return _refused("public/progress.html", err, 404 if isinstance(err, NotFound) else 409, view=None, code="")
    return redirect(url_for("public_pages.survey_form", token=token))


@bp.get("/p/survey/<token>")
def survey_form(token: str):  # type: ignore[no-untyped-def]
    try:
        link = lookup.resolve(db(), token, kinds=(CodeKind.SURVEY.value,))
        if link.used_at is not None:
            raise NotFound(lookup.UNKNOWN, field="token")
        fate = survey.fate_now(db(), link)
    except NotFound as err:
        return _refused("public/progress.html", err, 404, view=None, code="")
    db().rollback()
    return render_template("public/survey.html", token=token, reasons=survey.REASONS, error=None, fate=fate)


@bp.post("/p/survey/<token>")
def survey_answer(token: str):  # type: ignore[no-untyped-def]
    try:
        row = survey.answer(db(), token=token, data={"score": request.form.get("score", ""),
                                                     "reasons": request.form.getlist("reasons"),
                                                     "text": request.form.get("text", "")})
        fate = survey.fate_of(db(), row)
        db().commit()
    except NotFound as err:
        return _refused("public/progress.html", err, 404, view=None, code="")
    except DomainError as err:
        return _refused("public/survey.html", err, 400, token=token, reasons=survey.REASONS)
    return render_template("public/thanks.html", fate=fate.value)
