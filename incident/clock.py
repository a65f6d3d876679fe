"""The one source of "now" for the domain (injectable, so deadlines can be tested), and the one
display clock: every time shown to a person goes through `show`, in the configured display zone."""
from __future__ import annotations

import contextlib
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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


# -- the one display clock: every time a person reads is shown in the configured display zone -----

DEFAULT_ZONE = "Asia/Shanghai"
_zone = ZoneInfo(DEFAULT_ZONE)
FORMATS = {"time": "%H:%M", "datetime": "%Y-%m-%d %H:%M", "date": "%Y-%m-%d",
           "seconds": "%Y-%m-%d %H:%M:%S"}
# Names people use for the common zones; other zones fall back to their UTC offset ("GMT+05:30").
ZONE_NAMES = {"Asia/Shanghai": "Beijing time", "Asia/Hong_Kong": "Hong Kong time",
              "Asia/Taipei": "Taipei time", "Asia/Singapore": "Singapore time"}


def configure_zone(name: str) -> None:
    """Set the display zone (settings.timezone); an unknown name raises ValueError."""
    global _zone
    try:
        _zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ValueError(f"unknown time zone {name!r}") from err


def zone() -> ZoneInfo:
    """The display zone."""
    return _zone


def local(value: datetime) -> datetime:
    """*value* (aware) in the display zone."""
    return value.astimezone(_zone)


def show(value: datetime | str | None, kind: str = "datetime") -> str:
    """Format an aware datetime (or ISO string) in the display zone: time, datetime, date, seconds, short."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the display clock")
    return value.astimezone(_zone).strftime(FORMATS[kind])


def zone_label(_: Callable[..., str]) -> str:
    """The display zone as people call it, translated ("北京时间"), else its offset ("GMT+08:00")."""
    name = getattr(_zone, "key", "")
    if name in ZONE_NAMES:
        return _(ZONE_NAMES[name])
    offset = now().astimezone(_zone).strftime("%z")
    return f"GMT{offset[:3]}:{offset[3:]}"


def span(seconds: float, _: Callable[..., str], precise: bool = False) -> str:
    """A duration in words: 5,000 s → "1 h 23 min", 3 days → "3 d"; under an hour "12 min" (or, precise,
    "12 min 5 s", for a countdown that visibly ticks)."""
    minutes, secs = divmod(max(0, int(abs(seconds))), 60)
    if minutes < 60:
        if precise:
            return (_("%(n)s min", n=minutes) + " " if minutes else "") + _("%(n)s s", n=secs)
        return _("%(n)s min", n=max(minutes, 1) if seconds else 0)
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return _("%(n)s h", n=hours) + (" " + _("%(n)s min", n=minutes) if minutes else "")
    days, hours = divmod(hours, 24)
    return _("%(n)s d", n=days) + (" " + _("%(n)s h", n=hours) if hours else "")


def countdown(due: datetime | None, _: Callable[..., str], at: datetime | None = None) -> str:
    """Time left until *due* ("还剩 1小时 20分钟"), or how late it is ("已超时 5分钟")."""
    if due is None:
        return ""
    left = (due - (at or now())).total_seconds()
    if left < 0:
        return _("overdue by %(span)s", span=span(left, _, precise=True))
    return _("%(span)s left", span=span(left, _, precise=True))
