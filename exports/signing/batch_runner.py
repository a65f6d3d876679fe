"""Run a batch's pending documents: each in its own short write transaction, heartbeat on the row.

Generate drafts and submits in this thread. Seal prepares render inputs in a read, lets a process
pool (both cores; the workers never touch the database) render and sign, and stores each result
here. Every per-document write locks the incident, then the batch, then the document's row, and
checks again that the batch is still this process's running batch, that the row is still pending
and that the agreement is still in the state the batch expects — so a document is never drafted
or sealed twice, whatever crashed, resumed or raced in between. A lock that outlasts busy_timeout
is retried with backoff (incident.db.write_retrying); it never fails the batch.
"""
from __future__ import annotations

import logging
import multiprocessing as mp
import os
import time
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from exports.agreements import service
from exports.agreements.enums import AgreementStatus as S
from exports.agreements.enums import BatchItemStatus as I
from exports.agreements.enums import BatchStatus
from exports.agreements.models import Agreement, AgreementBatch, AgreementBatchItem
from exports.signing import batches
from exports.signing import service as sealing
from exports.signing.worker import Job, init_worker, seal_job
from incident import clock, timeline
from incident import service as incidents
from incident.access.actor import Actor
from incident.db import write_retrying
from incident.errors import Conflict, DomainError
from incident.settings import Settings

log = logging.getLogger(__name__)
NO_RESULT_LIMIT = 300.0  # seconds without any sealed document: the pool is taken for hung


def _mine(b: AgreementBatch | None, owner: str) -> bool:
    return b is not None and b.status == batches.RUNNING and b.owner == owner and not b.cancel_requested


def _lock(s: Session, batch_id: int, incident_id: int, item_id: int | None = None
          ) -> tuple[Any, AgreementBatch, AgreementBatchItem | None]:
    """Incident, batch and item rows, locked in that order (the order every batch writer uses)."""
    inc = incidents.get(s, incident_id, lock=True)
    b = s.get(AgreementBatch, batch_id, with_for_update=True, populate_existing=True)
    item = None if item_id is None else s.get(AgreementBatchItem, item_id, with_for_update=True,
                                              populate_existing=True)
    return inc, b, item  # type: ignore[return-value]


def _turn(s: Session, b0: AgreementBatch, item_id: int, owner: str
          ) -> tuple[Any, AgreementBatch, AgreementBatchItem] | bool:
    """The locked rows while the document is still this runner's to do; else False (stop: the batch
    is no longer this process's running batch) or True (go on: the document is done already)."""
    inc, b, item = _lock(s, b0.id, b0.incident_id, item_id)
    if not _mine(b, owner):
        return False
    assert item is not None
    return True if item.status != I.PENDING.value else (inc, b, item)


def _outcome(s: Session, inc: Any, b: AgreementBatch, item: AgreementBatchItem, actor: Actor,
             failed: tuple[str, dict[str, Any]] | None, tenth: int) -> int:
    """Record one document's outcome, the heartbeat and (at each tenth) a progress event."""
    item.status, item.finished_at = (I.FAILED.value if failed else I.DONE.value), clock.now()
    if failed:
        item.reason = failed[0][:500]
        item.reason_args = {k: (v if isinstance(v, (int, float, bool)) else str(v)[:300])
                            for k, v in failed[1].items()}
        b.failed += 1
    b.done += 1
    b.heartbeat_at = clock.now()
    now_tenth = (10 * b.done // b.total) if b.total else 10
    if now_tenth > tenth and b.done < b.total:
        timeline.record(s, inc, "agreement.batch_progress", actor, {
            "batch_id": b.id, "done": b.done, "total": b.total, "failed": b.failed,
            "summary": f"{b.done}/{b.total}"})
        return now_tenth
    return tenth


def _why(err: DomainError) -> tuple[str, dict[str, Any]]:
    return err.template, {k: v for k, v in err.details.items() if isinstance(v, (str, int, float))}


def _pending(factory: Callable[[], Session], batch_id: int) -> list[int]:
    with factory() as s:
        return list(s.scalars(select(AgreementBatchItem.id).where(
            AgreementBatchItem.batch_id == batch_id, AgreementBatchItem.status == I.PENDING.value)
            .order_by(AgreementBatchItem.id)))


def _draft_one(s: Session, b0: AgreementBatch, item_id: int, owner: str, actor: Actor,
               settings: Settings, tenth: int) -> tuple[bool, int]:
    got = _turn(s, b0, item_id, owner)
    if isinstance(got, bool):
        return got, tenth
    inc, b, item = got
    cid = item.claimant_id
    have = s.scalars(select(Agreement).where(
        Agreement.incident_id == inc.id, Agreement.status != S.VOID.value,
        Agreement.terms["signer"]["claimant_id"].as_integer() == cid)).first()
    failed = None
    if have is not None:
        failed = ("has_agreement", {"ref": have.ref})
    else:
        try:
            with s.begin_nested():
                ag = service.draft(s, actor=actor, incident_id=inc.id,
                                   data=dict(b.params or {}) | {"claimant_id": cid}, org_name=settings.org_name)
                service.submit(s, actor=actor, agreement_id=ag.id, expected_version=ag.version)
            item.agreement_id = ag.id
        except DomainError as err:
            failed = _why(err)
    return True, _outcome(s, inc, b, item, actor, failed, tenth)


def _generate(factory: Callable[[], Session], b: AgreementBatch, owner: str, actor: Actor,
              settings: Settings, tenth: int) -> None:
    for item_id in _pending(factory, b.id):
        go, tenth = write_retrying(factory, lambda s: _draft_one(s, b, item_id, owner, actor, settings, tenth))
        if not go:
            return


def _prepare(factory: Callable[[], Session], b: AgreementBatch, settings: Settings
             ) -> tuple[dict[int, Job], dict[int, tuple[str, dict[str, Any]]]]:
    """Render inputs of the pending documents (a read); the unsealable ones fail right away."""
    jobs: dict[int, Job] = {}
    refused: dict[int, tuple[str, dict[str, Any]]] = {}
    with factory() as s:
        inc = incidents.get(s, b.incident_id)
        head, head_seq = inc.head_hash, inc.last_seq  # the anchor printed: this head at this event
        rows = s.execute(select(AgreementBatchItem.id, Agreement).join(
            Agreement, Agreement.id == AgreementBatchItem.agreement_id).where(
            AgreementBatchItem.batch_id == b.id, AgreementBatchItem.status == I.PENDING.value)
            .order_by(AgreementBatchItem.id)).all()
        for item_id, ag in rows:
            if ag.status != S.SIGNED.value:
                refused[item_id] = ("not_signed", {"status": ag.status})
                continue
            try:
                sealing.check_sealable(ag)
            except Conflict as err:
                refused[item_id] = _why(err)
                continue
            inp = sealing.render_input(s, ag, head_hash=head, public_url=settings.public_url, head_seq=head_seq)
            jobs[item_id] = Job(ag.id, ag.ref, ag.approved_hash or "", inp.content_sha256, head, inp)
    return jobs, refused


def _store_one(s: Session, b0: AgreementBatch, item_id: int, owner: str, actor: Actor, job: Job | None,
               pdf: bytes | None, err: str, tsa: bool, tenth: int,
               refused: tuple[str, dict[str, Any]] | None = None) -> tuple[bool, int]:
    got = _turn(s, b0, item_id, owner)
    if isinstance(got, bool):
        return got, tenth
    inc, b, item = got
    failed = refused
    if failed is None and job is not None:
        ag = service.get(s, job.agreement_id, lock=True)
        if pdf is None:
            failed = ("sealing_failed", {"detail": err or "unknown error"})
        elif ag.status != S.SIGNED.value:  # sealed, voided or changed since: never seal twice
            failed = ("not_signed", {"status": ag.status})
        elif ag.approved_hash != job.approved_hash:
            failed = ("terms_changed", {})
        else:
            try:
                sealing.check_sealable(ag)
            except Conflict as e:
                failed = _why(e)
        if failed is None:
            assert pdf is not None
            sealing.record_seal(s, inc, ag, actor, pdf=pdf, content_sha256=job.content_sha256,
                                head_hash=job.head_hash, timestamped=tsa, batch_id=b.id)
    return True, _outcome(s, inc, b, item, actor, failed, tenth)


def pool(settings: Settings, processes: int | None = None) -> Any:
    """A spawn-context pool whose workers hold the organisation key (spawn: safe from threads)."""
    sealer = sealing.sealer_for(settings)  # validates the configuration in the parent first
    p12 = str(Path(settings.signing_p12) if os.path.isabs(settings.signing_p12 or "")
              else settings.instance / (settings.signing_p12 or ""))
    ctx = mp.get_context("spawn")
    return ctx.Pool(processes or min(2, os.cpu_count() or 1), initializer=init_worker,
                    initargs=(p12, settings.signing_password, sealer.tsa_url))


def _seal_all(factory: Callable[[], Session], b: AgreementBatch, owner: str, actor: Actor,
              settings: Settings, processes: int | None, tenth: int) -> None:
    """Seal the pending documents; every one anchors the incident head read when the run began."""
    jobs, refused = _prepare(factory, b, settings)
    for item_id, why in refused.items():
        go, tenth = write_retrying(factory, lambda s: _store_one(s, b, item_id, owner, actor, None, None, "",
                                                                 False, tenth, refused=why))
        if not go:
            return
    if not jobs:
        return
    by_agreement = {j.agreement_id: item_id for item_id, j in jobs.items()}
    tsa = bool(settings.tsa_url)
    with pool(settings, processes) as workers:
        # chunksize 1: only then is the result an iterator whose next() takes a timeout
        results = workers.imap_unordered(seal_job, list(jobs.values()))
        last_beat = last_result = time.monotonic()
        for _n in range(len(jobs)):
            while True:
                try:
                    agreement_id, pdf, err = results.next(timeout=0.5)
                    break
                except mp.TimeoutError:
                    if time.monotonic() - last_result > NO_RESULT_LIMIT:
                        raise RuntimeError("the sealing workers stopped answering") from None
                    if time.monotonic() - last_beat >= batches.HEARTBEAT_EVERY:
                        last_beat = time.monotonic()
                        if not batches.beat(factory, b.id, owner) or _cancel_asked(factory, b.id):
                            workers.terminate()  # cancel: the workers stop now, not after the queue
                            return
            last_result = last_beat = time.monotonic()
            item_id = by_agreement[agreement_id]
            go, tenth = write_retrying(factory, lambda s: _store_one(
                s, b, item_id, owner, actor, jobs[item_id], pdf, err, tsa, tenth))
            if not go:
                workers.terminate()
                return


def _cancel_asked(factory: Callable[[], Session], batch_id: int) -> bool:
    with factory() as s:
        return bool(s.scalar(select(AgreementBatch.cancel_requested).where(AgreementBatch.id == batch_id)))


def _close(s: Session, b0: AgreementBatch, owner: str, actor: Actor, error: str = "") -> None:
    _inc, b, _ = _lock(s, b0.id, b0.incident_id)
    if b is None or b.status != batches.RUNNING or b.owner != owner:
        return  # taken over, or already finished by a cancel
    if error:
        batches._interrupt(s, b, error)
    elif b.cancel_requested:
        batches._finish(s, b, actor, BatchStatus.CANCELLED)
    elif batches.pending_count(s, b.id) == 0:
        batches._finish(s, b, actor, BatchStatus.DONE)


def run(factory: Callable[[], Session], batch_id: int, actor: Actor, settings: Settings,
        processes: int | None = None) -> AgreementBatch:
    """Run a started (or resumed) batch in this process until its pending documents are done, it is
    cancelled, or another process took it over; returns the batch as it then stands."""
    owner = batches.owner_token()
    with factory() as s:
        b = s.get(AgreementBatch, batch_id)
        assert b is not None, f"no batch {batch_id}"
        s.expunge(b)
    tenth = (10 * b.done // b.total) if b.total else 0
    try:
        if b.kind == "generate":
            _generate(factory, b, owner, actor, settings, tenth)
        else:
            _seal_all(factory, b, owner, actor, settings, processes, tenth)
        write_retrying(factory, lambda s: _close(s, b, owner, actor))
    except Exception as err:  # the batch stays resumable: its pending documents are still pending
        log.exception("agreement batch %s stopped", batch_id)
        why = f"{type(err).__name__}: {err}"
        write_retrying(factory, lambda s: _close(s, b, owner, actor, why))
    with factory() as s:
        out = s.get(AgreementBatch, batch_id)
        assert out is not None
        s.expunge(out)
        return out
