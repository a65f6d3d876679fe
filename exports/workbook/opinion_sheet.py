"""The opinion watch's sheet (issue 14): one row per snapshot — the source, its figures, the growth
since the previous snapshot, the screenshot's hash — times in the display zone."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from exports.workbook.core_sheets import when, zone_header
from exports.workbook.registry import Sheet, Table, register
from incident.models import Incident
from incident.opinion import growth
from incident.opinion.models import OpinionSource
from incident.opinion.platforms import METRICS
from incident.opinion.service import sources
from incident.timeline.render import Say


def _opinion(session: Session, inc: Incident, say: Say) -> Table:
    names = [say.label("opinion_metric", m) for m in METRICS]
    headers = [say("Platform"), say("Title"), say("web address"), say("negative"), zone_header(say, "Time"), *names,
               *[f"{n} +" for n in names], say("screenshot"), say("Who")]
    out: list[list[Any]] = []
    for src in sources(session, inc.id):
        snaps = {s.taken_at: s for s in src.snapshots}
        for r in growth.rows(src.snapshots):
            s = snaps[r["taken_at"]]
            out.append([say.label("opinion_platform", src.platform), src.title, src.url,
                        say("negative") if src.negative else "", when(say, s.taken_at), *[r[m] for m in METRICS],
                        *[r["growth"][m] for m in METRICS], s.screenshot_sha256 or "", s.recorded_by_name])
    return Table(headers, out)


def _watched(session: Session, inc: Incident) -> bool:
    return session.scalar(select(OpinionSource.id).where(OpinionSource.incident_id == inc.id).limit(1)) is not None


register(Sheet("opinion", "Opinion watch", _opinion, 70, present=_watched))
