"""Fixtures: every database test runs on SQLite and, when CONCORD_TEST_POSTGRES_URL is set, PostgreSQL.

SQLite tests get a fresh copy of a migrated template file; PostgreSQL tests share one migrated
database per worker and have every table emptied after each test.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from concord import migrate
from concord.models import metadata
from incident import privacy
from incident.db import TRUSTED, install_write_guard, make_engine, make_session_factory
from incident.settings import Settings

TEST_FIELD_KEY = "kL2Q0Yg3v9m1a8s7d6f5g4h3j2k1l0z9x8c7v6b5n4M="
PG_URL = os.environ.get("CONCORD_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("CONCORD_TEST_REDIS_URL")

privacy.configure(TEST_FIELD_KEY)

# -- one writer at a time (issue 17): every ORM write in a SQLite transaction that did not begin as
# a write fails, on every engine and session the tests create (the app's, the CLI's, the batch
# runner's, the scheduler's). Server processes started by tests get it through the environment.
install_write_guard()
os.environ["CONCORD_WRITE_GUARD"] = "1"


@pytest.fixture(autouse=True)
def _attachments_dir(tmp_path: Path) -> None:
    from incident import attachments
    attachments.configure(tmp_path / "attachments")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


def _worker_pg_url() -> str:
    assert PG_URL
    url = make_url(PG_URL)
    # One database per pytest process: parallel runs (xdist workers, other checkouts) never collide.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"{url.database or 'concord_test'}_{worker}_{os.getpid()}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine]:
    if not PG_URL:
        pytest.skip("PostgreSQL not configured: set CONCORD_TEST_POSTGRES_URL")
    url = _worker_pg_url()
    engine = make_engine(url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()
    name = make_url(url).database
    admin = create_engine(make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate(engine: Engine) -> None:
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    # -- one writer at a time (issue 17): rows the migrations seed come back, as on a fresh database
    from exports.agreements.templates import seed_defaults
    with make_session_factory(engine)() as s:
        s.info[TRUSTED] = True
        seed_defaults(s)
        # -- archive (issue 13): the problem-type taxonomy migration 0018 seeds
        from incident.closing.taxonomy import seed_defaults as seed_problem_types
        seed_problem_types(s)
        s.commit()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "concord.db"
        shutil.copyfile(sqlite_template, path)
        return f"sqlite:///{path}"
    engine = request.getfixturevalue("pg_engine")
    request.addfinalizer(lambda: _truncate(engine))
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def engine(db_url: str, request: pytest.FixtureRequest) -> Iterator[Engine]:
    if db_url.startswith("postgresql"):
        yield request.getfixturevalue("pg_engine")
        return
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session_factory(engine: Engine):  # type: ignore[no-untyped-def]
    return make_session_factory(engine)


@pytest.fixture
def session(session_factory: Any) -> Iterator[Session]:
    s = session_factory()
    # The test's own set-up session: the test is the caller that owns this unit of work, and it
    # runs alone (what it checks is the code under test, whose sessions stay guarded).
    s.info[TRUSTED] = True
    yield s
    s.rollback()
    s.close()


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(instance=tmp_path, database_url=db_url, secret_key="test-secret",
                    field_key=TEST_FIELD_KEY, public_url="http://localhost",
                    redis_url=None)


@pytest.fixture
def app(settings: Settings, engine: Engine):  # type: ignore[no-untyped-def]
    from realtime.app import create_app
    application = create_app(settings, config={"TESTING": True}, engine=engine)
    yield application
    unsubscribe = application.extensions.get("concord.bus_unsubscribe")
    if unsubscribe:
        unsubscribe()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


class Api:
    """A logged-in test client that sends JSON with the CSRF header."""

    def __init__(self, client: Any, csrf: str, user: Any) -> None:
        self.client, self.csrf, self.user = client, csrf, user

    def _send(self, method: str, path: str, json: Any = None, **kw: Any) -> Any:
        headers = {"X-CSRF-Token": self.csrf, "Accept": "application/json"} | kw.pop("headers", {})
        return self.client.open(path, method=method, json=json, headers=headers, **kw)

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, headers={"Accept": "application/json"}, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self._send("POST", path, json, **kw)

    def patch(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self._send("PATCH", path, json, **kw)

    def put(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self._send("PUT", path, json, **kw)

    def delete(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self._send("DELETE", path, json, **kw)


def login(client: Any, username: str, password: str) -> str:
    """Log a test client in through the real form; returns the session's CSRF token."""
    import re
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    resp = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    with client.session_transaction() as s:
        return s["csrf"]


@pytest.fixture
def api_as(app, session):  # type: ignore[no-untyped-def]
    """api_as(user) -> an Api client logged in as that user (password from factories)."""
    from tests.factories import PASSWORD

    def _make(user: Any) -> Api:
        session.commit()
        c = app.test_client()
        return Api(c, login(c, user.username, PASSWORD), user)
    return _make
