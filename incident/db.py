"""Engine, declarative base and the unit of work shared by every domain package."""
from __future__ import annotations

import collections
import contextlib
import logging
import random
import sqlite3
import threading
import time
from datetime import datetime, timezone
from typing import Any, Callable, Iterator, TypeVar

from sqlalchemy import JSON, DateTime, MetaData, create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, ORMExecuteState, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from incident import jsontext

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC: SQLite keeps no zone, PostgreSQL would convert."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=timezone.utc)


class CanonicalJSON(TypeDecorator[Any]):
    """JSON stored as the canonical text (incident.jsontext: sorted keys, no spaces) — the bytes the
    timeline's hash chain covers, so verification can hash the stored text without re-encoding it.
    Other JSON columns keep their keys' order (a file's columns, a mapping)."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Any) -> Callable[[Any], Any]:
        return lambda value: None if value is None else jsontext.dumps(value)


BUSY_TIMEOUT_MS = 10000  # how long a SQLite writer waits for the lock before "database is locked"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # FULL, not NORMAL: with WAL, NORMAL can drop the last commits on power loss.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite connections get WAL, FULL sync, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 10})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        # Take BEGIN away from pysqlite so a unit of work that will write can start with
        # BEGIN IMMEDIATE (see begin_write): a deferred transaction that reads first and then
        # writes fails at once with "database is locked" when another writer got in between.
        @event.listens_for(engine, "connect")
        def _no_autobegin(dbapi_conn: Any, _rec: Any) -> None:
            dbapi_conn.isolation_level = None

        gate = WriteGate()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            immediate = bool(conn.get_execution_options().get(WRITE_OPTION))
            conn.info[WRITE_OPTION] = immediate  # what the write guard checks (see install_write_guard)
            if not immediate:
                conn.exec_driver_sql("BEGIN")
                return
            gate.enter(conn.info, conn.info.get(WAIT_OPTION, BUSY_TIMEOUT_MS) / 1000)
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                gate.leave(conn.info)
                raise

        for name in ("commit", "rollback"):
            event.listen(engine, name, lambda conn: gate.leave(conn.info))
        # a connection that goes back to the pool never keeps this process's writers waiting
        event.listen(engine, "checkin", lambda _dbapi, record: gate.leave(record.info))
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


WRITE_OPTION = "concord_write"
WAIT_OPTION = "concord_wait_ms"  # connection info: a shorter wait for the write lock (quick_write)


class WriteGate:
    """This process's SQLite writers queue here, first come first served, before BEGIN IMMEDIATE.

    SQLite's busy handler lets waiting writers poll with growing sleeps, so under many threads one
    writer can lose every race for longer than busy_timeout (a 503). Queued here, every writer of
    the process gets its turn; writers in other processes still meet at SQLite's lock.
    """

    HELD = "concord_gate_held"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy = False
        self._queue: collections.deque[threading.Event] = collections.deque()

    def enter(self, info: dict[str, Any], timeout: float) -> None:
        with self._lock:
            if not self._busy:
                self._busy = True
                info[self.HELD] = True
                return
            turn = threading.Event()
            self._queue.append(turn)
        if not turn.wait(timeout):
            with self._lock:
                if turn in self._queue:  # not handed over meanwhile: give up like a busy SQLite
                    self._queue.remove(turn)
                    raise OperationalError("BEGIN IMMEDIATE", None,
                                           sqlite3.OperationalError("database is locked (by this process)"))
        info[self.HELD] = True

    def leave(self, info: dict[str, Any]) -> None:
        if not info.pop(self.HELD, False):
            return
        with self._lock:
            if self._queue:
                self._queue.popleft().set()  # the turn passes on: still busy
            else:
                self._busy = False


def begin_write(session: Session) -> None:
    """Start the session's transaction as a writer (BEGIN IMMEDIATE on SQLite; plain BEGIN elsewhere).

    Call before the first statement of a unit of work that will write; a no-op once the
    transaction has begun.
    """
    if not session.in_transaction():
        session.connection(execution_options={WRITE_OPTION: True})


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Session factory whose sessions keep loaded objects usable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def began_as_write(session: Session) -> bool:
    """Whether the session's current transaction is a writer (always true outside SQLite)."""
    conn = session.connection()
    return conn.dialect.name != "sqlite" or bool(conn.info.get(WRITE_OPTION))


def is_lock_error(err: BaseException) -> bool:
    """A lock wait that gave up: SQLite busy/locked past busy_timeout, or a PostgreSQL lock timeout,
    deadlock or serialization failure. The work can simply be tried again."""
    if not isinstance(err, OperationalError):
        return False
    if getattr(err.orig, "sqlstate", None) in ("40P01", "40001", "55P03"):
        return True
    text = str(err.orig).lower()
    return "database is locked" in text or "database table is locked" in text or "busy" in text


T = TypeVar("T")
log = logging.getLogger(__name__)


def write_retrying(factory: Callable[[], Session], fn: Callable[[Session], T], *, attempts: int = 6,
                   first_wait: float = 0.2) -> T:
    """Run fn in its own short write unit of work; on a lock error, back off and run it again.

    For background writers (batch results, heartbeats) that must not die when the database stays
    busy past busy_timeout; fn must be safe to repeat (it runs in a fresh transaction each time).
    """
    wait = first_wait
    for attempt in range(1, attempts + 1):
        try:
            with unit_of_work(factory) as session:
                return fn(session)
        except OperationalError as err:
            if not is_lock_error(err) or attempt == attempts:
                raise
            log.warning("database busy (attempt %s of %s); retrying in %.1f s", attempt, attempts, wait)
            time.sleep(wait * (1 + random.random() / 2))
            wait = min(wait * 2, 5.0)
    raise AssertionError("unreachable")


def quick_write(engine: Engine, fn: Callable[[Session], Any], *, wait: float = 0.5) -> bool:
    """Run fn(session) in its own write transaction that waits at most *wait* seconds for the lock;
    False (nothing written) when the database stayed busy. For bookkeeping a request may skip."""
    ms = max(int(wait * 1000), 1)
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        raw = conn.connection.driver_connection
        if sqlite:  # before BEGIN: a plain DBAPI call, outside SQLAlchemy's transaction
            raw.execute(f"PRAGMA busy_timeout={ms}")
            conn.info[WAIT_OPTION] = ms
        try:
            conn.execution_options(**{WRITE_OPTION: True})
            with Session(bind=conn) as session:  # its transaction begins on conn: BEGIN IMMEDIATE
                if not sqlite:
                    session.execute(text(f"SET LOCAL lock_timeout = '{ms}ms'"))
                fn(session)
                session.commit()
            return True
        except OperationalError as err:
            if not is_lock_error(err):
                raise
            return False
        finally:
            if sqlite:
                raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
                conn.info.pop(WAIT_OPTION, None)


class UnguardedWrite(AssertionError):
    """A write inside a SQLite transaction that did not begin as a write (see begin_write)."""


TRUSTED = "concord_write_guard_exempt"  # session.info key: a test's own set-up session


def _check_write(session: Session, what: str) -> None:
    if session.info.get(TRUSTED) or began_as_write(session):
        return
    raise UnguardedWrite(f"{what} inside a read transaction: call incident.db.begin_write(session) "
                         "before the first statement of a unit of work that writes")


def _guard_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    if session.new or session.deleted or any(session.is_modified(o) for o in session.dirty):
        _check_write(session, "flush")


def _guard_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        _check_write(state.session, "INSERT/UPDATE/DELETE statement")


def install_write_guard() -> None:
    """Fail every ORM write in a SQLite transaction that began as a reader (tests, CONCORD_WRITE_GUARD=1).

    A deferred SQLite transaction that reads and then writes fails at once with "database is
    locked" when another writer committed in between; the guard makes forgetting begin_write fail
    every time in tests instead of once in a while under load.
    """
    if not event.contains(Session, "before_flush", _guard_flush):
        event.listen(Session, "before_flush", _guard_flush)
        event.listen(Session, "do_orm_execute", _guard_execute)


@contextlib.contextmanager
def unit_of_work(factory: Callable[[], Session]) -> Iterator[Session]:
    """Open a writing session, commit on success, roll back on any error, always close."""
    session = factory()
    begin_write(session)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
