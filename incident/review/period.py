"""A review period: local calendar dates [start, end) in the display zone, as UTC bounds.

The default is the last complete calendar month (a monthly review looks back at a finished month).
A case belongs to the period when its closing round was frozen inside it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from incident import clock
from incident.errors import ValidationError

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Period:
    first: date          # first local day inside
    last: date           # last local day inside (inclusive)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), clock.zone())

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(0), clock.zone())

    @property
    def is_month(self) -> bool:
        return self.first.day == 1 and (self.last + timedelta(days=1)).day == 1 and \
            (self.last + timedelta(days=1)) == add_months(self.first, 1)

    def key(self) -> str:
        return self.first.strftime("%Y-%m") if self.is_month else f"{self.first}..{self.last}"

    def to_dict(self) -> dict[str, str]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat(), "key": self.key(),
                "start": self.start.isoformat(), "end": self.end.isoformat()}


def add_months(d: date, n: int) -> date:
    m = d.year * 12 + d.month - 1 + n
    return date(m // 12, m % 12 + 1, 1)


def month(year: int, mon: int) -> Period:
    first = date(year, mon, 1)
    return Period(first, add_months(first, 1) - timedelta(days=1))


def last_month(now: datetime | None = None) -> Period:
    today = clock.local(now or clock.now()).date()
    first = add_months(today.replace(day=1), -1)
    return month(first.year, first.month)


def _day(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError("not a date (YYYY-MM-DD)", field=field) from None


def parse(month_text: str | None = None, from_text: str | None = None, to_text: str | None = None,
          now: datetime | None = None) -> Period:
    """A month "2026-11", or a range of local dates (both ends inside); neither: last month."""
    if from_text or to_text:
        if not (from_text and to_text):
            raise ValidationError("give both ends of the range", field="to" if from_text else "from")
        first, last = _day(from_text, "from"), _day(to_text, "to")
        if last < first:
            raise ValidationError("the range ends before it starts", field="to")
        if (last - first).days > MAX_DAYS:
            raise ValidationError("the range is longer than three years", field="to")
        return Period(first, last)
    if month_text:
        m = MONTH.match(month_text.strip())
        if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 2000:
            raise ValidationError("not a month (YYYY-MM)", field="month")
        return month(int(m.group(1)), int(m.group(2)))
    return last_month(now)


def trend_months(p: Period, n: int = 6) -> list[Period]:
    """The n calendar months ending with the one the period ends in, or every month of a longer period."""
    last = p.last.replace(day=1)
    first = min(add_months(last, -(n - 1)), p.first.replace(day=1))
    out = []
    while first <= last:
        out.append(month(first.year, first.month))
        first = add_months(first, 1)
    return out
