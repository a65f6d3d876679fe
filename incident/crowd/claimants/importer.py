"""Bulk import of claimants from CSV/XLSX: a report per bad row, duplicates caught, two modes.

all_or_nothing stores nothing when any row is bad; skip_invalid stores the valid rows. Either way
the import is ONE timeline event with counts (never the rows' contact numbers). Rows are judged
after a column mapping (mapping.py) turned the file's cells into fields and attributes; the
staged flow (staging.py) shows the same judgement as a preview before anything is stored.
"""
from __future__ import annotations

import gc
import json
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Callable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import clock, privacy, service, timeline
from incident.access.actor import Actor
from incident.access.permissions import Action
from incident.crowd.claimants import fields as f
from incident.crowd.claimants import mapping as m
from incident.crowd.claimants.fields import ClaimantIn
from incident.crowd.claimants.models import Claimant, ClaimantStatus
from incident.crowd.claimants.rows import judge_rows
from incident.crowd.claimants.service import LIVE, active_count, may_reveal, regrade_after
from incident.crowd.claimants.tabular import Sheet, read_sheet
from incident.errors import ValidationError
from incident.i18n import Translator
from incident.labels import field_label
from incident.models import Incident


class ImportMode(StrEnum):
    ALL_OR_NOTHING = "all_or_nothing"
    SKIP_INVALID = "skip_invalid"


@dataclass(frozen=True)
class RowError:
    row: int        # row number in the sheet (the header is row 1)
    field: str
    reason: str     # required / invalid / too_long / spreadsheet_number / check_digit / duplicate_*
    message: str
    message_local: str = ""


@dataclass
class ImportReport:
    mode: str
    filename: str
    rows: int = 0
    stored: int = 0
    errors: list[RowError] = field(default_factory=list)
    attribute_columns: list[str] = field(default_factory=list)
    blank_rows: list[int] = field(default_factory=list)
    mapping: dict[str, list[str]] = field(default_factory=dict)

    @property
    def bad_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "filename": self.filename, "rows": self.rows,
                "valid": self.rows - len(self.bad_rows), "stored": self.stored,
                "skipped": self.rows - self.stored, "bad_rows": len(self.bad_rows),
                "errors": [asdict(e) for e in self.errors], "attribute_columns": self.attribute_columns,
                "blank_rows": self.blank_rows, "mapping": self.mapping}


_CHECKS: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
    ("name", lambda d: f.text(d, "name", True)), ("unit", lambda d: f.text(d, "unit", True)),
    ("segment", lambda d: f.text(d, "segment", False)), ("phone", f.phone), ("id_number", f.id_number),
]


class Judge:
    """Validates rows one by one against the incident's live claimants and the rows before."""

    def __init__(self, session: Session, inc: Incident, report: ImportReport, locale: str, names: bool) -> None:
        self.report, self.names, self.tr = report, names, Translator(locale)
        self.cp = privacy.cipher()
        self.known: dict[str, dict[str, int]] = {"phone": {}, "unit": {}}
        self.seen: dict[str, dict[str, int]] = {"phone": {}, "unit": {}}
        for cid, pidx, ukey in session.execute(select(Claimant.id, Claimant.phone_index, Claimant.unit_key).where(
                Claimant.incident_id == inc.id, Claimant.status.in_(LIVE))):
            self.known["phone"].setdefault(pidx, cid)
            if ukey:
                self.known["unit"].setdefault(ukey, cid)

    def error(self, row: int, err: ValidationError) -> None:
        fld = err.field or "file"
        local = err.localized(self.tr, field_label(self.tr, fld))
        english = err.localized(lambda s, **_k: s, field_label(lambda s, **_k: s, fld))
        self.report.errors.append(RowError(row, fld, err.details.get("reason", "invalid"), english, local))

    def parse(self, number: int, values: dict[str, Any], attrs: dict[str, str]) -> ClaimantIn | None:
        """Every field checked, so one row may report several errors."""
        if not attrs:  # the common case: a good row, checked without the per-field bookkeeping below
            name, unit, segment = values.get("name"), values.get("unit"), values.get("segment")
            if segment is None:
                segment = ""
            try:
                if f.plain_texts(name, unit, segment):  # already as text() would return them
                    return ClaimantIn(name, unit, segment, f.phone(values), f.id_number(values))
                return ClaimantIn(f.text(values, "name", True), f.text(values, "unit", True),
                                  f.text(values, "segment", False), f.phone(values), f.id_number(values))
            except ValidationError:
                pass
        out: dict[str, str] = {}
        ok = True
        for key, check in _CHECKS:
            try:
                out[key] = check(values)
            except ValidationError as err:
                ok = False
                self.error(number, err)
        for col, text in attrs.items():
            if len(text) > m.MAX_ATTRIBUTE_CHARS:
                ok = False
                self.error(number, ValidationError("column %(column)s is longer than %(max)s characters",
                                                   field="attributes", reason="too_long", column=col,
                                                   max=m.MAX_ATTRIBUTE_CHARS))
        return ClaimantIn(**out) if ok else None

    def duplicate(self, number: int, c: ClaimantIn) -> tuple[str, str] | None:
        """Report a duplicate (of a live claimant, or of an earlier row); else remember the row's keys."""
        pidx, ukey = self.cp.index(c.phone), f.unit_key(c.unit)
        seen_p, seen_u = self.seen["phone"], self.seen["unit"]
        if not (pidx in seen_p or pidx in self.known["phone"] or ukey and (ukey in seen_u or ukey in self.known["unit"])):
            seen_p[pidx] = number  # the common case: a new claimant
            if ukey:
                seen_u[ukey] = number
            return pidx, ukey
        keys = {"phone": pidx, "unit": ukey}
        dup = False
        for fld, key in keys.items():
            if not key:
                continue
            if key in self.known[fld]:
                err = ValidationError("%(field)s: same as claimant #%(other)s", field=fld, other=self.known[fld][key],
                                      reason="duplicate_existing") if self.names else \
                    ValidationError("%(field)s: duplicate of an existing claimant", field=fld,
                                    reason="duplicate_existing")
                self.error(number, err)
                dup = True
            elif key in self.seen[fld]:
                self.error(number, ValidationError("%(field)s: same as row %(other)s", field=fld,
                                                   other=self.seen[fld][key], reason="duplicate_in_file"))
                dup = True
        if dup:
            return None
        for fld, key in keys.items():
            self.seen[fld][key] = number
        return keys["phone"], keys["unit"]


# The claimant columns an import writes, in the order judge() builds each row's tuple.
COLUMNS = ("incident_id", "name", "unit", "unit_key", "segment", "phone_cipher", "phone_index", "phone_masked",
           "id_cipher", "id_masked", "status", "joined_at", "version", "attributes")
_ROW = COLUMNS.index("attributes") + 1  # the sheet row number rides behind the columns


def judge(session: Session, inc: Incident, sheet: Sheet, cols: dict[str, list[str]], report: ImportReport,
          locale: str, names: bool, encrypt: bool = True) -> list[tuple[Any, ...]]:
    """The rows to insert as COLUMNS tuples (encrypted, masked) + the sheet row number; every other
    row reported. Nothing is written here."""
    j = Judge(session, inc, report, locale, names)
    mask_phone, mask_id = privacy.mask_phone, privacy.mask_id
    now, active, inc_id = clock.now(), ClaimantStatus.ACTIVE.value, inc.id
    p = m.plan(cols, sheet.header)
    with _gc_paused():
        good = judge_rows(j, p, sheet.rows)
        # one batch each (one read of random nonces): cheaper than a call per value
        idents = [c.id_number for _n, c, _k, _a in good if c.id_number]
        phones = j.cp.encrypt_many([c.phone for _n, c, _k, _a in good]) if encrypt else [""] * len(good)
        sealed = iter(j.cp.encrypt_many(idents) if encrypt else [""] * len(idents))
        return [(inc_id, c.name, c.unit, keys[1], c.segment, phone, keys[0], mask_phone(c.phone),
                 next(sealed) if c.id_number else "", mask_id(c.id_number) if c.id_number else "", active, now, 1,
                 attrs, number) for (number, c, keys, attrs), phone in zip(good, phones)]


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a file's rows are judged: each row allocates a few containers,
    so the collector would run hundreds of times over the whole sheet and find nothing (the rows are
    acyclic; reference counting frees them). Up to 20,000 rows, so the memory is bounded."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def as_dict(row: tuple[Any, ...]) -> dict[str, Any]:
    return dict(zip(COLUMNS, row)) | {"row": row[_ROW]}


def _insert(session: Session, rows: list[tuple[Any, ...]]) -> None:
    """One executemany on the driver: SQLAlchemy's per-row parameter processing cost more than the
    whole validation (bench/claimant_import). Time and JSON are bound through the columns' own types."""
    conn = session.connection()
    dialect = conn.dialect
    table = Claimant.__table__
    to_time = table.c.joined_at.type.bind_processor(dialect) or (lambda v: v)
    # psycopg's dialect binds JSON through its own adapter (no processor): hand it the text, CAST in SQL
    to_json = table.c.attributes.type.bind_processor(dialect) or (
        lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":")))
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO claimants ({', '.join(COLUMNS)}) VALUES ("
           + ", ".join(f"CAST({mark} AS JSON)" if c == "attributes" and dialect.name == "postgresql" else mark
                       for c in COLUMNS) + ")")
    times: dict[Any, Any] = {}
    empty = to_json({})
    at, attrs = COLUMNS.index("joined_at"), COLUMNS.index("attributes")
    params = []
    for r in rows:
        t = r[at]
        if t not in times:
            times[t] = to_time(t)
            if dialect.name == "sqlite" and hasattr(times[t], "isoformat"):
                times[t] = times[t].isoformat(" ")  # what sqlite3's adapter would write, once
        params.append(r[:at] + (times[t], r[at + 1], to_json(r[attrs]) if r[attrs] else empty))
    conn.exec_driver_sql(sql, params)


def store(session: Session, actor: Actor, inc: Incident, report: ImportReport, new_rows: list[tuple[Any, ...]],
          extra: dict[str, Any] | None = None) -> ImportReport:
    """Insert the judged rows in one statement batch and record the one import event."""
    if report.errors and report.mode == ImportMode.ALL_OR_NOTHING:
        raise ValidationError("%(bad)s of %(rows)s rows are invalid; nothing was stored", field="file",
                              reason="invalid_rows", bad=len(report.bad_rows), rows=report.rows,
                              report=report.to_dict())
    if not new_rows:
        raise ValidationError("no valid rows to import", field="file", reason="no_valid_rows",
                              report=report.to_dict())
    active = active_count(session, inc.id)  # before the insert: counting 20,000 new rows after costs more
    _insert(session, new_rows)
    report.stored = len(new_rows)
    change = {"from": inc.headcount, "to": active + len(new_rows)}  # what sync_headcount would count
    inc.headcount = change["to"]
    reasons: dict[str, int] = {}
    for e in report.errors:
        reasons[e.reason] = reasons.get(e.reason, 0) + 1
    timeline.record(session, inc, "claimants.imported", actor, {
        "filename": report.filename, "mode": report.mode, "rows": report.rows, "stored": report.stored,
        "skipped": report.rows - report.stored, "bad_rows": report.bad_rows[:200], "reasons": reasons,
        "blank_rows": len(report.blank_rows), "attribute_columns": report.attribute_columns[:50],
        "headcount": change, "summary": f"+{report.stored} ({report.rows})"} | (extra or {}))
    regrade_after(session, inc, actor, change, "claimants.imported")
    return report


def check_mode(mode: Any) -> str:
    if mode not in {x.value for x in ImportMode}:
        raise ValidationError("mode must be all_or_nothing or skip_invalid", field="mode")
    return str(mode)


def import_claimants(session: Session, *, actor: Actor, incident_id: int, filename: str, data: bytes,
                     mode: Any, locale: str = "en") -> ImportReport:
    """One step: the file with the incident's saved (or else the proposed) mapping, stored at once.

    Raises ValidationError (with the report) when nothing is stored."""
    mode = check_mode(mode)
    inc = service.load_for(session, actor, incident_id, Action.CLAIMANT_EDIT)
    service.ensure_open(inc)
    name = (filename or "upload")[:200]
    sheet = read_sheet(name, data)
    cols = m.check(m.mapping_for(session, inc.id, sheet.header, [r for _n, r in sheet.rows[:20]])[0],
                   sheet.header)
    report = ImportReport(mode=mode, filename=name, rows=len(sheet.rows), blank_rows=sheet.blank_rows,
                          attribute_columns=m.attribute_columns(cols, sheet.header), mapping=cols)
    new_rows = judge(session, inc, sheet, cols, report, locale, may_reveal(session, actor, inc.id))
    return store(session, actor, inc, report, new_rows)
