"""Exports API: the whole case as one XLSX workbook, each of its tables as CSV (issue 14)."""
from __future__ import annotations

import inspect

from flask import Blueprint, Response, request
from flask_babel import get_locale

from exports.charts import output
from exports.charts.registry import CHARTS
from exports.workbook import writer
from incident import service as incidents
from incident.access.permissions import Action
from incident.errors import NotFound, ValidationError
from incident.timeline.render import Say
from exports.workbook.registry import ordered
from realtime.auth import actor
from realtime.dbsession import db
from realtime.openapi import file, register

bp = Blueprint("exports", __name__, url_prefix="/api/v1/incidents/<int:incident_id>")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _locale() -> str:
    return str(get_locale() or "zh_CN")


@bp.get("/workbook.xlsx")
def workbook(incident_id: int):  # type: ignore[no-untyped-def]
    """The case as one workbook: a sheet per table, labels in the reader's language, contacts masked."""
    inc, data = writer.workbook(db(), actor=actor(), incident_id=incident_id, locale=_locale())
    return Response(data, mimetype=XLSX, headers={
        "Content-Disposition": f'attachment; filename="{inc.ref}.xlsx"', "Cache-Control": "no-store"})


@bp.get("/tables/<string:name>.csv")
def table(incident_id: int, name: str):  # type: ignore[no-untyped-def]
    """One table of the workbook as UTF-8 CSV (with BOM)."""
    inc, data = writer.csv_table(db(), actor=actor(), incident_id=incident_id, name=name, locale=_locale())
    return Response(data, mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{inc.ref}-{name}.csv"', "Cache-Control": "no-store"})


@bp.get("/charts/<string:name>.svg")
def chart(incident_id: int, name: str):  # type: ignore[no-untyped-def]
    """A chart as SVG: the same drawing the incident report embeds (funnel, deadlines, opinion …: exports/charts/registry.py)."""
    inc = incidents.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    draw = CHARTS.get(name)
    if draw is None:
        raise NotFound("unknown chart %(name)s; one of: %(names)s", field="name", name=name[:40],
                       names=", ".join(CHARTS))
    # width: a narrower drawing for a phone's board (the same figures; its text stays legible at 390 px)
    raw, kw = request.args.get("width"), {}
    if raw not in (None, ""):
        if not raw.isdecimal() or not 280 <= int(raw) <= 800 or "width" not in inspect.signature(draw).parameters:
            raise ValidationError("width must be a whole number from 280 to 800", field="width")
        kw["width"] = float(raw)
    svg = output.svg(draw(db(), inc, Say(_locale()), **kw))
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


register("exports.chart", path={"name": {"type": "string", "enum": sorted(CHARTS)}},
         query={"width": {"type": "integer", "minimum": 280, "maximum": 800}},
         responses={200: file("image/svg+xml", description="the chart the incident report embeds")})
register("exports.workbook", responses={200: file(XLSX, description="the case workbook, contacts masked")})
register("exports.table", path={"name": {"type": "string", "enum": [s.name for s in ordered()]}},
         responses={200: file("text/csv", description="one table of the case workbook")})
