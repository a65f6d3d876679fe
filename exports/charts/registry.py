"""The charts by name: the SVG endpoint (/api/v1/incidents/<id>/charts/<name>.svg), the report PDF
and the summaries draw the same drawing from here. fn(session, incident, say) -> Drawing."""
from __future__ import annotations

from typing import Any, Callable

from sqlalchemy.orm import Session

from exports.charts.crowd import funnel_chart
from exports.charts.deadlines import deadline_chart
from exports.charts.opinion import opinion_chart
from incident.models import Incident
from incident.timeline.render import Say

Chart = Callable[[Session, Incident, Say], Any]
CHARTS: dict[str, Chart] = {"funnel": funnel_chart, "deadlines": deadline_chart,
                            "opinion": opinion_chart}  # -- opinion watch (issue 14)


def register(name: str, fn: Chart) -> Chart:
    CHARTS[name] = fn
    return fn


def get(name: str) -> Chart | None:
    return CHARTS.get(name)
