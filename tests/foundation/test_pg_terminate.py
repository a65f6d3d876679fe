"""PostgreSQL connections terminated by the server (issue 17): the next requests succeed (pool
pre-ping), a write in flight when its connection goes answers 503 and leaves nothing half-written.
Real `pg_terminate_backend` on the test database."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select, text

from incident import service
from incident.models import IncidentNote
from tests.factories import make_incident, make_user

pg_only = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


def _terminate(engine, pid: int | None = None) -> int:  # type: ignore[no-untyped-def]
    """Terminate one backend (or every other backend of the test database) from outside the pool."""
    admin = create_engine(engine.url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            where = "pid = :pid" if pid else "datname = current_database() AND pid <> pg_backend_pid()"
            return len(conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE {where}"),
                                    {"pid": pid}).all())
    finally:
        admin.dispose()


@pg_only
def test_terminated_connections_then_requests_succeed_and_a_write_in_flight_is_503(
        api_as, session, engine, monkeypatch):
    leader = make_user(session, "manager")
    inc = make_incident(session, leader)
    api = api_as(leader)
    assert api.get(f"/api/v1/incidents/{inc.id}").status_code == 200
    session.close()
    assert _terminate(engine) >= 1  # every pooled connection of the app is gone
    for _ in range(3):  # pre-ping finds each dead one and opens a fresh one: no error
        assert api.get(f"/api/v1/incidents/{inc.id}").status_code == 200
        r = api.post(f"/api/v1/incidents/{inc.id}/notes", json={"text": "断线后的记录"})
        assert r.status_code == 201, r.get_json()

    real = service.add_note

    def cut_mid_write(s, **kw):  # type: ignore[no-untyped-def]
        s.flush()
        _terminate(engine, s.execute(text("SELECT pg_backend_pid()")).scalar_one())
        return real(s, **kw)
    monkeypatch.setattr(service, "add_note", cut_mid_write)
    r = api.post(f"/api/v1/incidents/{inc.id}/notes", json={"text": "写到一半 𠮷"})
    body = r.get_json()
    assert r.status_code == 503 and body["error"] == "unavailable" and r.headers.get("Retry-After"), body
    assert "connection was lost" in body["message"]
    monkeypatch.setattr(service, "add_note", real)
    session.rollback()
    texts = list(session.scalars(select(IncidentNote.text).where(IncidentNote.incident_id == inc.id)))
    assert "写到一半 𠮷" not in texts and texts.count("断线后的记录") == 3
    assert api.post(f"/api/v1/incidents/{inc.id}/notes", json={"text": "恢复"}).status_code == 201
