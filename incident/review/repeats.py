"""Repeat complaints: the same place and problem type again within a window, and the same phone
number in several incidents — matched through the keyed blind index (incident/privacy.py), never
decrypted; only the stored masked number (138****5678) is shown."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, union_all
from sqlalchemy.orm import Session

from incident.crowd.claimants.models import Claimant
from incident.models import IncidentContact
from incident.review.rows import Case, Taxonomy


def place_and_type(period_cases: list[Case], earlier: list[Case], window_days: int,
                   tax: Taxonomy) -> list[dict[str, Any]]:
    """Per (place, problem type): the cases of the period that opened within the window after
    another case there with that type (in or before the period); refs: those cases and the ones
    they repeat, oldest first."""
    window = timedelta(days=window_days)
    keyed: dict[tuple[str, int], list[Case]] = {}
    for c in {c.incident_id: c for c in [*earlier, *period_cases]}.values():
        if c.place and c.type_id is not None:
            keyed.setdefault((c.place, c.type_id), []).append(c)
    inside = {c.incident_id for c in period_cases}
    out = []
    for (place, type_id), group in keyed.items():
        group.sort(key=lambda c: (c.opened_at, c.incident_id))
        pairs = [(a, b) for a, b in zip(group, group[1:])
                 if b.incident_id in inside and b.opened_at - a.opened_at <= window]
        if pairs:
            refs = list(dict.fromkeys(c.ref for pair in pairs for c in pair))
            out.append({"place": place, "type": tax.name(type_id), "group": tax.group(type_id),
                        "repeats": len(pairs), "refs": refs})
    return sorted(out, key=lambda g: (-g["repeats"], g["place"], g["type"] or ""))


def phones(session: Session, period_cases: list[Case], earlier: list[Case]) -> list[dict[str, Any]]:
    """Phone numbers (blind index) met in two or more incidents, at least one of them in the period."""
    cases = {c.incident_id: c for c in [*earlier, *period_cases]}
    inside = {c.incident_id for c in period_cases}
    seen: dict[str, tuple[str, set[int]]] = {}
    ids = list(cases)
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        q = union_all(
            select(IncidentContact.phone_index, IncidentContact.phone_masked, IncidentContact.incident_id)
            .where(IncidentContact.incident_id.in_(chunk)),
            select(Claimant.phone_index, Claimant.phone_masked, Claimant.incident_id)
            .where(Claimant.incident_id.in_(chunk), Claimant.phone_index != ""))
        for index, masked, incident_id in session.execute(q):
            if index:
                seen.setdefault(index, (masked, set()))[1].add(incident_id)
    out = [{"masked": masked, "incidents": len(inc), "refs": sorted(cases[i].ref for i in inc)}
           for masked, inc in seen.values() if len(inc) > 1 and inc & inside]
    return sorted(out, key=lambda p: (-p["incidents"], p["refs"]))
