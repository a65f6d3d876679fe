"""The timeline bus publishes only after the outermost commit, never on a SAVEPOINT's release (issue 17)."""
from __future__ import annotations

from incident import service
from tests.factories import make_incident, make_user


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
