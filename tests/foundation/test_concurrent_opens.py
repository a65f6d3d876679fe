"""Reference numbers stay unique when many incidents are opened at the same moment (PostgreSQL
reads committed data: two opens used to count the same day's incidents and collide, a 500)."""
from __future__ import annotations

import threading

from sqlalchemy import select

from incident.models import Incident
from tests.conftest import Api, login
from tests.factories import PASSWORD, intake_data, make_user


def test_concurrent_opens_get_distinct_refs(app, session):
    users = [make_user(session, "manager") for _ in range(12)]
    session.commit()
    apis = []
    for u in users:
        c = app.test_client()
        apis.append(Api(c, login(c, u.username, PASSWORD), u))
    go = threading.Barrier(len(apis))
    out: list[tuple[int, str]] = []

    def open_one(api: Api) -> None:
        go.wait()
        try:
            resp = api.post("/api/v1/incidents", json=intake_data(headcount=40))
            out.append((resp.status_code, (resp.get_json() or {}).get("ref", "")))
        except Exception as err:  # TESTING propagates what would be a 500
            out.append((500, repr(err)))
    threads = [threading.Thread(target=open_one, args=(a,)) for a in apis]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [s for s, _ in out] == [201] * len(apis), out
    refs = [r for _, r in out]
    assert len(set(refs)) == len(refs)
    session.rollback()
    stored = session.scalars(select(Incident.ref)).all()
    assert sorted(stored) == sorted(refs)
    n = sorted(int(r.rsplit("-", 1)[1]) for r in refs)
    assert n == list(range(1, len(refs) + 1))  # no gaps, no repeats
