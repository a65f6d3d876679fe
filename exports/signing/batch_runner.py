"""Run a batch's pending documents in short write transactions, heartbeat on the row.

Generate drafts and submits in this thread, one document per transaction. Seal (batch_seal)
prepares render inputs a page at a time with set-based reads, streams them to a process pool
(both cores; the workers never touch the database) that renders and signs, and stores the results
here in chunks, one transaction per chunk. Every write locks the incident, then the batch, then
the document's rows, and checks again that the batch is still this process's running batch, that
the row is still pending and that the agreement is still in the state the batch expects — so a
document is never drafted or sealed twice, whatever crashed, resumed or raced in between. A lock that outlasts busy_timeout
is retried with backoff (incident.db.write_retrying); it never fails the batch.
"""
from __future__ import annotations

import logging
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from exports.agreements import service
from exports.agreements.enums import AgreementStatus as S
from exports.agreements.enums import BatchItemStatus as I
from exports.agreements.enums import BatchStatus
from exports.agreements.models import Agreement, AgreementBatch, AgreementBatchItem
from exports.signing import batch_rows as rows
from exports.signing import batch_seal, batches
from exports.signing.batch_seal import pool  # noqa: F401  (where callers found it)
from incident.access.actor import Actor
from incident.db import write_retrying
from incident.errors import DomainError
from incident.settings import Settings

log = logging.getLogger(__name__)


def _pending(factory: Callable[[], Session], batch_id: int) -> list[int]:
    with factory() as s:
        return list(s.scalars(select(AgreementBatchItem.id).where(
            AgreementBatchItem.batch_id == batch_id, AgreementBatchItem.status == I.PENDING.value)
            .order_by(AgreementBatchItem.id)))


def _draft_one(s: Session, b0: AgreementBatch, item_id: int, owner: str, actor: Actor,
               settings: Settings, tenth: int) -> tuple[bool, int]:
    got = rows.turn(s, b0, item_id, owner)
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
            failed = rows.why(err)
    return True, rows.outcome(s, inc, b, item, actor, failed, tenth)


def _generate(factory: Callable[[], Session], b: AgreementBatch, owner: str, actor: Actor,
              settings: Settings, tenth: int) -> None:
    for item_id in _pending(factory, b.id):
        go, tenth = write_retrying(factory, lambda s: _draft_one(s, b, item_id, owner, actor, settings, tenth))
        if not go:
            return


def _close(s: Session, b0: AgreementBatch, owner: str, actor: Actor, error: str = "") -> None:
    _inc, b, _ = rows.lock(s, b0.id, b0.incident_id)
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
            batch_seal.seal_all(factory, b, owner, actor, settings, processes, tenth)
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
