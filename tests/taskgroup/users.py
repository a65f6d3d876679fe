"""Users without the argon2 cost per user: one real hash of the factories' PASSWORD, reused.

Logging in still verifies that hash for real; only the repeated hashing at creation is saved.
"""
from __future__ import annotations

import itertools
from functools import lru_cache

from sqlalchemy.orm import Session

from incident import clock
from incident.accounts.models import Role, User
from tests.factories import PASSWORD

_seq = itertools.count(1)


@lru_cache(maxsize=1)
def _hash() -> str:
    from incident.accounts.service import _hasher
    return _hasher.hash(PASSWORD)


def quick_user(session: Session, role: str = "staff", name: str | None = None,
               is_legal: bool = False) -> User:
    n = next(_seq)
    user = User(username=f"tg-{role}-{n}", display_name=name or f"{role.title()} {n}",
                password_hash=_hash(), role=Role(role), locale="zh_CN", active=True,
                created_at=clock.now(), is_legal=is_legal)
    session.add(user)
    session.flush()
    return user


def session_client(app, session: Session, user: User):  # type: ignore[no-untyped-def]
    """A JSON client logged in as *user* through a real server-side login session, minus argon2.

    The row is what accounts.login creates; the cookie is set the way start_session sets it.
    """
    import secrets

    from incident.accounts.models import LoginSession
    from tests.conftest import Api
    now = clock.now()
    ls = LoginSession(id=secrets.token_urlsafe(32), user_id=user.id, created_at=now, last_seen_at=now)
    session.add(ls)
    session.commit()
    client = app.test_client()
    csrf = secrets.token_urlsafe(32)
    with client.session_transaction() as s:
        s["sid"], s["csrf"] = ls.id, csrf
    return Api(client, csrf, user)
