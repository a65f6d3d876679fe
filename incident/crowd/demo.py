"""Demo crowd: 86 households of 锦绣花园 3/4/5号楼 (one import event) and three representatives."""
from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident.crowd import importer, representatives
from incident.crowd.demo_people import households
from incident.crowd.models import Claimant
from incident.models import Incident

HOUSEHOLDS = 86
# The intake's two representatives (刘先生 of building 3, 周女士 of building 5) are households too.
KNOWN = {"锦绣花园3号楼": ("刘建国", "13812345678"), "锦绣花园5号楼": ("周秀英", "13998765432")}


def demo_csv() -> bytes:
    rows = list(households(HOUSEHOLDS, buildings=(3, 4, 5), seed=86))
    for segment, (name, phone) in KNOWN.items():
        first = next(r for r in rows if r["segment"] == segment)
        first["name"], first["phone"] = name, phone
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["姓名", "房号", "手机", "身份证", "楼栋"])
    for r in rows:
        w.writerow([r["name"], r["unit"], r["phone"], r["id_number"], r["segment"]])
    return out.getvalue().encode("utf-8")


def load_demo_crowd(session: Session, inc: Incident, users: dict[str, Any]) -> None:
    """DEMO_HOOK: import the households, then record one representative per building."""
    actor = users["leader"].actor
    if session.scalar(select(Claimant.id).where(Claimant.incident_id == inc.id).limit(1)) is not None:
        return
    importer.import_claimants(session, actor=actor, incident_id=inc.id, filename="锦绣花园3-5号楼业主名册.csv",
                              data=demo_csv(), mode="all_or_nothing")
    by_segment: dict[str, Claimant] = {}
    for c in session.scalars(select(Claimant).where(Claimant.incident_id == inc.id).order_by(Claimant.id)):
        by_segment.setdefault(c.segment, c)
    for c in session.scalars(select(Claimant).where(Claimant.incident_id == inc.id,
                                                    Claimant.name.in_([n for n, _ in KNOWN.values()]))):
        by_segment[c.segment] = c
    mandates = {"锦绣花园3号楼": "sign_on_behalf", "锦绣花园4号楼": "negotiate_only",
                "锦绣花园5号楼": "negotiate_only"}
    for segment, mandate in mandates.items():
        rep = by_segment[segment]
        representatives.elect(session, actor=actor, incident_id=inc.id, claimant_id=rep.id, mandate=mandate,
                              segments=[segment], reason=f"{segment}业主现场推选")
