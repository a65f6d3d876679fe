"""The case dossier (案卷) PDF, read back with pdftotext: the problem type, the root cause, the handling
durations computed from the timeline ("—" for a written reply that never happened), satisfaction
from the callbacks seam, the ledger and the head hash."""
from __future__ import annotations

import subprocess
from datetime import timedelta

from sqlalchemy import select

from exports.ledger import dossier
from incident import clock
from incident import service as incidents
from incident.closing import archive
from incident.closing import service as closing
from incident.closing.models import ProblemType
from incident.closing.status import change_status
from tests.factories import call_everyone_back
from tests.exports.conftest import T0
from tests.factories import give_seat, make_user


def _text(pdf: bytes, tmp_path) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "dossier.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def test_dossier_holds_problem_type_durations_satisfaction_and_head_hash(session, world, tmp_path, monkeypatch):
    inc, leader = world["inc"], world["leader"]
    with clock.frozen(T0 + timedelta(minutes=45)) as c:
        incidents.confirm_readback(session, actor=leader.actor, incident_id=inc.id, confirmed_by="刘先生")
        biz = make_user(session, "staff")
        give_seat(session, inc, biz, "business")
        for seat, who in (("customer_service", world["cs"]), ("business", biz), ("legal", world["legal"])):
            closing.sign_off(session, actor=who.actor, incident_id=inc.id, seat=seat, note="已完成")
        call_everyone_back(session, inc, leader.actor)  # a group case is called back (issue 13)
        c.advance(hours=2, minutes=15)  # resolved 3 h after the opening
        change_status(session, actor=leader.actor, incident_id=inc.id, status="resolved")
        type_id = session.scalar(select(ProblemType.id).where(ProblemType.name == "停车费争议"))
        closing.save_archive(session, actor=leader.actor, incident_id=inc.id,
                             data={"problem_type_id": type_id, "root_cause": "收费标准未公示 <b>"})
        closing.add_improvement(session, actor=leader.actor, incident_id=inc.id, data={
            "title": "公示停车收费标准", "owner": "物业服务中心", "due_on": "2026-12-20"})
        monkeypatch.setattr(archive, "SATISFACTION", [lambda s, i: {
            "answered": 3, "distribution": {"very_satisfied": 1, "satisfied": 2}, "satisfied_share": "1.00"}])
        c.advance(days=2)
        change_status(session, actor=leader.actor, incident_id=inc.id, status="closed")
        session.commit()
        text = _text(dossier.build(session, actor=world["cs"].actor, incident_id=inc.id), tmp_path)
    assert "案卷" in text and inc.ref in text
    assert "停车/收费 › 停车费争议" in text and "收费标准未公示 <b>" in text
    flat = " ".join(text.split())
    assert "首次联系" in flat and "45分钟" in flat.replace(" ", "")
    assert "3小时" in flat.replace(" ", "")           # resolved 3 h after the opening
    assert "2天3小时" in flat.replace(" ", "")         # closed 2 d 3 h after the opening
    assert "书面答复已发出 — —" in flat                   # no written reply in this case
    assert "满意度" in flat and "公示停车收费标准" in flat
    assert inc.head_hash[:16] in text.replace("\n", "")
    rec = archive.record_of(session, inc.id, 1)
    assert rec.snapshot["handling"]["moments"]["resolution"]["minutes"] == 180
    assert rec.snapshot["handling"]["moments"]["written_reply"] == {"at": None, "minutes": None}
    assert rec.snapshot["satisfaction"]["answered"] == 3
