"""Bulk import of claimants from CSV/XLSX: a report per bad row, duplicates caught, two modes.

all_or_nothing stores nothing when any row is bad; skip_invalid stores the valid rows. Either way
the import is ONE timeline event with counts (never the rows' contact numbers).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Callable

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from incident import clock, privacy, service, timeline
from incident.access.actor import Actor
from incident.access.permissions import Action
from incident.crowd.claimants import fields as f
from incident.crowd.claimants.fields import ClaimantIn
from incident.crowd.claimants.models import Claimant, ClaimantStatus
from incident.crowd.claimants.service import LIVE, regrade_after, sync_headcount
from incident.crowd.claimants.tabular import read_table
from incident.errors import ValidationError


class ImportMode(StrEnum):
    ALL_OR_NOTHING = "all_or_nothing"
    SKIP_INVALID = "skip_invalid"


@dataclass(frozen=True)
class RowError:
    row: int        # row number in the sheet (the header is row 1)
    field: str
    reason: str     # required / invalid / too_long / duplicate_in_file / duplicate_existing
    message: str


@dataclass
class ImportReport:
    mode: str
    filename: str
    rows: int = 0
    stored: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "filename": self.filename, "rows": self.rows,
                "valid": self.rows - len(self.bad_rows), "stored": self.stored,
                "skipped": self.rows - self.stored, "bad_rows": len(self.bad_rows),
                "errors": [asdict(e) for e in self.errors], "ignored_columns": self.ignored_columns}


_CHECKS: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
    ("name", lambda d: f.text(d, "name", True)), ("unit", lambda d: f.text(d, "unit", True)),
    ("segment", lambda d: f.text(d, "segment", False)), ("phone", f.phone), ("id_number", f.id_number),
]


def _parse_row(number: int, values: dict[str, Any], report: ImportReport) -> ClaimantIn | None:
    """Every field checked, so one row may report several errors."""
    out: dict[str, str] = {}
    ok = True
    for key, check in _CHECKS:
        try:
            out[key] = check(values)
        except ValidationError as err:
            ok = False
            report.errors.append(RowError(number, key, err.details.get("reason", "invalid"), err.message))
    return ClaimantIn(**out) if ok else None


def import_claimants(session: Session, *, actor: Actor, incident_id: int, filename: str, data: bytes,
                     mode: Any) -> ImportReport:
    """Import a CSV/XLSX of claimants; raises ValidationError (with the report) when nothing is stored."""
    if mode not in {m.value for m in ImportMode}:
        raise ValidationError("mode must be all_or_nothing or skip_invalid", field="mode")
    inc = service.load_for(session, actor, incident_id, Action.CLAIMANT_EDIT)
    service.ensure_open(inc)
    name = (filename or "upload")[:200]
    table = read_table(name, data)
    report = ImportReport(mode=mode, filename=name, rows=len(table.rows), ignored_columns=table.ignored)

    existing_phone: dict[str, int] = {}
    existing_unit: dict[str, int] = {}
    for cid, pidx, ukey in session.execute(select(Claimant.id, Claimant.phone_index, Claimant.unit_key).where(
            Claimant.incident_id == inc.id, Claimant.status.in_(LIVE))):
        existing_phone.setdefault(pidx, cid)
        if ukey:
            existing_unit.setdefault(ukey, cid)

    cp = privacy.cipher()
    seen_phone: dict[str, int] = {}
    seen_unit: dict[str, int] = {}
    now = clock.now()
    new_rows: list[dict[str, Any]] = []
    for number, values in table.rows:
        c = _parse_row(number, values, report)
        if c is None:
            continue
        pidx, ukey = cp.index(c.phone), c.unit_key
        dup = False
        for fld, key, seen, known in (("phone", pidx, seen_phone, existing_phone),
                                      ("unit", ukey, seen_unit, existing_unit)):
            if not key:
                continue
            if key in known:
                report.errors.append(RowError(number, fld, "duplicate_existing",
                                              f"same {fld} as claimant #{known[key]}"))
                dup = True
            elif key in seen:
                report.errors.append(RowError(number, fld, "duplicate_in_file",
                                              f"same {fld} as row {seen[key]}"))
                dup = True
        if dup:
            continue
        seen_phone[pidx], seen_unit[ukey] = number, number
        new_rows.append({
            "incident_id": inc.id, "name": c.name, "unit": c.unit, "unit_key": ukey, "segment": c.segment,
            "phone_cipher": cp.encrypt(c.phone), "phone_index": pidx, "phone_masked": privacy.mask_phone(c.phone),
            "id_cipher": cp.encrypt(c.id_number) if c.id_number else "",
            "id_masked": privacy.mask_id(c.id_number) if c.id_number else "",
            "status": ClaimantStatus.ACTIVE.value, "joined_at": now, "version": 1})

    if report.errors and mode == ImportMode.ALL_OR_NOTHING:
        raise ValidationError("%(bad)s of %(rows)s rows are invalid; nothing was stored", field="file",
                              reason="invalid_rows", bad=len(report.bad_rows), rows=report.rows,
                              report=report.to_dict())
    if not new_rows:
        raise ValidationError("no valid rows to import", field="file", reason="no_valid_rows",
                              report=report.to_dict())
    session.execute(insert(Claimant), new_rows)
    report.stored = len(new_rows)
    change = sync_headcount(session, inc)
    reasons: dict[str, int] = {}
    for e in report.errors:
        reasons[e.reason] = reasons.get(e.reason, 0) + 1
    timeline.record(session, inc, "claimants.imported", actor, {
        "filename": name, "mode": mode, "rows": report.rows, "stored": report.stored,
        "skipped": report.rows - report.stored, "bad_rows": report.bad_rows[:200], "reasons": reasons,
        "headcount": change, "summary": f"+{report.stored} ({report.rows})"})
    regrade_after(session, inc, actor, change, "claimants.imported")
    return report
