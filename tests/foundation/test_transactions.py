"""One writer at a time: the write guard itself, no GET writes, lock waits answer 503, the login
session refresh neither writes in a read transaction nor ends a write transaction early."""
from __future__ import annotations

import sqlite3
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from exports.agreements.models import AgreementTemplate
from incident import clock
from incident import db as dbmod
from incident.accounts.models import LoginSession
from incident.db import UnguardedWrite, begin_write, make_engine, make_session_factory, quick_write
from incident.models import IncidentNote
from tests.conftest import Api, login
from tests.factories import PASSWORD, make_incident, make_user

sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _path(db_url: str) -> str:
    return db_url.removeprefix("sqlite:///")


@sqlite_only
def test_a_write_in_a_read_transaction_fails(session_factory):
    s = session_factory()
    try:
        s.scalar(select(func.count(IncidentNote.id)))  # began as a reader
        with pytest.raises(UnguardedWrite, match="begin_write"):
            make_user(s, "staff")  # its flush
        s.rollback()
        with pytest.raises(UnguardedWrite):  # an ORM-enabled UPDATE statement too
            s.execute(update(LoginSession).values(revoked_at=clock.now()))
        s.rollback()
        begin_write(s)  # the same work, begun as the writer: fine
        make_user(s, "staff")
        s.flush()
        assert dbmod.began_as_write(s)
        s.commit()
        # after commit the next transaction starts as a reader again
        s.scalar(select(func.count(IncidentNote.id)))
        assert not dbmod.began_as_write(s)
    finally:
        s.rollback()
        s.close()


def test_the_guard_does_not_apply_off_sqlite(engine, session_factory):
    s = session_factory()
    try:
        s.scalar(select(func.count(IncidentNote.id)))
        if engine.dialect.name == "sqlite":
            with pytest.raises(UnguardedWrite):
                make_user(s, "staff")
        else:
            make_user(s, "staff")  # PostgreSQL row locks: every transaction may write
    finally:
        s.rollback()
        s.close()


def test_template_pages_read_only_on_a_fresh_instance(session, api_as):
    """The first visit to the template editor used to seed rows in a GET (a 500 on a fresh instance)."""
    admin = make_user(session, "admin")
    api = api_as(admin)
    before = session.scalar(select(func.count(AgreementTemplate.id)))
    assert before == 2  # zh_CN and en, seeded by the migrations
    assert api.get("/api/v1/agreement-templates").status_code == 200
    assert api.client.get("/agreement-templates").status_code == 200
    session.rollback()
    assert session.scalar(select(func.count(AgreementTemplate.id))) == before


@pytest.fixture
def short_wait(monkeypatch, settings, db_url):  # type: ignore[no-untyped-def]
    """An app whose SQLite connections give up a lock wait after 0.3 s (instead of 10 s)."""
    from realtime.app import create_app
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 300)
    engine = make_engine(db_url)
    app = create_app(settings, config={"TESTING": True}, engine=engine)
    yield app
    _forget(app)
    engine.dispose()


def _forget(app) -> None:  # type: ignore[no-untyped-def]
    """Unsubscribe the app from the timeline bus (as the app fixture does): else later apps of this
    process would broadcast every event once more."""
    unsubscribe = app.extensions.get("concord.bus_unsubscribe")
    if unsubscribe:
        unsubscribe()


def _leader_on(session: Session, app):  # type: ignore[no-untyped-def]
    """An incident and its leader logged in to *app*."""
    user = make_user(session, "manager")
    inc = make_incident(session, user)
    session.commit()
    c = app.test_client()
    return inc, Api(c, login(c, user.username, PASSWORD), user)


def _hold_write_lock(db_url: str) -> sqlite3.Connection:
    con = sqlite3.connect(_path(db_url), isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    return con


@sqlite_only
def test_a_lock_wait_past_busy_timeout_answers_503_with_retry_after(session, short_wait, db_url):
    inc, api = _leader_on(session, short_wait)
    holder = _hold_write_lock(db_url)
    try:
        resp = api.post(f"/api/v1/incidents/{inc.id}/notes", {"text": "业主情绪稳定"})
        assert resp.status_code == 503
        assert resp.headers["Retry-After"] == "2"
        body = resp.get_json()
        assert body["error"] == "busy" and body["field"] is None
        assert "稍后" in body["message_local"] and body["message"].startswith("the database is busy")
        assert api.get(f"/api/v1/incidents/{inc.id}").status_code == 200  # readers go on (WAL)
    finally:
        holder.rollback()
        holder.close()
    assert api.post(f"/api/v1/incidents/{inc.id}/notes", {"text": "业主情绪稳定"}).status_code == 201
    session.rollback()
    assert session.scalar(select(func.count(IncidentNote.id)).where(IncidentNote.incident_id == inc.id)) == 1


def _age(session: Session, minutes: int) -> None:
    """Every login session was last seen *minutes* ago (the users went idle)."""
    session.execute(update(LoginSession).values(last_seen_at=clock.now() - timedelta(minutes=minutes)))
    session.commit()


def _seen(session: Session, sid: str):  # type: ignore[no-untyped-def]
    session.rollback()  # a fresh snapshot: what is committed now
    return session.scalar(select(LoginSession.last_seen_at).where(LoginSession.id == sid))


def _sid(api: Api) -> str:
    with api.client.session_transaction() as s:
        return s["sid"]


def test_login_refresh_on_a_read_is_its_own_short_write(session, api_as):
    user = make_user(session, "manager")
    inc = make_incident(session, user)
    api = api_as(user)
    sid = _sid(api)
    _age(session, 10)
    old = _seen(session, sid)
    assert api.get(f"/api/v1/incidents/{inc.id}").status_code == 200
    moved = _seen(session, sid)
    assert moved > old + timedelta(minutes=9)
    assert api.get(f"/api/v1/incidents/{inc.id}").status_code == 200
    assert _seen(session, sid) == moved  # at most once a minute


def test_login_refresh_on_a_write_rides_in_the_requests_transaction(session, api_as):
    user = make_user(session, "manager")
    inc = make_incident(session, user)
    api = api_as(user)
    sid = _sid(api)
    _age(session, 10)
    old = _seen(session, sid)
    assert api.post(f"/api/v1/incidents/{inc.id}/notes", {"text": "第一条"}).status_code == 201
    assert _seen(session, sid) > old + timedelta(minutes=9)
    _age(session, 10)
    old = _seen(session, sid)
    # a refused write rolls back as a whole: nothing of it is stored, the refresh included
    assert api.post(f"/api/v1/incidents/{inc.id}/notes", {"text": ""}).status_code == 400
    assert _seen(session, sid) == old


@sqlite_only
def test_login_refresh_is_skipped_while_the_database_is_busy(session, short_wait, db_url):
    inc, api = _leader_on(session, short_wait)
    sid = _sid(api)
    _age(session, 10)
    old = _seen(session, sid)
    session.rollback()
    holder = _hold_write_lock(db_url)
    try:
        t = time.monotonic()
        assert api.get(f"/api/v1/incidents/{inc.id}").status_code == 200
        assert time.monotonic() - t < 5  # waited REFRESH_WAIT for the lock at most, then read
    finally:
        holder.rollback()
        holder.close()
    assert _seen(session, sid) == old
    assert api.get(f"/api/v1/incidents/{inc.id}").status_code == 200
    assert _seen(session, sid) > old


def test_quick_write_gives_up_instead_of_waiting(engine, db_url):
    factory = make_session_factory(engine)
    with factory() as s:
        begin_write(s)
        uid = make_user(s, "staff").id
        s.commit()
    from incident.accounts.models import User
    assert quick_write(engine, lambda s: s.execute(update(User).where(User.id == uid).values(display_name="甲")))
    blocker = factory()
    begin_write(blocker)
    blocker.execute(update(User).where(User.id == uid).values(display_name="乙"))  # holds the row / the lock
    try:
        t = time.monotonic()
        assert not quick_write(engine, lambda s: s.execute(update(User).where(User.id == uid)
                                                           .values(display_name="丙")), wait=0.2)
        assert time.monotonic() - t < 3
    finally:
        blocker.rollback()
        blocker.close()


def test_twenty_idle_sessions_acting_at_once(settings, db_url, session):
    """20 users come back after the pool recycled every connection and the login refresh is due:
    reads and writes at once, no 5xx (the old refresh committed mid-request: 14-18 of 20 were 500s)."""
    from realtime.app import create_app
    engine = make_engine(db_url, pool_recycle=1, pool_size=5, max_overflow=30)
    app = create_app(settings, config={"TESTING": True}, engine=engine)
    try:
        leader = make_user(session, "manager")
        inc = make_incident(session, leader)
        users = [leader] + [make_user(session, "manager") for _ in range(19)]
        session.commit()
        apis = []
        for u in users:
            c = app.test_client()
            apis.append(Api(c, login(c, u.username, PASSWORD), u))
        _age(session, 10)  # idle past the refresh interval
        session.close()
        time.sleep(1.5)  # and past the pool's recycle time
        statuses: list[int] = []
        go = threading.Barrier(len(apis))

        def act(n: int, api: Api) -> None:
            go.wait()
            try:  # TESTING propagates a server error as an exception: count it as the 500 it would be
                if n % 2:
                    statuses.append(api.post(f"/api/v1/incidents/{inc.id}/notes", {"text": f"回来了 {n}"}).status_code)
                else:
                    statuses.append(api.get(f"/api/v1/incidents/{inc.id}").status_code)
                statuses.append(api.get(f"/api/v1/incidents/{inc.id}/events?after=0").status_code)
            except Exception:
                statuses.append(500)
        threads = [threading.Thread(target=act, args=(n, a)) for n, a in enumerate(apis)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert len(statuses) == 40 and not [s for s in statuses if s >= 500], statuses
        assert statuses.count(201) == 10
    finally:
        _forget(app)
        engine.dispose()


def test_the_write_gate_serves_this_processes_writers_in_turn():
    from sqlalchemy.exc import OperationalError

    from incident.db import WriteGate
    gate, order = WriteGate(), []
    first: dict = {}
    gate.enter(first, 1)
    infos = [{} for _ in range(5)]

    def writer(n: int) -> None:
        gate.enter(infos[n], 10)
        order.append(n)
        gate.leave(infos[n])
    threads = []
    for n in range(5):  # they queue in this order behind the first writer
        threads.append(threading.Thread(target=writer, args=(n,)))
        threads[-1].start()
        time.sleep(0.05)
    late: dict = {}
    with pytest.raises(OperationalError, match="locked"):
        gate.enter(late, 0.1)  # gave up after its wait, like a busy SQLite
    assert order == []
    gate.leave(first)
    for t in threads:
        t.join(5)
    assert order == [0, 1, 2, 3, 4]
    gate.leave(late)  # it never held the gate: a no-op
    again: dict = {}
    gate.enter(again, 0.1)  # free again
    gate.leave(again)


@sqlite_only
def test_a_rolled_back_or_returned_connection_frees_the_gate(engine):
    factory = make_session_factory(engine)
    for end in ("commit", "rollback", "close"):
        s = factory()
        begin_write(s)
        make_user(s, "staff")
        getattr(s, end)()
        s.close()
        t = time.monotonic()
        with factory() as s2:  # would wait the busy timeout if the gate were still held
            begin_write(s2)
            s2.rollback()
        assert time.monotonic() - t < 2, end
