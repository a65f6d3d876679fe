"""Relative deadlines (+15m, +24h, +7d) and business hours (Mon–Fri 09:00–18:00 Asia/Shanghai by default)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

OFFSET = re.compile(r"^\+(\d{1,5})([mhd])$")
UNITS = {"m": 1, "h": 60, "d": 24 * 60}
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOURS = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)-(mon|tue|wed|thu|fri|sat|sun) (\d\d):(\d\d)-(\d\d):(\d\d)$")


@dataclass(frozen=True)
class Offset:
    amount: int
    unit: str  # m, h or d

    @property
    def minutes(self) -> int:
        return self.amount * UNITS[self.unit]

    def __str__(self) -> str:
        return f"+{self.amount}{self.unit}"


def parse_offset(text: object) -> Offset:
    """Parse '+15m', '+24h' or '+7d'; raises ValueError with a readable message."""
    m = OFFSET.match(text.strip()) if isinstance(text, str) else None
    if not m or int(m.group(1)) == 0:
        raise ValueError("must look like +15m, +24h or +7d (a positive number of minutes, hours or days)")
    return Offset(int(m.group(1)), m.group(2))


@dataclass(frozen=True)
class BusinessHours:
    """Working days and the daily window, in one time zone."""

    days: frozenset[int]
    start: time
    end: time
    tz: str = "Asia/Shanghai"

    @classmethod
    def parse(cls, text: str, tz: str = "Asia/Shanghai") -> "BusinessHours":
        """Parse 'mon-fri 09:00-18:00' (case-insensitive)."""
        m = HOURS.match((text or "").strip().lower())
        if not m:
            raise ValueError("business hours must look like 'mon-fri 09:00-18:00'")
        a, b = DAYS.index(m.group(1)), DAYS.index(m.group(2))
        days = frozenset(range(a, b + 1)) if a <= b else frozenset([*range(a, 7), *range(0, b + 1)])
        start, end = time(int(m.group(3)), int(m.group(4))), time(int(m.group(5)), int(m.group(6)))
        if end <= start:
            raise ValueError("business hours must end after they start")
        ZoneInfo(tz)  # unknown zones fail here, not at the first deadline
        return cls(days, start, end, tz)

    @property
    def day_minutes(self) -> int:
        return (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)

    def add(self, at: datetime, minutes: int) -> datetime:
        """The instant *minutes* of working time after *at* (UTC in, UTC out)."""
        zone = ZoneInfo(self.tz)
        local = at.astimezone(zone)
        left = timedelta(minutes=minutes)
        for _ in range(3660):  # ten years of days: a bound, not a limit anyone reaches
            day_start = datetime.combine(local.date(), self.start, zone)
            day_end = datetime.combine(local.date(), self.end, zone)
            if local.weekday() in self.days and local < day_end:
                begin = max(local, day_start)
                if begin + left <= day_end:
                    return (begin + left).astimezone(timezone.utc)
                left -= day_end - begin
            local = datetime.combine(local.date() + timedelta(days=1), time(0), zone)
        raise ValueError("no business hours found within ten years")


def due_after(anchor: datetime, offset: Offset, hours: BusinessHours | None) -> datetime:
    """Absolute deadline: calendar time, or working time when business hours are given.

    In business hours a day ('+3d') means that many full working days of the window.
    """
    if hours is None:
        return anchor + timedelta(minutes=offset.minutes)
    minutes = offset.amount * hours.day_minutes if offset.unit == "d" else offset.minutes
    return hours.add(anchor, minutes)
