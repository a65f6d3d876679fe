"""Verification samples: draw k claimants, record each one's outcome and evidence, re-check a draw."""
from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import attachments, clock, service, timeline
from incident.access.actor import Actor
from incident.access.permissions import Action
from incident.crowd.claimants.models import Claimant
from incident.crowd.samples import draws, stats
from incident.crowd.samples.models import Outcome, SampleDraw, SampleMember
from incident.errors import Conflict, NotFound, ValidationError

POPULATION_RULE = "claimants of the incident whose status is not 'withdrawn', at the time of the draw"
MAX_K = 1000


def population(session: Session, incident_id: int) -> dict[str, list[int]]:
    """The current sampling population as {segment: sorted claimant ids}."""
    rows = session.execute(select(Claimant.id, Claimant.segment).where(
        Claimant.incident_id == incident_id,  # -- issue 15: self-registrations count once confirmed
        Claimant.status.notin_(("withdrawn", "pending", "rejected"))).order_by(Claimant.id))
    out: dict[str, list[int]] = {}
    for cid, seg in rows:
        out.setdefault(seg or "", []).append(cid)
    return out


def _int(value: Any, field: str, lo: int, hi: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise ValidationError(f"{field} must be a whole number from {lo} to {hi}", field=field)
    return value


def _text(value: Any, field: str, limit: int, required: bool = True) -> str:
    text = value.strip() if isinstance(value, str) else None
    if text is None and value is not None:
        raise ValidationError(f"{field} must be text", field=field)
    if required and not text:
        raise ValidationError(f"{field} is required", field=field)
    if text and len(text) > limit:
        raise ValidationError(f"{field} is longer than {limit} characters", field=field)
    return text or ""


def draw(session: Session, *, actor: Actor, incident_id: int, claim: Any, k: Any,
         stratified: Any = False) -> SampleDraw:
    """Draw k claimants at random (optionally stratified by segment) and put the full record on the timeline."""
    inc = service.load_for(session, actor, incident_id, Action.SAMPLE_DRAW)
    claim = _text(claim, "claim", 500)
    if not isinstance(stratified, bool):
        raise ValidationError("stratified must be true or false", field="stratified")
    strata = population(session, inc.id)
    size = sum(len(v) for v in strata.values())
    if size == 0:
        raise ValidationError("there are no claimants to draw from", field="k")
    k = _int(k, "k", 1, min(size, MAX_K))
    algorithm = draws.ALGORITHM_STRATIFIED if stratified else draws.ALGORITHM
    seed = secrets.token_hex(32)
    drawn = draws.draw(seed, strata, k, algorithm)
    seg_of = {cid: seg for seg, ids in strata.items() for cid in ids}
    row = SampleDraw(incident_id=inc.id, claim=claim, k=k, stratified=stratified, algorithm=algorithm,
                     seed=seed, population_size=size, population_hash=draws.population_hash(seg_of),
                     drawn_at=clock.now(), drawn_by_id=actor.user_id, drawn_by_name=actor.name,
                     members=[SampleMember(claimant_id=cid, position=i + 1, segment=seg_of[cid])
                              for i, cid in enumerate(drawn)])
    session.add(row)
    session.flush()
    payload: dict[str, Any] = {
        "draw_id": row.id, "claim": claim, "k": k, "stratified": stratified, "algorithm": algorithm,
        "seed": seed, "population_rule": POPULATION_RULE, "population_size": size,
        "population_hash": row.population_hash, "population": strata, "drawn": drawn,
        "summary": f"{k} / {size}: {claim}"}
    if stratified:
        payload["strata_hash"] = draws.strata_hash(strata)
        payload["allocation"] = draws.allocate({s: len(v) for s, v in strata.items()}, k)
    ev = timeline.record(session, inc, "sample.drawn", actor, payload)
    row.event_seq = ev.seq
    return row


def get_draw(session: Session, incident_id: int, draw_id: Any) -> SampleDraw:
    if not isinstance(draw_id, int) or isinstance(draw_id, bool):
        raise NotFound("no such sample draw", field="draw_id")
    row = session.get(SampleDraw, draw_id)
    if row is None or row.incident_id != incident_id:
        raise NotFound("no such sample draw", field="draw_id")
    return row


def get_member(session: Session, incident_id: int, draw_id: Any, member_id: Any) -> SampleMember:
    d = get_draw(session, incident_id, draw_id)
    for m in d.members:
        if m.id == member_id:
            return m
    raise NotFound("no such sampled claimant", field="member_id")


def record_outcome(session: Session, *, actor: Actor, incident_id: int, draw_id: Any, member_id: Any,
                   outcome: Any, note: Any = "", expected_version: int | None = None) -> SampleMember:
    """Record what verification found for one sampled claimant (confirmed/refuted/partly/unreachable)."""
    inc = service.load_for(session, actor, incident_id, Action.SAMPLE_RECORD)
    m = get_member(session, inc.id, draw_id, member_id)
    valid = [o.value for o in Outcome if o is not Outcome.PENDING]
    if outcome not in valid:
        raise ValidationError("outcome must be one of " + ", ".join(valid), field="outcome")
    note = _text(note, "note", 2000, required=False)
    if expected_version is not None and expected_version != m.version:
        raise Conflict("this outcome was changed by someone else; reload and try again", field="version",
                       current_version=m.version)
    before = m.outcome
    m.outcome, m.note = outcome, note
    m.recorded_at, m.recorded_by_name = clock.now(), actor.name
    m.version += 1
    session.flush()
    timeline.record(session, inc, "sample.outcome_recorded", actor, {
        "draw_id": m.draw_id, "member_id": m.id, "claimant_id": m.claimant_id, "from": before,
        "to": outcome, "note": note})
    return m


def add_evidence(session: Session, *, actor: Actor, incident_id: int, draw_id: Any, member_id: Any,
                 filename: str, content_type: str, data: bytes) -> SampleMember:
    """Attach an evidence file (photo, delivery proof, recording) to a sampled claimant."""
    inc = service.load_for(session, actor, incident_id, Action.SAMPLE_RECORD)
    m = get_member(session, inc.id, draw_id, member_id)
    att = attachments.store(session, actor=actor, incident_id=inc.id, filename=filename,
                            content_type=content_type, data=data, purpose="evidence")
    m.attachment_ids = [*(m.attachment_ids or []), att.id]
    m.version += 1
    session.flush()
    timeline.record(session, inc, "sample.evidence_added", actor, {
        "draw_id": m.draw_id, "member_id": m.id, "claimant_id": m.claimant_id, "attachment": att.to_dict(),
        "summary": att.filename})
    return m


def draw_stats(d: SampleDraw, confidence: str = "0.95") -> dict[str, Any]:
    """Outcome counts and the bounds on the share of valid claims (partly/unreachable count as not confirmed)."""
    counts = {o.value: 0 for o in Outcome}
    for m in d.members:
        counts[m.outcome] = counts.get(m.outcome, 0) + 1
    resolved = len(d.members) - counts[Outcome.PENDING.value]
    return {"counts": counts, **stats.summarize(counts[Outcome.CONFIRMED.value], resolved,
                                                d.population_size, confidence)}


def draw_dict(session: Session, d: SampleDraw, confidence: str = "0.95") -> dict[str, Any]:
    names = dict(session.execute(select(Claimant.id, Claimant.name).where(
        Claimant.id.in_([m.claimant_id for m in d.members]))).all()) if d.members else {}
    return {"id": d.id, "claim": d.claim, "k": d.k, "stratified": d.stratified, "algorithm": d.algorithm,
            "seed": d.seed, "population_size": d.population_size, "population_hash": d.population_hash,
            "event_seq": d.event_seq, "drawn_at": d.drawn_at.isoformat(), "drawn_by": d.drawn_by_name,
            "members": [m.to_dict() | {"name": names.get(m.claimant_id, "")} for m in d.members],
            "stats": draw_stats(d, confidence)}


def list_draws(session: Session, incident_id: int) -> list[SampleDraw]:
    return list(session.scalars(select(SampleDraw).where(SampleDraw.incident_id == incident_id)
                                .order_by(SampleDraw.id.desc())))
