"""One instance for every fault test (set up once: `concord init` costs seconds), the arranged
users and incident, and a PostgreSQL database for the PostgreSQL rounds."""
from __future__ import annotations

import os
import random
import time
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from incident import attachments, privacy
from incident.accounts import service as accounts
from incident.db import unit_of_work
from incident.intake.schema import parse_intake
from incident.service import open_incident
from tests.conftest import PG_URL, TEST_FIELD_KEY
from tests.factories import PASSWORD, intake_data
from tests.live import ADMIN_PASSWORD, concord, session_for

TIMES: dict[str, float] = {}  # what each fault test cost (printed at the end of the run)


@pytest.fixture(autouse=True)
def _timed(request: pytest.FixtureRequest) -> Iterator[None]:
    began = time.monotonic()
    yield
    TIMES[request.node.name] = time.monotonic() - began


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if TIMES:
        terminalreporter.write_line("tests/faults wall time: " + ", ".join(
            f"{k} {v:.1f} s" for k, v in TIMES.items()) + f"; total {sum(TIMES.values()):.1f} s")


def arrange(instance: Path, env: dict[str, str] | None = None, writers: int = 4) -> dict[str, Any]:
    """Writer users (managers) and one incident they all may write on."""
    factory = session_for(instance, env)
    try:
        with unit_of_work(factory) as s:
            tag = random.randrange(10**6)
            users = [accounts.create_user(s, username=f"w{tag}x{k}", password=PASSWORD, display_name=f"写手{k} 𠮷",
                                          role="manager") for k in range(writers)]
            inc = open_incident(s, actor=users[0].actor, intake=parse_intake(intake_data()))
            return {"users": [u.username for u in users], "incident_id": inc.id, "factory": factory}
    finally:
        privacy.configure(TEST_FIELD_KEY)  # session_for set the instance's key for this process


@pytest.fixture(scope="session")
def faults_instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    inst = tmp_path_factory.mktemp("faults") / "instance"
    concord(inst, "init", "--admin-password", ADMIN_PASSWORD)
    yield inst
    attachments.configure(inst / "attachments")


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """A fresh PostgreSQL database for a live server (CONCORD_DATABASE_URL), dropped afterwards."""
    if not PG_URL:
        pytest.skip("PostgreSQL not configured: set CONCORD_TEST_POSTGRES_URL")
    name = f"concord_faults_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_instance(tmp_path_factory: pytest.TempPathFactory, pg_database_url: str) -> tuple[Path, dict[str, str]]:
    inst = tmp_path_factory.mktemp("faults-pg") / "instance"
    env = {"CONCORD_DATABASE_URL": pg_database_url}
    concord(inst, "init", "--admin-password", ADMIN_PASSWORD, env=env)
    return inst, env


def rounds() -> int:
    return int(os.environ.get("CONCORD_KILL_ROUNDS") or 20)
