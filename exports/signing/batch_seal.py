"""Seal batches: render inputs read a page at a time with set-based queries and streamed to the
worker pool while it starts; results stored in chunks, one write transaction per chunk.

A page is three queries whatever its size (the pending rows with their agreements, the claimants
whose clear ID numbers legal chose to print), so preparing 1,000 documents costs a few seconds of
Python, not 1,000 round trips. A chunk locks the incident, the batch, its document rows and their
agreements (the order every batch writer uses), checks each document again (still pending, still
signed, terms still the approved ones), records one agreement.sealed event per document and
re-grades once at its end; a kill in the middle loses the chunk's transaction, never half of it,
and its documents stay pending for the resume.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import queue
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from exports.agreements import settlement
from exports.agreements.enums import AgreementStatus as S
from exports.agreements.enums import BatchItemStatus as I
from exports.agreements.models import Agreement, AgreementBatch, AgreementBatchItem
from exports.signing import batch_rows as rows
from exports.signing import batches
from exports.signing import service as sealing
from exports.signing.worker import Job, init_worker, seal_job
from incident import service as incidents
from incident.access.actor import Actor
from incident.db import write_retrying
from incident.errors import Conflict
from incident.settings import Settings

PAGE = 100              # documents prepared per read
CHUNK = 50              # results stored per write transaction (at most)
CHUNK_WAIT = 0.25       # seconds: store what has arrived after this long (progress stays live)
NO_RESULT_LIMIT = 300.0  # seconds without any sealed document: the pool is taken for hung
Refusal = tuple[str, dict[str, Any]]


@dataclass
class Entry:
    """One document's result waiting to be stored: a sealed PDF, a worker's error or a refusal."""
    item_id: int
    job: Job | None = None
    pdf: bytes | None = None
    err: str = ""
    refused: Refusal | None = None


def pages(factory: Callable[[], Session], b: AgreementBatch, settings: Settings, head: str, head_seq: int
          ) -> Iterator[tuple[dict[int, Job], dict[int, Refusal]]]:
    """Render inputs of the pending documents, PAGE at a time (reads only); the unsealable ones
    are refused right away. Every input anchors the same head (read when the run began)."""
    with factory() as s:
        ids = list(s.scalars(select(AgreementBatchItem.id).where(
            AgreementBatchItem.batch_id == b.id, AgreementBatchItem.status == I.PENDING.value)
            .order_by(AgreementBatchItem.id)))
    for k in range(0, len(ids), PAGE):
        jobs: dict[int, Job] = {}
        refused: dict[int, Refusal] = {}
        with factory() as s:
            found = s.execute(select(AgreementBatchItem.id, Agreement).join(
                Agreement, Agreement.id == AgreementBatchItem.agreement_id).where(
                AgreementBatchItem.id.in_(ids[k:k + PAGE]), AgreementBatchItem.status == I.PENDING.value)
                .order_by(AgreementBatchItem.id)).all()
            clear = sealing.clear_ids_of(s, [c for _i, ag in found for c in sealing.id_subjects(ag)])
            for item_id, ag in found:
                if ag.status != S.SIGNED.value:
                    refused[item_id] = ("not_signed", {"status": ag.status})
                    continue
                if not (ag.approved_hash and ag.terms_hash == ag.approved_hash == ag.signed_hash and ag.signature):
                    try:  # the stored hashes disagree: refused now, with check_sealable's reason
                        sealing.check_sealable(ag)
                    except Conflict as err:
                        refused[item_id] = rows.why(err)
                        continue
                # the terms are hashed again from the JSON under the locks before a seal is stored
                inp = sealing.render_input(s, ag, head_hash=head, public_url=settings.public_url,
                                           head_seq=head_seq, clear_ids=clear)
                jobs[item_id] = Job(ag.id, ag.ref, ag.approved_hash or "", inp.content_sha256, head, inp)
        yield jobs, refused


def _failure(ag: Agreement | None, e: Entry) -> Refusal | None:
    """Why this result must not be stored as a seal (checked under the locks), or None."""
    if e.refused is not None:
        return e.refused
    assert e.job is not None
    if e.pdf is None:
        return "sealing_failed", {"detail": e.err or "unknown error"}
    if ag is None or ag.status != S.SIGNED.value:  # sealed, voided or changed since: never seal twice
        return "not_signed", {"status": ag.status if ag is not None else "missing"}
    if ag.approved_hash != e.job.approved_hash:
        return "terms_changed", {}
    try:
        sealing.check_sealable(ag)
    except Conflict as err:
        return rows.why(err)
    return None


def store_chunk(s: Session, b0: AgreementBatch, owner: str, actor: Actor, entries: list[Entry], tsa: bool,
                tenth: int) -> tuple[bool, int]:
    """Store several documents' outcomes in this one write transaction; (go on?, progress tenth)."""
    inc, b, _ = rows.lock(s, b0.id, b0.incident_id)
    if not rows.mine(b, owner):
        return False, tenth
    items = {i.id: i for i in s.scalars(select(AgreementBatchItem).where(
        AgreementBatchItem.id.in_([e.item_id for e in entries])).with_for_update()
        .execution_options(populate_existing=True))}
    wanted = [e.job.agreement_id for e in entries if e.job is not None]
    ags = {a.id: a for a in s.scalars(select(Agreement).where(Agreement.id.in_(wanted)).with_for_update()
                                      .execution_options(populate_existing=True))} if wanted else {}
    before = inc.headcount
    for e in entries:
        item = items.get(e.item_id)
        if item is None or item.status != I.PENDING.value:
            continue  # done already (a resumed run, a race): never twice
        ag = ags.get(e.job.agreement_id) if e.job is not None else None
        failed = _failure(ag, e)
        if failed is None:
            assert ag is not None and e.job is not None and e.pdf is not None
            sealing.record_seal(s, inc, ag, actor, pdf=e.pdf, content_sha256=e.job.content_sha256,
                                head_hash=e.job.head_hash, timestamped=tsa, regrade=False, batch_id=b.id)
        tenth = rows.outcome(s, inc, b, item, actor, failed, tenth)
    settlement.regrade(s, inc, actor, {"headcount": {"from": before, "to": inc.headcount}}, "agreement.sealed")
    return True, tenth


def pool(settings: Settings, processes: int | None = None) -> Any:
    """A spawn-context pool whose workers hold the organisation key (spawn: safe from threads)."""
    sealer = sealing.sealer_for(settings)  # validates the configuration in the parent first
    p12 = str(Path(settings.signing_p12) if os.path.isabs(settings.signing_p12 or "")
              else settings.instance / (settings.signing_p12 or ""))
    ctx = mp.get_context("spawn")
    return ctx.Pool(processes or min(2, os.cpu_count() or 1), initializer=init_worker,
                    initargs=(p12, settings.signing_password, sealer.tsa_url))


class _Run:
    """One seal run: feeds the pool, collects its results and stores them chunk by chunk."""

    def __init__(self, factory: Callable[[], Session], b: AgreementBatch, owner: str, actor: Actor,
                 settings: Settings, tenth: int) -> None:
        self.factory, self.b, self.owner, self.actor, self.tenth = factory, b, owner, actor, tenth
        self.tsa = bool(settings.tsa_url)
        self.results: queue.Queue[tuple[int, bytes | None, str]] = queue.Queue()
        self.jobs: dict[int, tuple[int, Job]] = {}  # agreement id -> (item id, job)
        self.buffer: list[Entry] = []
        self.waiting = 0
        self.stopped = False
        self.last_result = self.last_beat = time.monotonic()

    def submit(self, workers: Any, item_id: int, job: Job) -> None:
        self.jobs[job.agreement_id] = (item_id, job)
        self.waiting += 1
        workers.apply_async(seal_job, (job,), callback=self.results.put,
                            error_callback=lambda e, a=job.agreement_id: self.results.put((a, None, repr(e))))

    def collect(self, until: float) -> None:
        """Move results into the buffer until a chunk is full, nothing is waiting or `until` passes."""
        while self.waiting and len(self.buffer) < CHUNK:
            left = until - time.monotonic()
            try:
                agreement_id, pdf, err = self.results.get(timeout=max(0.0, min(0.5, left)))
            except queue.Empty:
                if left <= 0.5 or not self.alive():
                    return
                continue
            self.waiting -= 1
            self.last_result = time.monotonic()
            item_id, job = self.jobs.pop(agreement_id)
            self.buffer.append(Entry(item_id, job, pdf, err))
            if time.monotonic() >= until:
                return  # the window is over: store what came (progress stays live)

    def store(self) -> bool:
        chunk, self.buffer = self.buffer[:CHUNK], self.buffer[CHUNK:]
        go, self.tenth = write_retrying(self.factory, lambda s: store_chunk(
            s, self.b, self.owner, self.actor, chunk, self.tsa, self.tenth))
        return go

    def alive(self) -> bool:
        """Between results: False when cancelled or taken over; raises when the pool seems hung."""
        now = time.monotonic()
        if self.stopped:
            return False
        if now - self.last_result > NO_RESULT_LIMIT:
            raise RuntimeError("the sealing workers stopped answering")
        if now - self.last_beat >= batches.HEARTBEAT_EVERY:
            self.last_beat = now
            if not batches.beat(self.factory, self.b.id, self.owner) or cancel_asked(self.factory, self.b.id):
                self.stopped = True  # stays stopped: the run ends at its next check
                return False
        return True


def seal_all(factory: Callable[[], Session], b: AgreementBatch, owner: str, actor: Actor,
             settings: Settings, processes: int | None, tenth: int) -> None:
    """Seal the pending documents; every one anchors the incident head read when the run began."""
    with factory() as s:
        inc = incidents.get(s, b.incident_id)
        head, head_seq = inc.head_hash, inc.last_seq  # the anchor printed: this head at this event
    run = _Run(factory, b, owner, actor, settings, tenth)
    with pool(settings, processes) as workers:  # the workers start while the first page is read
        for jobs, refused in pages(factory, b, settings, head, head_seq):
            run.buffer.extend(Entry(item_id, refused=why) for item_id, why in refused.items())
            for item_id, job in jobs.items():
                run.submit(workers, item_id, job)
            run.collect(time.monotonic())  # what has arrived meanwhile
            while len(run.buffer) >= CHUNK:
                if not run.store():
                    return
        while run.waiting or run.buffer:
            run.collect(time.monotonic() + CHUNK_WAIT)  # a full chunk, or what came in CHUNK_WAIT
            if run.stopped:
                return
            if run.buffer:
                if not run.store():
                    return  # the pool terminates on leaving the block: cancel stops the workers now
            elif not run.alive():
                return


def cancel_asked(factory: Callable[[], Session], batch_id: int) -> bool:
    with factory() as s:
        return bool(s.scalar(select(AgreementBatch.cancel_requested).where(AgreementBatch.id == batch_id)))
