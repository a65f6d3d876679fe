"""The one source of "now" for the domain, injectable so deadlines can be tested."""
from __future__ import annotations

import contextlib
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterator

_now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)


def now() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return _now()


def set_clock(fn: Callable[[], datetime] | None) -> None:
    """Replace the clock (None restores the system clock)."""
    global _now
    _now = fn or (lambda: datetime.now(timezone.utc))


class FrozenClock:
    """A clock that only moves when told to; for tests and simulations."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **kwargs: float) -> datetime:
        self.current = self.current + timedelta(**kwargs)
        return self.current


@contextlib.contextmanager
def frozen(start: datetime) -> Iterator[FrozenClock]:
    """Freeze the domain clock at *start* inside the block."""
    clock = FrozenClock(start)
    set_clock(clock)
    try:
        yield clock
    finally:
        set_clock(None)
