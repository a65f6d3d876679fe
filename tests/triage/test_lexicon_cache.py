"""The lexicon is kept in memory between requests and follows every edit: through the API, and
made by another process (seen through the signature row, never the process's own edit hook)."""
from __future__ import annotations

from sqlalchemy import event, text

from incident.db import begin_write
from incident.triage import store
from tests.factories import intake_data, make_user


def _terms(factory) -> set[str]:  # type: ignore[no-untyped-def]
    with factory() as s:
        return {t.term for t in store.load_terms(s)}


def _queries(engine, fn):  # type: ignore[no-untyped-def]
    seen: list[str] = []
    listener = lambda *a: seen.append(a[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return seen


def test_an_unchanged_lexicon_costs_one_row_per_transaction(session, session_factory, engine):
    with session_factory() as s:
        begin_write(s)
        store.add_keyword(s, term="拉横幅", category="protest")
        s.commit()
    assert "拉横幅" in _terms(session_factory)
    again = _queries(engine, lambda: _terms(session_factory))
    assert len([q for q in again if "risk_keywords" in q]) == 1  # the signature, not the terms
    with session_factory() as s:  # twice in one transaction: asked once
        seen = _queries(engine, lambda: (store.load_terms(s), store.load_terms(s)))
    assert len([q for q in seen if "risk_keywords" in q]) == 1


def test_edits_of_another_process_are_seen_by_the_next_transaction(session_factory, engine):
    with session_factory() as s:
        begin_write(s)
        store.add_keyword(s, term="拉横幅", category="protest")
        s.commit()
    assert "拉横幅" in _terms(session_factory)
    # another process: plain SQL, none of this process's invalidation runs
    with engine.begin() as con:
        con.execute(text("UPDATE risk_keywords SET active = false WHERE term = '拉横幅'"))
    assert "拉横幅" not in _terms(session_factory)
    with engine.begin() as con:
        con.execute(text("UPDATE risk_keywords SET active = true WHERE term = '拉横幅'"))
        con.execute(text("INSERT INTO risk_keywords (term, category, weight, active) VALUES ('围堵', 'protest', 2, true)"))
    assert {"拉横幅", "围堵"} <= _terms(session_factory)
    with engine.begin() as con:  # reweighted elsewhere: the weight the triage uses follows
        con.execute(text("UPDATE risk_keywords SET weight = 3 WHERE term = '围堵'"))
    with session_factory() as s:
        assert {t.term: t.weight for t in store.load_terms(s)}["围堵"] == 3


def test_an_admins_edit_through_the_api_applies_to_the_next_note(api_as, session):
    admin = make_user(session, "admin")
    a = api_as(admin)
    inc = a.post("/api/v1/incidents", json=intake_data(headcount=1, scope_text="个人")).get_json()
    first = a.post(f"/api/v1/incidents/{inc['id']}/notes", json={"text": "业主说要去堵路"})
    assert first.status_code == 201  # the lexicon is now cached, without 堵路
    kw = a.post("/api/v1/lexicon", json={"term": "堵路", "category": "protest", "weight": 2}).get_json()
    a.post(f"/api/v1/incidents/{inc['id']}/notes", json={"text": "业主又说要去堵路"})
    evs = a.get(f"/api/v1/incidents/{inc['id']}/events").get_json()["events"]
    hits = [[h["term"] for h in e["payload"]["hits"]] for e in evs if e["type"] == "note.added"]
    assert hits == [[], ["堵路"]]
    assert a.patch(f"/api/v1/lexicon/{kw['id']}", json={"active": False}).status_code == 200
    a.post(f"/api/v1/incidents/{inc['id']}/notes", json={"text": "第三次说堵路"})
    evs = a.get(f"/api/v1/incidents/{inc['id']}/events").get_json()["events"]
    assert [e["payload"]["hits"] for e in evs if e["type"] == "note.added"][-1] == []
