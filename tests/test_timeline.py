"""The hash chain: appends, reads back, and names the first event that was tampered with."""
from __future__ import annotations

import json

from sqlalchemy import text

from incident import service, timeline
from incident.closing.status import change_status
from incident.timeline import verify_chain
from tests.factories import make_incident, make_user


def _incident_with_events(session, n_notes=3):
    user = make_user(session, "manager")
    inc = make_incident(session, user)
    for i in range(n_notes):
        service.add_note(session, actor=user.actor, incident_id=inc.id, text=f"第{i + 1}条记录")
    session.commit()
    return inc


def _verify(session, inc):
    session.expire_all()
    inc = service.get(session, inc.id)
    return verify_chain(session, inc.id, anchor_seq=inc.last_seq, anchor_hash=inc.head_hash)


def test_sequence_is_gap_free_and_linked(session):
    inc = _incident_with_events(session)
    events = timeline.list_since(session, inc.id)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    for prev, ev in zip(events, events[1:]):
        assert ev.prev_hash == prev.hash
    assert events[-1].hash == inc.head_hash
    assert _verify(session, inc).ok


def test_list_since_returns_only_later_events(session):
    inc = _incident_with_events(session)
    assert [e.seq for e in timeline.list_since(session, inc.id, after=2)] == [3, 4]


def test_changed_payload_is_named(session):
    inc = _incident_with_events(session)
    ev = timeline.list_since(session, inc.id)[2]
    session.execute(text("UPDATE incident_events SET payload = :p WHERE id = :id"),
                    {"p": '{"text": "篡改"}', "id": ev.id})
    session.commit()
    report = _verify(session, inc)
    assert not report.ok and report.broken_seq == 3 and report.broken_event_id == ev.id
    assert "hash" in report.reason


def test_deleted_event_is_named(session):
    inc = _incident_with_events(session)
    ev = timeline.list_since(session, inc.id)[1]
    session.execute(text("DELETE FROM incident_events WHERE id = :id"), {"id": ev.id})
    session.commit()
    report = _verify(session, inc)
    assert not report.ok and report.broken_seq == 3 and "gap" in report.reason


def test_swapped_events_are_named(session):
    inc = _incident_with_events(session)
    a, b = timeline.list_since(session, inc.id)[1:3]
    session.execute(text("UPDATE incident_events SET seq = -1 WHERE id = :id"), {"id": a.id})
    session.execute(text("UPDATE incident_events SET seq = :s WHERE id = :id"), {"s": a.seq, "id": b.id})
    session.execute(text("UPDATE incident_events SET seq = :s WHERE id = :id"), {"s": b.seq, "id": a.id})
    session.commit()
    report = _verify(session, inc)
    assert not report.ok and report.broken_seq == 2 and report.broken_event_id == b.id


def test_cut_tail_is_detected_by_the_anchor(session):
    inc = _incident_with_events(session)
    last = timeline.list_since(session, inc.id)[-1]
    session.execute(text("DELETE FROM incident_events WHERE id = :id"), {"id": last.id})
    session.commit()
    report = _verify(session, inc)
    assert not report.ok and "head" in report.reason


def test_every_state_change_writes_one_event(session):
    user = make_user(session, "manager")
    inc = make_incident(session, user)
    assert inc.last_seq == 1
    service.confirm_readback(session, actor=user.actor, incident_id=inc.id, confirmed_by="刘先生")
    assert inc.last_seq == 2
    change_status(session, actor=user.actor, incident_id=inc.id, status="command")
    assert inc.last_seq == 3
    types = [e.type for e in timeline.list_since(session, inc.id)]
    assert types == ["incident.opened", "intake.read_back_confirmed", "status.changed"]


def test_events_are_published_only_after_commit(session):
    from incident.timeline import bus
    seen = []
    unsubscribe = bus.subscribe(seen.append)
    try:
        user = make_user(session, "manager")
        make_incident(session, user)
        assert seen == []
        session.commit()
        assert [e["type"] for e in seen] == ["incident.opened"]
        make_incident(session, user)
        session.rollback()
        assert len(seen) == 1
    finally:
        unsubscribe()


def test_savepoint_rollback_drops_only_its_own_events(session):
    from incident.timeline import bus
    seen = []
    unsubscribe = bus.subscribe(seen.append)
    try:
        user = make_user(session, "manager")
        inc = make_incident(session, user)
        sp = session.begin_nested()
        service.add_note(session, actor=user.actor, incident_id=inc.id, text="作废的记录")
        sp.rollback()
        service.add_note(session, actor=user.actor, incident_id=inc.id, text="保留的记录")
        session.commit()
        assert [e["type"] for e in seen] == ["incident.opened", "note.added"]
        assert seen[1]["payload"]["text"] == "保留的记录"
    finally:
        unsubscribe()


def test_a_long_chain_reports_progress_while_it_streams(session):
    inc = _incident_with_events(session, n_notes=9)  # opened + 9 notes (+ whatever opening records)
    session.expire_all()
    inc = service.get(session, inc.id)
    seen: list[int] = []
    report = verify_chain(session, inc.id, anchor_seq=inc.last_seq, anchor_hash=inc.head_hash,
                          progress=seen.append, every=3)
    assert report.ok and report.events == inc.last_seq
    assert seen == list(range(3, inc.last_seq + 1, 3))


def test_the_cli_prints_progress_on_stderr(tmp_path):
    from click.testing import CliRunner

    from concord.cli import main
    from incident.timeline import verify as verify_module
    runner = CliRunner()
    assert runner.invoke(main, ["--instance", str(tmp_path), "init", "--admin-password", "admin-pass-123"]).exit_code == 0
    assert runner.invoke(main, ["--instance", str(tmp_path), "demo"]).exit_code == 0
    real = verify_module.verify_chain

    def every_five(*args, **kw):
        return real(*args, **{**kw, "every": 5})
    import concord.cli.audit as audit_cli
    audit_cli.verify_chain, saved = every_five, audit_cli.verify_chain
    try:
        result = runner.invoke(main, ["--instance", str(tmp_path), "audit", "verify", "1"])
    finally:
        audit_cli.verify_chain = saved
    assert result.exit_code == 0, result.output
    assert "events checked" in result.stderr and result.stdout.startswith("OK: incident 1")


def test_the_canonical_time_is_the_one_every_chain_was_hashed_with():
    from datetime import datetime, timedelta, timezone

    from incident.timeline.chain import utc_text
    utc = timezone.utc
    for at in (datetime(2026, 6, 1, 1, 0, tzinfo=utc), datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=utc),
               datetime(2026, 1, 1, 8, 0, 0, 5, tzinfo=timezone(timedelta(hours=8))), datetime(2026, 3, 4, 5, 6, 7)):
        old = (at.astimezone(utc) if at.tzinfo else at).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        assert utc_text(at) == old
def test_a_released_savepoint_publishes_nothing_until_the_outermost_commit(session):
    """SQLAlchemy fires after_commit when a SAVEPOINT is released: its events must wait for the
    outermost commit, and go with an outer rollback (issue 17)."""
    from incident.timeline import bus
    seen = []
    unsubscribe = bus.subscribe(seen.append)
    try:
        user = make_user(session, "manager")
        inc = make_incident(session, user)
        session.commit()
        seen.clear()
        with session.begin_nested():
            service.add_note(session, actor=user.actor, incident_id=inc.id, text="保存点里的记录 𠮷")
            with session.begin_nested():
                service.add_note(session, actor=user.actor, incident_id=inc.id, text="<script>内层</script>")
        assert seen == []  # both savepoints released, the transaction still open
        session.rollback()
        assert seen == []  # rolled back: nothing was ever published
        with session.begin_nested():
            service.add_note(session, actor=user.actor, incident_id=inc.id, text="提交的记录")
        assert seen == []
        session.commit()
        assert [e["payload"]["text"] for e in seen] == ["提交的记录"]
    finally:
        unsubscribe()


def test_the_stored_payload_is_the_hashed_text_and_older_spellings_still_verify(session):
    """JSON is stored in the canonical form (verify hashes the stored text as is); a row stored in
    another spelling of the same JSON (before that, or written by hand) is decoded and still passes;
    a changed actor name or type fails either way."""
    from incident.timeline.chain import canonical
    inc = _incident_with_events(session)
    ev = timeline.list_since(session, inc.id)[1]
    stored = session.execute(text("SELECT CAST(payload AS TEXT) FROM incident_events WHERE id = :id"),
                             {"id": ev.id}).scalar_one()
    body = canonical(incident_id=inc.id, seq=ev.seq, type=ev.type, actor_id=ev.actor_id,
                     actor_name=ev.actor_name, at=ev.at, payload=ev.payload).decode()
    assert f'"payload":{stored},' in body
    spaced = json.dumps(ev.payload, ensure_ascii=True, indent=1)  # same JSON, other bytes
    assert spaced != stored
    session.execute(text("UPDATE incident_events SET payload = :p WHERE id = :id"), {"p": spaced, "id": ev.id})
    session.commit()
    assert _verify(session, inc).ok
    session.execute(text("UPDATE incident_events SET actor_name = :n WHERE id = :id"), {"n": "别人", "id": ev.id})
    session.commit()
    report = _verify(session, inc)
    assert not report.ok and report.broken_event_id == ev.id
