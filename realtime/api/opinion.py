"""Opinion watch API (issue 14): the watch of an incident, watching a source, a snapshot with its
screenshot (JSON, or multipart from the phone's camera), the reply to a negative post, the
screenshot itself, the summary to forward (text in both languages + the chart as an image), and the
board section, re-fetched live when an opinion event reaches the room."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from exports.charts import output
from exports.charts.opinion import opinion_chart
from incident import service
from incident.access.permissions import Action
from incident.attachments import files as attachments
from incident.errors import NotFound
from incident.models import Incident
from incident.opinion import queries, summary
from incident.opinion import service as opinion
from incident.opinion.models import OpinionSnapshot
from incident.opinion.platforms import METRICS, Platform
from incident.timeline.render import Say
from playbooks.scheduler.opinion import rule
from realtime.auth import actor
from realtime.dbsession import db
from realtime.http.params import json_body
from realtime.http.serialize import inline_file
from realtime.openapi import BOOL, INT, JSON, MULTIPART, STR, TIME, array, file, null, obj, register
from realtime.sections import Section, register_section, render_section

bp = Blueprint("opinion_api", __name__)
API = "/api/v1/incidents/<int:incident_id>/opinion"


@bp.get(API)
def watch(incident_id: int):  # type: ignore[no-untyped-def]
    """Every watched source with its snapshots, growth, reply deadline and next snapshot due."""
    inc = service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    return jsonify(queries.watch(db(), inc.id, rule()))


@bp.post(API + "/sources")
def add_source(incident_id: int):  # type: ignore[no-untyped-def]
    """Watch a post, video or review (platform, url, title, first seen, negative)."""
    data = json_body()
    src = opinion.add_source(db(), actor=actor(), incident_id=incident_id, platform=data.get("platform"),
                             url=data.get("url"), title=data.get("title"), first_seen_at=data.get("first_seen_at"),
                             negative=data.get("negative"), rule=rule())
    db().commit()
    return jsonify(queries.source_dict(src, rule())), 201


@bp.post(API + "/sources/<int:source_id>/snapshots")
def add_snapshot(incident_id: int, source_id: int):  # type: ignore[no-untyped-def]
    """Record the figures the platform shows now; multipart carries the screenshot (field screenshot)."""
    shot = None
    if request.mimetype == "multipart/form-data":
        data: dict[str, Any] = {k: request.form.get(k) for k in (*METRICS, "taken_at", "note")}
        f = request.files.get("screenshot")
        if f is not None and f.filename:
            shot = (f.filename, f.mimetype or "", f.read())
    else:
        data = json_body()
    snap = opinion.add_snapshot(db(), actor=actor(), incident_id=incident_id, source_id=source_id, data=data,
                                screenshot=shot, rule=rule())
    db().commit()
    return jsonify(queries.source_dict(snap.source, rule())), 201


@bp.post(API + "/sources/<int:source_id>/reply")
def reply(incident_id: int, source_id: int):  # type: ignore[no-untyped-def]
    """Record the reply posted to a negative post or review (text, optional link)."""
    data = json_body()
    src = opinion.record_reply(db(), actor=actor(), incident_id=incident_id, source_id=source_id,
                               text=data.get("text"), url=data.get("url"))
    db().commit()
    return jsonify(queries.source_dict(src, rule())), 201


@bp.get(API + "/snapshots/<int:snapshot_id>/screenshot")
def screenshot(incident_id: int, snapshot_id: int):  # type: ignore[no-untyped-def]
    """A snapshot's screenshot, checked against its stored hash."""
    inc = service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    snap = db().get(OpinionSnapshot, snapshot_id)
    if snap is None or snap.incident_id != inc.id or snap.attachment_id is None:
        raise NotFound("no such screenshot", field="snapshot_id")
    return inline_file(*attachments.read(db(), snap.attachment_id, inc.id))


def _summary(session: Any, inc: Incident) -> dict[str, Any]:
    w = queries.watch(session, inc.id, rule())
    return {"text": {loc: summary.text(inc, w, Say(loc)) for loc in ("zh_CN", "en")},
            "image_url": f"/api/v1/incidents/{inc.id}/opinion/summary.png"}


@bp.get(API + "/summary")
def brief(incident_id: int):  # type: ignore[no-untyped-def]
    """The short summary the leader forwards upward: text in Chinese and English, and the chart's address."""
    inc = service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    return jsonify(_summary(db(), inc))


@bp.get(API + "/summary.png")
def brief_image(incident_id: int):  # type: ignore[no-untyped-def]
    """The trend chart as a picture (PNG; SVG where no rasteriser is installed)."""
    inc = service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    locale = request.args.get("locale") if request.args.get("locale") in ("zh_CN", "en") else "zh_CN"
    data, media = output.png(opinion_chart(db(), inc, Say(locale)))
    return Response(data, mimetype=media, headers={"Cache-Control": "no-store",
                                                   "Content-Disposition": f'inline; filename="{inc.ref}-opinion"'})


# -- OpenAPI
COUNT = {"type": "integer", "minimum": 0, "maximum": 2_000_000_000}
GROWTH = obj(**{m: null(INT) for m in METRICS})
SNAPSHOT = obj(id=INT, taken_at=TIME, growth=GROWTH, minutes=null(INT), note=STR, attachment_id=null(INT),
               screenshot_sha256=null(STR), recorded_by=STR, **{m: null(INT) for m in METRICS})
SOURCE = obj(id=INT, platform={"enum": [p.value for p in Platform]}, url=STR, title=STR, first_seen_at=TIME,
             negative=BOOL, reply_due_at=null(TIME), reply_state=null({"enum": ["open", "overdue", "replied", "replied_late"]}),
             replied_at=null(TIME), reply_text=STR, reply_url=STR, replied_by=STR, alerts=array(STR),
             rate_30min=null(INT), next_snapshot_due_at=TIME, snapshot_overdue=BOOL, snapshots=array(SNAPSHOT))
RULE = obj(metric=STR, growth_30min=INT, reads_level=INT, reply_hours={"type": "number"}, cadence_minutes=INT)
FIGURES = {m: COUNT for m in METRICS} | {"taken_at": TIME, "note": {"type": "string", "maxLength": 1000}}
register("opinion_api.watch", responses={200: obj(rule=RULE, sources=array(SOURCE), next_snapshot_due_at=null(TIME),
                                                   negative_open=INT)})
register("opinion_api.add_source", body={"type": "object", "required": ["platform", "url", "title"], "properties": {
    "platform": {"enum": [p.value for p in Platform]}, "url": {"type": "string", "maxLength": 1000},
    "title": {"type": "string", "maxLength": 300}, "first_seen_at": TIME, "negative": BOOL}}, responses={201: SOURCE})
register("opinion_api.add_snapshot", media={JSON: {"type": "object", "properties": FIGURES},
                                            MULTIPART: {"type": "object", "properties": {
                                                "screenshot": {"type": "string", "format": "binary"},
                                                **{k: STR for k in FIGURES}}}}, responses={201: SOURCE})
register("opinion_api.reply", body={"type": "object", "required": ["text"], "properties": {
    "text": {"type": "string", "maxLength": 2000}, "url": {"type": "string", "maxLength": 1000}}},
    responses={201: SOURCE})
register("opinion_api.screenshot", responses={200: file("image/jpeg", "image/png", "image/webp", "image/heic",
                                                        description="the snapshot's screenshot")})
register("opinion_api.brief", responses={200: obj(text=obj(zh_CN=STR, en=STR), image_url=STR)})
register("opinion_api.brief_image", query={"locale": {"enum": ["zh_CN", "en"]}},
         responses={200: file("image/png", "image/svg+xml", description="the opinion trend chart")})


def _provider(session: Any, a: Any, inc: Incident, can: dict[str, bool]) -> dict[str, Any]:
    return queries.watch(session, inc.id, rule()) | {"platforms": [p.value for p in Platform], "metrics": list(METRICS),
                                                      "summary": _summary(session, inc)}


@bp.get("/incidents/<int:incident_id>/sections/opinion")
def fragment(incident_id: int):  # type: ignore[no-untyped-def]
    """The opinion section alone, re-fetched by opinion.js when an opinion event arrives."""
    return render_section(incident_id, "opinion")


register_section(Section("opinion", "sections/opinion.html", _provider, order=35, script="opinion.js"))
