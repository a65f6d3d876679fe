"""What this transaction already read, remembered until it writes anything or ends.

A web request asks the same questions several times (the permission hook, then the service:
"which seats does this user hold here?"; the note's keyword scan, then the re-triage: "which
risk terms are active?"). `remember(session, key, compute)` answers the second time from memory.
The memory is forgotten whenever the session flushes, runs an INSERT/UPDATE/DELETE statement,
commits, rolls back or otherwise ends a transaction (a savepoint too), and is not used while the
session holds unflushed changes — so an answer is always what a query would return at that moment
(a query would autoflush first).
"""
from __future__ import annotations

from typing import Any, Callable, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

KEY = "concord.memo"
T = TypeVar("T")


def remember(session: Session, key: Any, compute: Callable[[], T]) -> T:
    """compute() once per transaction and key (while the session changes nothing)."""
    if session.new or session.dirty or session.deleted:
        forget(session)
        return compute()
    memo = session.info.setdefault(KEY, {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]  # type: ignore[no-any-return]


def forget(session: Session, *_args: Any) -> None:
    session.info.pop(KEY, None)


def _on_execute(state: ORMExecuteState) -> None:
    if not state.is_select:
        forget(state.session)


for _name in ("after_flush", "after_commit", "after_rollback", "after_soft_rollback", "after_transaction_end"):
    event.listen(Session, _name, forget)
event.listen(Session, "do_orm_execute", _on_execute)
