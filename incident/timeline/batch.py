"""Batches of writes (the scheduler firing many deadlines): one flush for many events and rows."""
from __future__ import annotations

import contextlib
from typing import Callable, Iterator

from sqlalchemy.orm import Session


DEFERRED = "concord.deferred_flush"


@contextlib.contextmanager
def deferred_flush(session: Session) -> Iterator[None]:
    """A batch of writes (the scheduler firing many deadlines): writers that call flush_or_defer()
    leave their INSERTs to one flush at the end of the block — one executemany per table instead
    of a round trip per row — and what they wanted done after their flush (a toast that needs the
    new row's id) runs then. A query inside the block still autoflushes, so reads stay correct."""
    later: list[Callable[[], None]] = []
    session.info[DEFERRED] = later
    try:
        yield
        session.flush()
        for fn in later:
            fn()
    finally:
        session.info.pop(DEFERRED, None)


def flush_or_defer(session: Session, then: Callable[[], None] | None = None) -> None:
    """Flush now (and run `then`), or, inside deferred_flush(), at the end of its block."""
    later = session.info.get(DEFERRED)
    if later is None:
        session.flush()
        if then is not None:
            then()
    elif then is not None:
        later.append(then)
