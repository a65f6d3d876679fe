"""One database session per request (or socket event), committed explicitly by the view."""
from __future__ import annotations

from flask import current_app, g
from sqlalchemy.orm import Session


def db() -> Session:
    """The request's session, opened on first use."""
    if "db" not in g:
        g.db = current_app.extensions["concord.sessions"]()
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    s = g.pop("db", None)
    if s is not None:
        s.rollback()
        s.close()
