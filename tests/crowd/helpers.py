"""Crowd test data: CSV files with known bad rows, an incident with the right seats, claimants as rows."""
from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy.orm import Session

from incident import clock
from incident.crowd.claimants.models import Claimant
from incident.crowd.households import households
from tests.factories import give_seat, make_incident, make_user

BUILDINGS = tuple(range(1, 30))


def crowd_incident(session: Any, headcount: int = 10) -> tuple[Any, Any]:
    """(incident, leader user); the leader opened it and holds the leader seat."""
    leader = make_user(session, "staff")
    inc = make_incident(session, leader, headcount=headcount)
    session.commit()
    return inc, leader


def seated(session: Any, inc: Any, seat: str) -> Any:
    u = make_user(session, "staff", is_legal=seat == "legal")  # the legal seat needs legal staff
    give_seat(session, inc, u, seat)
    session.commit()
    return u


def csv_with_bad_rows(n: int = 2000, every: int = 33, seed: int = 11) -> tuple[bytes, dict[int, str], list[dict[str, str]]]:
    """n data rows; about 3% bad (one of five defects, rotating). Returns (bytes, {row: field}, good rows)."""
    people = list(households(n, buildings=BUILDINGS, seed=seed))
    bad: dict[int, str] = {}
    good: list[dict[str, str]] = []
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["姓名", "房号", "手机", "身份证", "楼栋"])
    for i, p in enumerate(people):
        row = dict(p)
        number = i + 2  # the header is row 1
        if i % every == every - 1:
            kind = (i // every) % 5
            if kind == 0:
                row["phone"], field = "1234", "phone"                  # too short
            elif kind == 1:
                row["name"], field = "", "name"                        # missing
            elif kind == 2:
                row["phone"], field = good[-1]["phone"], "phone"       # same phone as an earlier row
            elif kind == 3:
                row["unit"], field = good[-1]["unit"], "unit"          # same unit as an earlier row
            else:
                row["id_number"], field = "12-34", "id_number"         # malformed ID
            bad[number] = field
        else:
            good.append(row)
        w.writerow([row["name"], row["unit"], row["phone"], row["id_number"], row["segment"]])
    return out.getvalue().encode("utf-8"), bad, good


def add_claimants(session: Session, incident: Any, segments: dict[str, int]) -> list[Claimant]:
    """Create claimants per segment, e.g. {"3号楼": 30, "4号楼": 20}; returns them in id order."""
    rows = []
    for seg, n in segments.items():
        for i in range(n):
            rows.append(Claimant(incident_id=incident.id, name=f"{seg}-{i + 1}号业主", unit=f"{seg}-{i + 1}",
                                 unit_key=f"{seg}-{i + 1}", segment=seg, joined_at=clock.now()))
    session.add_all(rows)
    session.flush()
    return rows
