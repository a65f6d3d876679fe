"""Batches over a segment: draft (and submit) every claimant's agreement, or seal every signed one.

Sealing uses a process pool (both cores): the parent prepares render inputs from the database,
workers render and sign, the parent stores each result with its own timeline event. Progress is a
timeline event at every tenth of the way (so the live page shows a bar); a cancel flag on the batch
row is read between chunks.
"""
from __future__ import annotations

import multiprocessing as mp
import os
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from exports.agreements import service
from exports.agreements.enums import AgreementStatus as S
from exports.agreements.enums import BatchStatus
from exports.agreements.models import Agreement, AgreementBatch
from exports.signing import service as sealing
from exports.signing.worker import Job, init_worker, seal_job
from incident import attachments, clock, timeline
from incident import service as incidents
from incident.access.actor import Actor
from incident.access.permissions import Action
from incident.crowd.claimants.models import Claimant, ClaimantStatus
from incident.errors import Conflict, DomainError, NotFound, ValidationError
from incident.settings import Settings

KINDS = ("generate", "seal")
CHUNK = 16
COMMIT_EVERY = 8


def start(session: Session, *, actor: Actor, incident_id: int, kind: Any, segment: Any,
          proof: Any = None) -> AgreementBatch:
    """Create a batch row (the caller commits, then runs it); a seal batch needs a fresh proof
    (incident.accounts.sessions.confirm_secret), like sealing one agreement."""
    if kind not in KINDS:
        raise ValidationError(f"kind must be one of {', '.join(KINDS)}", field="kind")
    if not isinstance(segment, str):
        raise ValidationError("segment must be text", field="segment")
    inc = incidents.load_for(session, actor, incident_id,
                             Action.AGREEMENT_SEAL if kind == "seal" else Action.AGREEMENT_DRAFT)
    if kind == "seal":
        sealing.require_fresh_proof(actor, proof)
    busy = session.scalars(select(AgreementBatch).where(AgreementBatch.incident_id == inc.id,
                                                        AgreementBatch.status == BatchStatus.RUNNING.value)).first()
    if busy is not None:
        raise Conflict("another batch is running for this incident", field="kind", batch_id=busy.id)
    b = AgreementBatch(incident_id=inc.id, kind=kind, segment=segment, status=BatchStatus.RUNNING.value,
                       started_at=clock.now(), started_by_name=actor.name)
    session.add(b)
    session.flush()
    timeline.record(session, inc, "agreement.batch_started", actor,
                    {"batch_id": b.id, "kind": kind, "segment": segment, "summary": f"{kind} · {segment}"})
    return b


def cancel(session: Session, *, actor: Actor, batch_id: Any) -> AgreementBatch:
    b = session.get(AgreementBatch, batch_id) if isinstance(batch_id, int) else None
    if b is None:
        raise NotFound("no such batch", field="batch_id")
    incidents.load_for(session, actor, b.incident_id, Action.AGREEMENT_DRAFT)
    if b.status == BatchStatus.RUNNING.value:
        b.cancel_requested = True
    return b


def _progress(session: Session, b: AgreementBatch, actor: Actor, last_tenth: list[int]) -> None:
    tenth = (10 * b.done // b.total) if b.total else 10
    if tenth > last_tenth[0] and b.done < b.total:
        last_tenth[0] = tenth
        inc = incidents.get(session, b.incident_id, lock=True)
        timeline.record(session, inc, "agreement.batch_progress", actor, {
            "batch_id": b.id, "done": b.done, "total": b.total, "failed": b.failed,
            "summary": f"{b.done}/{b.total}"})


def _finish(session: Session, b: AgreementBatch, actor: Actor, status: BatchStatus, error: str = "") -> None:
    b.status, b.finished_at, b.error = status.value, clock.now(), error[:2000]
    inc = incidents.get(session, b.incident_id, lock=True)
    timeline.record(session, inc, "agreement.batch_finished", actor, {
        "batch_id": b.id, "kind": b.kind, "status": b.status, "done": b.done, "total": b.total,
        "failed": b.failed, "summary": f"{b.status} · {b.done}/{b.total}"})


def _cancelled(session: Session, b: AgreementBatch) -> bool:
    session.refresh(b, ["cancel_requested"])
    return b.cancel_requested


def run(factory: Callable[[], Session], batch_id: int, actor: Actor, settings: Settings,
        data: dict[str, Any] | None = None, processes: int | None = None) -> AgreementBatch:
    """Run a created batch to its end (or cancellation); commits as it goes."""
    session = factory()
    try:
        b = session.get(AgreementBatch, batch_id)
        assert b is not None
        try:
            if b.kind == "generate":
                _generate(session, b, actor, settings, data or {})
            else:
                _seal_all(session, b, actor, settings, processes)
            _finish(session, b, actor, BatchStatus.CANCELLED if b.cancel_requested else BatchStatus.DONE)
        except Exception as err:
            session.rollback()
            b = session.get(AgreementBatch, batch_id)
            _finish(session, b, actor, BatchStatus.FAILED, f"{type(err).__name__}: {err}")
        session.commit()
        return b
    finally:
        session.close()


def _generate(session: Session, b: AgreementBatch, actor: Actor, settings: Settings,
              data: dict[str, Any]) -> None:
    have = select(Agreement.id).where(Agreement.incident_id == b.incident_id, Agreement.status != S.VOID.value,
                                      Agreement.terms["signer"]["claimant_id"].as_integer() == Claimant.id)
    ids = list(session.scalars(select(Claimant.id).where(
        Claimant.incident_id == b.incident_id, Claimant.segment == b.segment,
        Claimant.status == ClaimantStatus.ACTIVE.value, ~have.exists()).order_by(Claimant.id)))
    b.total = len(ids)
    session.commit()
    tenth = [0]
    for n, cid in enumerate(ids):
        if n % CHUNK == 0 and _cancelled(session, b):
            return
        try:
            with session.begin_nested():
                ag = service.draft(session, actor=actor, incident_id=b.incident_id,
                                   data={k: v for k, v in data.items() if k in ("items", "locale", "facts")}
                                   | {"claimant_id": cid}, org_name=settings.org_name)
                service.submit(session, actor=actor, agreement_id=ag.id, expected_version=ag.version)
            b.done += 1
        except DomainError:
            b.failed += 1
            b.done += 1
        _progress(session, b, actor, tenth)
        session.commit()


def _jobs(session: Session, b: AgreementBatch, ids: list[int], settings: Settings) -> list[Job]:
    """Render inputs for the sealable agreements; the others count as failed right away."""
    inc = incidents.get(session, b.incident_id)
    jobs = []
    for ag in session.scalars(select(Agreement).where(Agreement.id.in_(ids)).order_by(Agreement.id)):
        try:
            sealing.check_sealable(ag)
        except Conflict:
            b.failed += 1
            b.done += 1
            continue
        inp = sealing.render_input(session, ag, head_hash=inc.head_hash, public_url=settings.public_url)
        jobs.append(Job(ag.id, ag.ref, ag.approved_hash or "", inp.content_sha256, inc.head_hash, inp))
    return jobs


def _store(session: Session, b: AgreementBatch, actor: Actor, job: Job, pdf: bytes, tsa: bool) -> None:
    ag = service.get(session, job.agreement_id, lock=True)
    inc = incidents.get(session, b.incident_id, lock=True)
    if ag.status != S.SIGNED.value or ag.approved_hash != job.approved_hash:
        raise Conflict("changed while the batch ran", field="status")
    sealing.check_sealable(ag)
    att = attachments.store(session, actor=actor, incident_id=inc.id, filename=f"{ag.ref}.pdf",
                            content_type="application/pdf", data=pdf, purpose="agreement")
    ag.status, ag.sealed_at, ag.sealed_by_name = S.SEALED.value, clock.now(), actor.name
    ag.content_sha256, ag.head_hash_at_seal = job.content_sha256, job.head_hash
    ag.pdf_sha256, ag.attachment_id, ag.timestamped = att.sha256, att.id, tsa
    service._event(session, inc, ag, "agreement.sealed", actor, **{"from": "signed", "to": ag.status},
                   content_sha256=ag.content_sha256, head_hash=job.head_hash, pdf_sha256=ag.pdf_sha256,
                   level="B-T" if tsa else "B-B", batch_id=b.id)


def pool(settings: Settings, processes: int | None = None) -> Any:
    """A spawn-context pool whose workers hold the organisation key (spawn: safe from threads)."""
    sealer = sealing.sealer_for(settings)  # validates the configuration in the parent first
    p12 = str(sealing.Path(settings.signing_p12) if os.path.isabs(settings.signing_p12 or "")
              else settings.instance / (settings.signing_p12 or ""))
    ctx = mp.get_context("spawn")
    return ctx.Pool(processes or min(2, os.cpu_count() or 1), initializer=init_worker,
                    initargs=(p12, settings.signing_password, sealer.tsa_url))


def _seal_all(session: Session, b: AgreementBatch, actor: Actor, settings: Settings,
              processes: int | None) -> None:
    """Seal every signed agreement of the segment. Render inputs are prepared up front so the pool
    never waits on the database; every document anchors the incident head at the batch start."""
    ids = list(session.scalars(select(Agreement.id).where(
        Agreement.incident_id == b.incident_id, Agreement.segment == b.segment,
        Agreement.status == S.SIGNED.value).order_by(Agreement.id)))
    b.total = len(ids)
    jobs = {j.agreement_id: j for j in _jobs(session, b, ids, settings)}
    session.commit()
    if not jobs:
        return
    tenth = [0]
    tsa = bool(settings.tsa_url)
    with pool(settings, processes) as workers:
        for n, (agreement_id, pdf, err) in enumerate(
                workers.imap_unordered(seal_job, jobs.values(), chunksize=4), 1):
            try:
                if pdf is None:
                    raise Conflict(err or "sealing failed", field="pdf")
                with session.begin_nested():
                    _store(session, b, actor, jobs[agreement_id], pdf, tsa)
            except DomainError:
                b.failed += 1
            b.done += 1
            _progress(session, b, actor, tenth)
            if n % COMMIT_EVERY == 0 or b.done == b.total:
                session.commit()  # readers see progress; fewer fsyncs than one commit per document
                if _cancelled(session, b):
                    workers.terminate()
                    return
