"""Batches over a segment as durable jobs: draft (and submit) every claimant's agreement, or seal
every signed one.

`start` fixes the documents (one row each, pending) in the caller's transaction; `batch_runner.run`
works through the pending rows, each in its own short write transaction, refreshing the batch's
heartbeat. A running batch whose process is gone (crash, kill -9, restart: the owner's pid is dead
on this host, or the heartbeat is older than STALE_AFTER) becomes `interrupted` — at the next
scheduler tick (`sweep`) or when someone starts or cancels a batch on the incident — and then can
be resumed (only its pending rows run) or abandoned. A dead batch never blocks a new one.
"""
from __future__ import annotations

import os
import socket
import uuid
from typing import Any, Callable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from exports.agreements.enums import AgreementStatus as S
from exports.agreements.enums import BatchItemStatus, BatchStatus
from exports.agreements.models import Agreement, AgreementBatch, AgreementBatchItem
from exports.agreements.terms import LOCALES, parse_items
from exports.signing import service as sealing
from incident import clock, timeline
from incident import service as incidents
from incident.access.actor import SYSTEM, Actor
from incident.access.permissions import Action
from incident.crowd.claimants.models import Claimant, ClaimantStatus
from incident.db import write_retrying
from incident.errors import Conflict, NotFound, ValidationError

KINDS = ("generate", "seal")
HEARTBEAT_EVERY = 2.0   # seconds between heartbeats of a running batch
STALE_AFTER = 30.0      # a heartbeat older than this: the batch's process is taken for gone
RUNNING = BatchStatus.RUNNING.value
PENDING = BatchItemStatus.PENDING.value
_token: list[Any] = [None, ""]


def owner_token() -> str:
    """host:pid:random of this process (recomputed after a fork: gunicorn workers are forked)."""
    if _token[0] != os.getpid():
        _token[0], _token[1] = os.getpid(), f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    return _token[1]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (killed, not yet reaped: a container whose pid 1 does not reap) is dead too
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rpartition(")")[2].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def owner_gone(b: AgreementBatch, now: Any = None) -> bool:
    """The running batch's process is gone: a dead pid on this host, or a stale heartbeat."""
    now = now or clock.now()
    if b.heartbeat_at is None or (now - b.heartbeat_at).total_seconds() > STALE_AFTER:
        return True
    host, _, rest = (b.owner or "").partition(":")
    pid, _, _tok = rest.partition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine: only its heartbeat tells
    if int(pid) == os.getpid():
        return b.owner != owner_token()  # this pid, an earlier life of it
    return not _pid_alive(int(pid))


def _interrupt(session: Session, b: AgreementBatch, why: str) -> None:
    b.status, b.error = BatchStatus.INTERRUPTED.value, why[:2000]
    inc = incidents.get(session, b.incident_id, lock=True)
    timeline.record(session, inc, "agreement.batch_interrupted", SYSTEM, {
        "batch_id": b.id, "kind": b.kind, "done": b.done, "total": b.total, "failed": b.failed,
        "summary": f"{b.done}/{b.total}"})


def _interrupt_dead(session: Session, incident_id: int) -> None:
    """In the caller's write transaction: running batches of the incident whose process is gone."""
    for b in session.scalars(select(AgreementBatch).where(
            AgreementBatch.incident_id == incident_id, AgreementBatch.status == RUNNING)):
        if owner_gone(b):
            _interrupt(session, b, "its process stopped")


def sweep(factory: Callable[[], Session]) -> int:
    """Mark running batches whose process is gone as interrupted (scheduler tick, start-up)."""
    with factory() as s:  # a read first: nothing to write on almost every tick
        dead = [(b.id, b.owner, b.heartbeat_at) for b in s.scalars(
            select(AgreementBatch).where(AgreementBatch.status == RUNNING)) if owner_gone(b)]
    if not dead:
        return 0

    def mark(s: Session) -> int:
        n = 0
        for batch_id, owner, beat in dead:
            b = s.get(AgreementBatch, batch_id, populate_existing=True, with_for_update=True)
            if b is not None and b.status == RUNNING and (b.owner, b.heartbeat_at) == (owner, beat):
                _interrupt(s, b, "its process stopped")
                n += 1
        return n
    return write_retrying(factory, mark)


def _subjects(session: Session, inc_id: int, kind: str, segment: str) -> list[AgreementBatchItem]:
    if kind == "generate":
        have = select(Agreement.id).where(Agreement.incident_id == inc_id, Agreement.status != S.VOID.value,
                                          Agreement.terms["signer"]["claimant_id"].as_integer() == Claimant.id)
        rows = session.scalars(select(Claimant).where(
            Claimant.incident_id == inc_id, Claimant.segment == segment,
            Claimant.status == ClaimantStatus.ACTIVE.value, ~have.exists()).order_by(Claimant.id))
        return [AgreementBatchItem(claimant_id=c.id, label=f"{c.name} · {c.unit}"[:200]) for c in rows]
    rows = session.scalars(select(Agreement).where(
        Agreement.incident_id == inc_id, Agreement.segment == segment,
        Agreement.status == S.SIGNED.value).order_by(Agreement.id))
    return [AgreementBatchItem(agreement_id=a.id, label=f"{a.ref} · {a.terms['signer']['name']}"[:200])
            for a in rows]


def _params(kind: str, data: dict[str, Any] | None) -> dict[str, Any]:
    """What each document of a generate batch is drafted from, checked once here (kept for resume)."""
    data = data or {}
    if kind != "generate":
        return {}
    out = {k: data[k] for k in ("items", "locale", "facts") if k in data}
    if "items" in out:
        parse_items(out["items"])
    if out.get("locale", "zh_CN") not in LOCALES:
        raise ValidationError(f"locale must be one of {', '.join(LOCALES)}", field="locale")
    if "facts" in out and not isinstance(out["facts"], str):
        raise ValidationError("facts must be text", field="facts")
    return out


def _refuse_if_busy(session: Session, incident_id: int, but: int | None = None) -> None:
    _interrupt_dead(session, incident_id)
    stmt = select(AgreementBatch).where(AgreementBatch.incident_id == incident_id,
                                        AgreementBatch.status == RUNNING)
    busy = session.scalars(stmt if but is None else stmt.where(AgreementBatch.id != but)).first()
    if busy is not None:
        raise Conflict("another batch is running for this incident", field="kind", batch_id=busy.id)


def _action(kind: str) -> Action:
    return Action.AGREEMENT_SEAL if kind == "seal" else Action.AGREEMENT_DRAFT


def start(session: Session, *, actor: Actor, incident_id: int, kind: Any, segment: Any,
          data: dict[str, Any] | None = None, proof: Any = None) -> AgreementBatch:
    """Create a batch with one pending row per document (the caller commits, then runs it); a seal
    batch needs a fresh proof (incident.accounts.sessions.confirm_secret), like sealing one agreement."""
    if kind not in KINDS:
        raise ValidationError(f"kind must be one of {', '.join(KINDS)}", field="kind")
    if not isinstance(segment, str):
        raise ValidationError("segment must be text", field="segment")
    inc = incidents.load_for(session, actor, incident_id, _action(kind))
    if kind == "seal":
        sealing.require_fresh_proof(actor, proof)
    params = _params(kind, data)
    _refuse_if_busy(session, inc.id)
    now = clock.now()
    items = _subjects(session, inc.id, kind, segment)
    b = AgreementBatch(incident_id=inc.id, kind=kind, segment=segment, status=RUNNING, total=len(items),
                       started_at=now, started_by_name=actor.name, owner=owner_token(), heartbeat_at=now,
                       params=params)
    session.add(b)
    session.flush()
    for item in items:
        item.batch_id, item.status = b.id, PENDING
    session.add_all(items)
    timeline.record(session, inc, "agreement.batch_started", actor,
                    {"batch_id": b.id, "kind": kind, "segment": segment, "total": b.total,
                     "summary": f"{kind} · {segment} · {b.total}"})
    return b


def get(session: Session, batch_id: Any) -> AgreementBatch:
    ok = isinstance(batch_id, int) and not isinstance(batch_id, bool)
    b = session.get(AgreementBatch, batch_id) if ok else None
    if b is None:
        raise NotFound("no such batch", field="batch_id")
    return b


def _load(session: Session, actor: Actor, batch_id: Any, action: Action | None = None) -> AgreementBatch:
    b = get(session, batch_id)
    incidents.load_for(session, actor, b.incident_id, action or _action(b.kind))
    session.refresh(b, with_for_update=True)
    return b


def _finish(session: Session, b: AgreementBatch, actor: Actor, status: BatchStatus, error: str = "") -> None:
    b.status, b.finished_at, b.error = status.value, clock.now(), error[:2000]
    inc = incidents.get(session, b.incident_id, lock=True)
    timeline.record(session, inc, "agreement.batch_finished", actor, {
        "batch_id": b.id, "kind": b.kind, "status": b.status, "done": b.done, "total": b.total,
        "failed": b.failed, "summary": f"{b.status} · {b.done}/{b.total}"})


def cancel(session: Session, *, actor: Actor, batch_id: Any) -> AgreementBatch:
    """Stop a running batch: its process stops within seconds; one whose process is gone stops now."""
    b = _load(session, actor, batch_id, Action.AGREEMENT_DRAFT)
    if b.status == RUNNING:
        if owner_gone(b):
            _finish(session, b, actor, BatchStatus.CANCELLED)
        else:
            b.cancel_requested = True
    return b


def resume(session: Session, *, actor: Actor, batch_id: Any, proof: Any = None) -> AgreementBatch:
    """Take an interrupted batch over: this process runs its pending documents (the caller commits,
    then runs it). Documents already done are never drafted or sealed again; a seal batch needs a
    fresh proof, as starting one does."""
    b = _load(session, actor, batch_id)
    if b.kind == "seal":
        sealing.require_fresh_proof(actor, proof)
    if b.status != BatchStatus.INTERRUPTED.value:
        raise Conflict("only an interrupted batch can be resumed", field="status",
                       status=b.status)
    _refuse_if_busy(session, b.incident_id, but=b.id)
    b.status, b.owner, b.heartbeat_at, b.cancel_requested = RUNNING, owner_token(), clock.now(), False
    b.finished_at, b.error = None, ""
    inc = incidents.get(session, b.incident_id, lock=True)
    timeline.record(session, inc, "agreement.batch_resumed", actor, {
        "batch_id": b.id, "kind": b.kind, "pending": pending_count(session, b.id),
        "summary": f"{b.done}/{b.total}"})
    return b


def abandon(session: Session, *, actor: Actor, batch_id: Any) -> AgreementBatch:
    """Give an interrupted batch up; its pending documents stay as they are (start a new batch)."""
    b = _load(session, actor, batch_id)
    if b.status != BatchStatus.INTERRUPTED.value:
        raise Conflict("only an interrupted batch can be abandoned", field="status",
                       status=b.status)
    b.status, b.finished_at = BatchStatus.ABANDONED.value, clock.now()
    inc = incidents.get(session, b.incident_id, lock=True)
    timeline.record(session, inc, "agreement.batch_abandoned", actor, {
        "batch_id": b.id, "kind": b.kind, "pending": pending_count(session, b.id),
        "summary": f"{b.done}/{b.total}"})
    return b


def pending_count(session: Session, batch_id: int) -> int:
    return session.scalar(select(func.count(AgreementBatchItem.id)).where(
        AgreementBatchItem.batch_id == batch_id, AgreementBatchItem.status == PENDING)) or 0


def items(session: Session, batch_id: int) -> list[AgreementBatchItem]:
    """The batch's documents in their order, with outcomes."""
    return list(session.scalars(select(AgreementBatchItem).where(AgreementBatchItem.batch_id == batch_id)
                                .order_by(AgreementBatchItem.id)))


def beat(factory: Callable[[], Session], batch_id: int, owner: str) -> bool:
    """Refresh the heartbeat; False once the batch is no longer this process's running batch."""
    def _beat(s: Session) -> bool:
        res = s.execute(update(AgreementBatch).where(
            AgreementBatch.id == batch_id, AgreementBatch.status == RUNNING, AgreementBatch.owner == owner)
            .values(heartbeat_at=clock.now()).execution_options(synchronize_session=False))
        return res.rowcount == 1
    return write_retrying(factory, _beat)
