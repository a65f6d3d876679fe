"""Re-run a draw from its timeline event alone and compare it with the record and today's crowd."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident.crowd.samples import draws
from incident.crowd.samples.models import SampleDraw
from incident.crowd.samples.service import population
from incident.errors import NotFound
from incident.models import Incident
from incident.timeline.models import Event
from incident.timeline.verify import verify_chain


@dataclass
class DrawCheck:
    draw_id: int
    event_seq: int | None = None
    chain_ok: bool = False
    reproduced: bool = False          # the event's seed/algorithm/population give its drawn ids
    matches_record: bool = False      # … and the stored sample members are those ids
    population_unchanged: bool = False
    added: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    moved: list[int] = field(default_factory=list)  # changed segment (matters for stratified draws)
    problems: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 all good, 1 the sample cannot be reproduced or the record was altered, 2 the crowd changed."""
        if not (self.chain_ok and self.reproduced and self.matches_record):
            return 1
        return 0 if self.population_unchanged else 2

    def to_dict(self) -> dict[str, Any]:
        return {"draw_id": self.draw_id, "event_seq": self.event_seq, "chain_ok": self.chain_ok,
                "reproduced": self.reproduced, "matches_record": self.matches_record,
                "population_unchanged": self.population_unchanged, "added": self.added,
                "removed": self.removed, "moved": self.moved, "problems": self.problems,
                "exit_code": self.exit_code}


def find_event(session: Session, incident_id: int, draw_id: int) -> Event:
    """The sample.drawn event of a draw (searched by payload, not through the draw row)."""
    for ev in session.scalars(select(Event).where(Event.incident_id == incident_id,
                                                  Event.type == "sample.drawn").order_by(Event.seq)):
        if isinstance(ev.payload, dict) and ev.payload.get("draw_id") == draw_id:
            return ev
    raise NotFound("no sample.drawn event for this draw on the incident's timeline", field="draw_id")


def rerun(payload: dict[str, Any]) -> tuple[list[int], list[str]]:
    """Re-draw from an event payload; returns the ids and any inconsistency within the event."""
    problems: list[str] = []
    strata = {str(s): [int(i) for i in ids] for s, ids in payload["population"].items()}
    ids = [i for v in strata.values() for i in v]
    if draws.population_hash(ids) != payload.get("population_hash"):
        problems.append("the population listed in the event does not match its population_hash")
    if payload.get("stratified") and draws.strata_hash(strata) != payload.get("strata_hash"):
        problems.append("the segments listed in the event do not match their strata_hash")
    if len(ids) != payload.get("population_size"):
        problems.append("the population size in the event does not match its population list")
    try:
        drawn = draws.draw(str(payload["seed"]), strata, int(payload["k"]), str(payload["algorithm"]))
    except ValueError as err:
        return [], problems + [str(err)]
    return drawn, problems


def verify_draw(session: Session, incident_id: int, draw_id: int) -> DrawCheck:
    """Check a draw: chain intact, sample reproduced from the event, record and population unchanged."""
    inc = session.get(Incident, incident_id)
    if inc is None:
        raise NotFound("no such incident", field="incident_id")
    out = DrawCheck(draw_id)
    ev = find_event(session, incident_id, draw_id)
    out.event_seq = ev.seq
    chain = verify_chain(session, incident_id, anchor_seq=inc.last_seq, anchor_hash=inc.head_hash)
    out.chain_ok = chain.ok
    if not chain.ok:
        out.problems.append(f"timeline chain broken at seq {chain.broken_seq}: {chain.reason}")
    drawn, problems = rerun(ev.payload)
    out.problems += problems
    out.reproduced = not problems and drawn == [int(i) for i in ev.payload.get("drawn", [])]
    if not out.reproduced and not problems:
        out.problems.append("re-running the draw gives a different sample than the event records")
    row = session.get(SampleDraw, draw_id)
    stored = [m.claimant_id for m in row.members] if row and row.incident_id == incident_id else None
    out.matches_record = stored == drawn and row is not None and row.seed == ev.payload.get("seed")
    if not out.matches_record:
        out.problems.append("the stored sample differs from the draw recorded on the timeline")
    then = {int(i): str(s) for s, ids in ev.payload["population"].items() for i in ids}
    now = {i: s for s, ids in population(session, incident_id).items() for i in ids}
    out.added = sorted(set(now) - set(then))
    out.removed = sorted(set(then) - set(now))
    out.moved = sorted(i for i in set(now) & set(then) if now[i] != then[i])
    same_ids = draws.population_hash(now) == ev.payload.get("population_hash")
    out.population_unchanged = same_ids and not (ev.payload.get("stratified") and out.moved)
    if not out.population_unchanged:
        out.problems.append(f"the population changed since the draw: {len(out.added)} added, "
                            f"{len(out.removed)} removed, {len(out.moved)} changed segment")
    return out
