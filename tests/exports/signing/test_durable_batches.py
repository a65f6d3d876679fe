"""Batches as durable jobs: per-document rows, a dead batch becomes interrupted and never blocks,
resume continues with the pending documents only (never sealing one twice), abandon, cancel within
seconds, lock waits retried instead of failing the batch."""
from __future__ import annotations

import multiprocessing as mp
import socket
import sqlite3
import subprocess
import threading
import time
from collections import Counter

import pytest
from sqlalchemy import select

from exports.agreements import service
from exports.agreements.models import Agreement, AgreementBatch, AgreementBatchItem
from exports.signing import batch_runner, batch_seal, batches
from exports.signing import service as sealing
from incident import db as dbmod
from incident.errors import Conflict
from incident.timeline import verify_chain
from incident.timeline.models import Event
from tests.exports.conftest import ITEMS, STROKES, add_claimant, proof_of

ORG = "锦绣物业管理有限公司"


def _dead_owner() -> str:
    """The owner token of a process that has exited (a crashed server on this host)."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return f"{socket.gethostname()}:{proc.pid}:deadbeef"


def _signed(session, world, n: int, segment: str = "7号楼") -> list[Agreement]:  # type: ignore[no-untyped-def]
    inc, cs, legal = world["inc"], world["cs"].actor, world["legal"].actor
    out = []
    for k in range(n):
        c = add_claimant(session, inc, f"𠮷田{k}", segment=segment, unit=f"7-1-{k + 1:02d}01")
        ag = service.draft(session, actor=cs, incident_id=inc.id, data={"claimant_id": c.id, "items": ITEMS},
                           org_name=ORG)
        service.submit(session, actor=cs, agreement_id=ag.id, expected_version=ag.version)
        service.approve(session, actor=legal, agreement_id=ag.id, expected_version=ag.version)
        service.sign(session, agreed=True, actor=cs, agreement_id=ag.id, signature=STROKES, expected_version=ag.version)
        out.append(ag)
    session.commit()
    return out


def _events(session, inc_id: int) -> list[Event]:  # type: ignore[no-untyped-def]
    session.rollback()
    return list(session.scalars(select(Event).where(Event.incident_id == inc_id).order_by(Event.seq)))


def _batch(session, batch_id: int) -> AgreementBatch:  # type: ignore[no-untyped-def]
    session.rollback()
    return session.get(AgreementBatch, batch_id, populate_existing=True)


def test_a_dead_batch_is_interrupted_and_never_blocks_a_new_one(session, session_factory, world):
    inc, cs = world["inc"], world["cs"].actor
    for k in range(3):
        add_claimant(session, inc, f"业主{k}", segment="5号楼", unit=f"5-1-{k}01")
    b = batches.start(session, actor=cs, incident_id=inc.id, kind="generate", segment="5号楼",
                      data={"items": ITEMS})
    assert b.total == 3 and [i.status for i in batches.items(session, b.id)] == ["pending"] * 3
    session.commit()
    # while its process lives, the batch blocks a second one on the incident
    with pytest.raises(Conflict) as err:
        batches.start(session, actor=cs, incident_id=inc.id, kind="generate", segment="5号楼")
    assert err.value.details["batch_id"] == b.id
    session.rollback()
    assert batches.sweep(session_factory) == 0
    # the server was killed: a dead pid on this host is seen at once, not after the heartbeat timeout
    b = _batch(session, b.id)
    b.owner = _dead_owner()
    session.commit()
    b2 = batches.start(session, actor=cs, incident_id=inc.id, kind="generate", segment="5号楼",
                       data={"items": ITEMS})
    session.commit()
    assert _batch(session, b.id).status == "interrupted"
    assert b2.status == "running" and b2.total == 3  # nothing was drafted by the dead one
    types = [e.type for e in _events(session, inc.id)]
    assert types.count("agreement.batch_interrupted") == 1


def test_the_sweep_interrupts_stale_heartbeats_and_leaves_live_batches(session, session_factory, world):
    from datetime import timedelta

    from incident import clock
    inc, cs = world["inc"], world["cs"].actor
    add_claimant(session, inc, "业主", segment="6号楼", unit="6-1-101")
    b = batches.start(session, actor=cs, incident_id=inc.id, kind="generate", segment="6号楼")
    session.commit()
    assert batches.sweep(session_factory) == 0  # this process, fresh heartbeat
    b = _batch(session, b.id)
    b.owner = "another-host:4242:cafe"  # a process elsewhere: only its heartbeat tells
    b.heartbeat_at = clock.now() - timedelta(seconds=batches.STALE_AFTER - 5)
    session.commit()
    assert batches.sweep(session_factory) == 0
    b = _batch(session, b.id)
    b.heartbeat_at = clock.now() - timedelta(seconds=batches.STALE_AFTER + 5)
    session.commit()
    assert batches.sweep(session_factory) == 1
    assert _batch(session, b.id).status == "interrupted"
    assert batches.sweep(session_factory) == 0  # once


class _Crash(BaseException):
    """kill -9 stand-in: nothing in the runner may catch it, so the batch is left as a crash leaves it."""


def test_resume_seals_only_the_pending_ones_and_never_twice(session, session_factory, world, seal_settings,
                                                            monkeypatch):
    inc, legal = world["inc"], world["legal"].actor
    ags = _signed(session, world, 6)
    b = batches.start(session, actor=legal, incident_id=inc.id, kind="seal", segment="7号楼",
                      proof=proof_of(session, world["legal"]))
    session.commit()
    real, stored = batch_seal.store_chunk, []
    monkeypatch.setattr(batch_seal, "CHUNK", 3)  # results are stored three at a time
    monkeypatch.setattr(batch_seal, "CHUNK_WAIT", 60.0)

    def crash_after_one_chunk(*args, **kw):  # type: ignore[no-untyped-def]
        if len(stored) == 1:
            raise _Crash()
        out = real(*args, **kw)
        stored.append(1)
        return out
    monkeypatch.setattr(batch_seal, "store_chunk", crash_after_one_chunk)
    with pytest.raises(_Crash):
        batch_runner.run(session_factory, b.id, legal, seal_settings, processes=1)
    monkeypatch.setattr(batch_seal, "store_chunk", real)
    b = _batch(session, b.id)
    assert (b.status, b.done) == ("running", 3)  # as a kill -9 leaves it
    b.owner = _dead_owner()
    session.commit()
    assert batches.sweep(session_factory) == 1
    # meanwhile legal seals one of the pending agreements by hand
    pending = [i for i in batches.items(session, b.id) if i.status == "pending"]
    assert len(pending) == 3
    by_hand = pending[0].agreement_id
    sealing.seal(session, actor=legal, agreement_id=by_hand, sealer=sealing.sealer_for(seal_settings),
                 public_url="http://localhost", proof=proof_of(session, world["legal"]))
    session.commit()
    batches.resume(session, actor=legal, batch_id=b.id, proof=proof_of(session, world["legal"]))
    session.commit()
    done = batch_runner.run(session_factory, b.id, legal, seal_settings, processes=1)
    assert (done.status, done.total, done.done, done.failed) == ("done", 6, 6, 1)
    session.expire_all()
    items = {i.agreement_id: i for i in batches.items(session, b.id)}
    assert items[by_hand].status == "failed" and items[by_hand].reason == "not_signed"
    assert items[by_hand].reason_args == {"status": "sealed"}
    evs = _events(session, inc.id)
    sealed = Counter(e.payload["agreement_id"] for e in evs if e.type == "agreement.sealed")
    assert set(sealed) == {a.id for a in ags} and set(sealed.values()) == {1}  # each sealed exactly once
    types = [e.type for e in evs]
    assert types.count("agreement.batch_interrupted") == 1 and types.count("agreement.batch_resumed") == 1
    assert types[-1] in ("agreement.batch_finished", "grade.changed")
    assert all(a.status == "sealed" for a in session.scalars(select(Agreement).where(Agreement.segment == "7号楼")))
    assert verify_chain(session, inc.id).ok


def test_abandon_and_the_refusals(session, session_factory, world):
    inc, cs = world["inc"], world["cs"].actor
    add_claimant(session, inc, "业主", segment="8号楼", unit="8-1-101")
    b = batches.start(session, actor=cs, incident_id=inc.id, kind="generate", segment="8号楼")
    session.commit()
    for fn in (batches.resume, batches.abandon):
        with pytest.raises(Conflict) as err:
            fn(session, actor=cs, batch_id=b.id)
        assert err.value.field == "status" and err.value.details["status"] == "running"
        session.rollback()
    b = _batch(session, b.id)
    b.owner = _dead_owner()
    session.commit()
    batches.sweep(session_factory)
    a = batches.abandon(session, actor=cs, batch_id=b.id)
    session.commit()
    assert a.status == "abandoned" and a.finished_at is not None
    assert batches.pending_count(session, b.id) == 1
    assert [e.type for e in _events(session, inc.id)][-1] == "agreement.batch_abandoned"
    b3 = batches.start(session, actor=cs, incident_id=inc.id, kind="generate", segment="8号楼")
    assert b3.total == 1  # the abandoned one's pending claimant is still to do
    session.rollback()


def test_cancel_stops_a_seal_batch_within_seconds(session, session_factory, world, seal_settings):
    inc, legal = world["inc"], world["legal"].actor
    _signed(session, world, 14, segment="9号楼")
    b = batches.start(session, actor=legal, incident_id=inc.id, kind="seal", segment="9号楼",
                      proof=proof_of(session, world["legal"]))
    session.commit()
    out: list[AgreementBatch] = []
    t = threading.Thread(target=lambda: out.append(batch_runner.run(session_factory, b.id, legal,
                                                                    seal_settings, processes=1)))
    t.start()
    deadline = time.monotonic() + 60
    while _batch(session, b.id).done < 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    session.rollback()  # the runner writes meanwhile: this test's write begins as a writer
    dbmod.begin_write(session)
    batches.cancel(session, actor=legal, batch_id=b.id)
    session.commit()
    asked = time.monotonic()
    t.join(30)
    assert not t.is_alive() and time.monotonic() - asked < 10
    assert out[0].status == "cancelled" and 1 <= out[0].done < 14
    assert not mp.active_children()  # the pool's workers are gone
    session.expire_all()
    assert batches.pending_count(session, b.id) == 14 - out[0].done
    assert _events(session, inc.id)[-1].payload["status"] == "cancelled"


def test_cancel_of_a_batch_whose_process_is_gone_stops_it_now(session, world):
    inc, cs = world["inc"], world["cs"].actor
    add_claimant(session, inc, "业主", segment="3号楼", unit="3-1-901")
    b = batches.start(session, actor=cs, incident_id=inc.id, kind="generate", segment="3号楼")
    b.owner = _dead_owner()
    session.commit()
    c = batches.cancel(session, actor=cs, batch_id=b.id)
    session.commit()
    assert c.status == "cancelled" and c.finished_at is not None


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_lock_held_past_busy_timeout_is_retried_not_failed(session, world, seal_settings, db_url,
                                                             monkeypatch):
    """Another writer holds SQLite's lock for longer than busy_timeout while a generate batch runs:
    each document's write waits, backs off and goes through; nothing fails, nothing is lost."""
    from incident.db import make_engine, make_session_factory
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 150)
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    inc, cs = world["inc"], world["cs"].actor
    for k in range(6):
        add_claimant(session, inc, f"业主{k}", segment="2号楼", unit=f"2-1-{k}01")
    b = batches.start(session, actor=cs, incident_id=inc.id, kind="generate", segment="2号楼",
                      data={"items": ITEMS})
    session.commit()
    holder = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    threading.Timer(0.8, holder.rollback).start()  # held 0.8 s: five times busy_timeout
    try:
        done = batch_runner.run(factory, b.id, cs, seal_settings)
    finally:
        time.sleep(0.9)
        holder.close()
        engine.dispose()
    assert (done.status, done.done, done.failed) == ("done", 6, 0)
    assert len(session.scalars(select(Agreement).where(Agreement.segment == "2号楼")).all()) == 6


def test_generate_records_a_localized_reason_per_failed_document(session, session_factory, world, seal_settings):
    inc, cs = world["inc"], world["cs"].actor
    a = add_claimant(session, inc, "甲", segment="1号楼", unit="1-1-101")
    add_claimant(session, inc, "乙", segment="1号楼", unit="1-1-201")
    b = batches.start(session, actor=cs, incident_id=inc.id, kind="generate", segment="1号楼",
                      data={"items": ITEMS})
    session.commit()
    # someone drafts for 甲 by hand before the batch gets to it
    service.draft(session, actor=cs, incident_id=inc.id, data={"claimant_id": a.id, "items": ITEMS}, org_name=ORG)
    session.commit()
    done = batch_runner.run(session_factory, b.id, cs, seal_settings)
    assert (done.status, done.done, done.failed) == ("done", 2, 1)
    session.expire_all()
    rows = session.scalars(select(AgreementBatchItem).where(AgreementBatchItem.batch_id == b.id)
                           .order_by(AgreementBatchItem.id)).all()
    assert [r.status for r in rows] == ["failed", "done"]
    assert rows[0].reason == "has_agreement" and rows[0].reason_args["ref"].endswith("-A001")
    assert rows[1].agreement_id is not None
    from incident.i18n import gettext
    from incident.labels import LABELS
    assert "已有协议" in gettext("zh_CN", LABELS["batch_reason"]["has_agreement"], ref="X")
