"""The review of a period (issue 14): the page (/review), its JSON (/api/v1/review), its PDF and its
charts as SVG — all from one incident.review.service.review() call with the same filters."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask_babel import get_locale

from exports.charts import output
from exports.charts.review import pareto_chart, trend_chart
from exports.reports import review_text
from exports.reports.review import review_pdf
from incident.access.permissions import Action, require
from incident.errors import NotFound, ValidationError
from incident.review import period as periods
from incident.review import rows, targets
from incident.review.service import review
from incident.timeline.render import Say
from realtime.auth import actor
from realtime.dbsession import db
from realtime.http.params import int_arg
from realtime.openapi import file, obj, register

bp = Blueprint("review", __name__)
CHARTS = {"pareto": pareto_chart, "trend": trend_chart}
TARGET_STEPS = ("first_contact", "written_reply")  # playbook steps counted from the opening


def _locale() -> str:
    return str(get_locale() or "zh_CN")


def _targets() -> targets.Targets:
    """The playbook's first-contact and written-reply deadlines, then the instance's settings."""
    from playbooks import loader
    pb = loader.get("property_mass")
    minutes = {s.id: s.offset.minutes for s in (pb.steps if pb else ())
               if s.id in TARGET_STEPS and s.offset and s.anchor == "incident.opened"}
    return targets.from_settings(current_app.extensions["concord.settings"], minutes)


def _figures() -> dict[str, Any]:
    a = request.args
    p = periods.parse(a.get("month"), a.get("from"), a.get("to"))
    place = (a.get("place") or "").strip()
    if len(place) > 300:
        raise ValidationError("%(field)s is too long", field="place")
    type_id = int_arg("problem_type", 0, 0) or None
    tax = rows.taxonomy(db())
    if type_id is not None and tax.name(type_id) is None:
        raise ValidationError("no such problem type", field="problem_type")
    data = review(db(), actor=actor(), period=p, place=place or None, type_id=type_id, targets=_targets())
    data["filters"]["problem_type"] = tax.name(type_id) if type_id else None
    return data


@bp.get("/api/v1/review")
def figures():  # type: ignore[no-untyped-def]
    """Every figure of the review of a period (month by default), optionally for one place or type."""
    return jsonify(_figures())


@bp.get("/api/v1/review.pdf")
def pdf():  # type: ignore[no-untyped-def]
    """The review as a PDF, in the reader's language."""
    data = _figures()
    body = review_pdf(data, locale=_locale(), org=current_app.extensions["concord.settings"].org_name)
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="review-{data["period"]["key"]}.pdf"',
        "Cache-Control": "no-store"})


@bp.get("/api/v1/review/charts/<string:name>.svg")
def chart(name: str):  # type: ignore[no-untyped-def]
    """A chart of the review as SVG: the same drawing the PDF embeds."""
    draw = CHARTS.get(name)
    if draw is None:
        raise NotFound("unknown chart %(name)s; one of: %(names)s", field="name", name=name[:40],
                       names=", ".join(CHARTS))
    svg = output.svg(draw(_figures(), Say(_locale())))
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


@bp.get("/review")
def page():  # type: ignore[no-untyped-def]
    """The review page: filters, headline figures, both charts, every table."""
    require(db(), actor(), Action.REVIEW_VIEW)
    data = _figures()
    say = Say(_locale())
    query = {k: v for k, v in request.args.items() if k in ("month", "from", "to", "place", "problem_type") and v}
    months = periods.trend_months(periods.last_month(), 12)
    return render_template("review.html", data=data, say=say, words=review_text, query=query,
                           months=[m.key() for m in reversed(months)], places=rows.places(db()),
                           types=rows.taxonomy(db()).names)


PERIOD_QUERY = {"month": {"type": "string", "pattern": r"^\d{4}-\d{2}$"},
                "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
                "place": {"type": "string", "maxLength": 300}, "problem_type": {"type": "integer", "minimum": 1}}
REVIEW = obj({"segments": {"type": "array"}}, period=obj(), filters=obj(), targets=obj(), total={"type": "integer"},
             demo={"type": "integer"}, problem_types={"type": "array"}, places={"type": "array"},
             grades={"type": "array"}, handling=obj(), overdue_steps={"type": "array"}, satisfaction=obj(),
             repeats=obj(), paid=obj(), improvements=obj())
register("review.figures", query=PERIOD_QUERY, responses={200: REVIEW})
register("review.pdf", query=PERIOD_QUERY, responses={200: file("application/pdf", description="the review PDF")})
register("review.chart", query=PERIOD_QUERY, path={"name": {"type": "string", "enum": sorted(CHARTS)}},
         responses={200: file("image/svg+xml", description="a chart of the review")})
