"""JSON shapes of domain objects for the API (phones always masked), and a stored file as the browser
gets it."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response

from incident.attachments.models import Attachment
from incident.models import Incident
from incident.service import deadlines_dict, intake_summary


def incident_brief(inc: Incident) -> dict[str, Any]:
    return {"id": inc.id, "ref": inc.ref, "title": inc.title, "status": inc.status, "grade": inc.grade,
            "urgent": inc.urgent, "scope": inc.scope, "headcount": inc.headcount,
            "opened_at": inc.opened_at.isoformat(), "version": inc.version, "last_seq": inc.last_seq}


def incident_full(inc: Incident) -> dict[str, Any]:
    return incident_brief(inc) | {
        "intake": intake_summary(inc),
        "triage": inc.triage,
        "warning_level": inc.warning_level,
        "deadlines": deadlines_dict(inc),
        "readback_confirmed": None if inc.readback_confirmed_at is None else {
            "at": inc.readback_confirmed_at.isoformat(), "by": inc.readback_confirmed_by_name,
            "recorded_by_id": inc.readback_confirmed_by_id},
        "formed_at": inc.formed_at.isoformat() if inc.formed_at else None,
        "head_hash": inc.head_hash,
        "notes": [{"id": n.id, "author": n.author_name, "at": n.at.isoformat(), "text": n.text}
                  for n in inc.notes],
    }


def inline_file(row: Attachment, data: bytes) -> Response:
    """Answer a stored file's bytes (read and hash-checked) to be shown inline: its type and name, never sniffed."""
    return Response(data, mimetype=row.content_type,
                    headers={"Content-Disposition": f"inline; filename*=UTF-8''{quote(row.filename)}",
                             "X-Content-Type-Options": "nosniff"})
