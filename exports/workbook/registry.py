"""The sheets of a case workbook. A feature adds its table with `register(Sheet(...))` next to its code
(payments, callbacks …); the workbook and the per-table CSV list whatever is registered."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

from sqlalchemy.orm import Session

from incident.models import Incident
from incident.timeline.render import Say


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: Iterable[list[Any]]


@dataclass(frozen=True)
class Sheet:
    name: str                                    # the file/URL name: "claimants", "timeline" …
    title: str                                   # msgid of the sheet's tab title
    build: Callable[[Session, Incident, Say], Table]
    order: int = 50
    # -- opinion watch (issue 14): a table that only some cases have (watched posts, payments …)
    # says so; the workbook leaves it out where it would be empty, its CSV stays available
    present: Callable[[Session, Incident], bool] | None = None


SHEETS: dict[str, Sheet] = {}


def register(sheet: Sheet) -> Sheet:
    SHEETS[sheet.name] = sheet
    return sheet


def ordered() -> list[Sheet]:
    return sorted(SHEETS.values(), key=lambda s: (s.order, s.name))


def get(name: str) -> Sheet | None:
    return {s.name: s for s in ordered()}.get(name)
