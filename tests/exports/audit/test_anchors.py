"""Outside anchors: a chain rewritten consistently (or cut short) in the database passes `verify_chain`,
but is caught by the head a sealed agreement or a report printed, and by the signed checkpoint on disk.
"""
from __future__ import annotations

import io
import json
from datetime import datetime

from click.testing import CliRunner
from sqlalchemy import delete, select

from concord.cli import main
from exports.audit import anchors, checkpoints
from exports.reports.incident_report import incident_report
from exports.signing import service as seal
from incident import clock
from incident.models import Incident
from incident.settings import init_instance
from incident.timeline import verify_chain
from incident.timeline.chain import canonical, event_hash
from incident.timeline.models import GENESIS, Event
from tests.conftest import TEST_FIELD_KEY
from tests.exports.agreements.test_flow import drafted, to_approved
from tests.exports.conftest import P12_PASSWORD, STROKES, proof_of
from exports.agreements import service as agreements


def sealed_pdf(session, world, sealer) -> bytes:  # type: ignore[no-untyped-def]
    ag = to_approved(session, world, drafted(session, world))
    agreements.sign(session, actor=world["cs"].actor, agreement_id=ag.id, signature=STROKES,
                    expected_version=ag.version)
    seal.seal(session, actor=world["legal"].actor, agreement_id=ag.id, sealer=sealer, public_url="http://localhost",
              proof=proof_of(session, world["legal"]))
    session.commit()
    return seal.sealed_pdf(session, actor=world["legal"].actor, agreement_id=ag.id)[1]


def rewrite_consistently(session, incident_id: int, seq: int, new_text: str) -> None:
    """What an attacker with database access does: change one event, recompute every hash after it."""
    evs = session.scalars(select(Event).where(Event.incident_id == incident_id).order_by(Event.seq)).all()
    prev = GENESIS
    for ev in evs:
        if ev.seq == seq:
            ev.payload = dict(ev.payload) | {"summary": new_text}
        body = canonical(incident_id=ev.incident_id, seq=ev.seq, type=ev.type, actor_id=ev.actor_id,
                         actor_name=ev.actor_name, at=ev.at, payload=ev.payload)
        ev.prev_hash, ev.hash = prev, event_hash(prev, body)
        prev = ev.hash
    inc = session.get(Incident, incident_id)
    inc.head_hash = prev
    session.commit()


def truncate(session, incident_id: int, keep: int) -> None:
    session.execute(delete(Event).where(Event.incident_id == incident_id, Event.seq > keep))
    inc = session.get(Incident, incident_id)
    inc.last_seq = keep
    inc.head_hash = session.scalar(select(Event.hash).where(Event.incident_id == incident_id, Event.seq == keep))
    session.commit()


def test_a_sealed_pdf_carries_its_anchor_inside_the_signed_revision(session, world, sealer):
    pdf = sealed_pdf(session, world, sealer)
    inc = session.get(Incident, world["inc"].id)
    a = anchors.read_anchor(pdf)
    assert a is not None and a.kind == "agreement" and a.incident_id == inc.id and a.incident_ref == inc.ref
    sealed_event = session.scalars(select(Event).where(Event.incident_id == inc.id, Event.type == "agreement.sealed"))\
        .one()
    assert (a.seq, a.head) == (sealed_event.seq - 1, sealed_event.payload["head_hash"])
    assert anchors.check_anchor(session, a).on_chain
    assert seal.verify_pdf(pdf, [sealer.certificate]).verdict == "intact"  # the anchor is part of what was sealed


def test_a_consistent_rewrite_passes_verify_chain_but_not_the_pdf_nor_the_checkpoint(session, world, sealer,
                                                                                      tmp_path):
    pdf = sealed_pdf(session, world, sealer)
    inc_id = world["inc"].id
    report = incident_report(session, actor=world["leader"].actor, incident_id=inc_id)
    checkpoints.write(session, instance=tmp_path, key=sealer.key, certificate=sealer.certificate)
    assert checkpoints.verify(session, instance=tmp_path, trust=[sealer.certificate]).ok

    rewrite_consistently(session, inc_id, 1, "一切正常，无人投诉")
    inc = session.get(Incident, inc_id)
    assert verify_chain(session, inc_id, anchor_seq=inc.last_seq, anchor_hash=inc.head_hash).ok  # invisible inside
    for doc in (pdf, report):
        check = anchors.check_pdf_anchor(session, doc)
        assert check is not None and not check.on_chain and check.reason == "rewritten", check
    cp = checkpoints.verify(session, instance=tmp_path, trust=[sealer.certificate])
    assert not cp.ok and "rewritten" in cp.problems[0]


def test_a_truncated_chain_is_caught_by_the_anchors(session, world, sealer, tmp_path):
    pdf = sealed_pdf(session, world, sealer)
    inc_id = world["inc"].id
    checkpoints.write(session, instance=tmp_path, key=sealer.key, certificate=sealer.certificate)
    anchored = anchors.read_anchor(pdf).seq
    truncate(session, inc_id, anchored - 1)
    inc = session.get(Incident, inc_id)
    assert verify_chain(session, inc_id, anchor_seq=inc.last_seq, anchor_hash=inc.head_hash).ok
    assert anchors.check_pdf_anchor(session, pdf).reason == "missing_event"
    assert "removed" in checkpoints.verify(session, instance=tmp_path, trust=[sealer.certificate]).problems[0]


def test_an_altered_or_removed_checkpoint_line_is_named(session, world, sealer, tmp_path):
    for _ in range(3):
        checkpoints.write(session, instance=tmp_path, key=sealer.key, certificate=sealer.certificate)
    path = checkpoints.path_of(tmp_path)
    lines = path.read_bytes().split(b"\n")[:-1]
    doc = json.loads(lines[1])
    doc["heads"][0]["hash"] = "f" * 64  # an edit that does not re-sign
    path.write_bytes(b"\n".join([lines[0], json.dumps(doc).encode(), lines[2]]) + b"\n")
    problems = checkpoints.verify(session, instance=tmp_path, trust=[sealer.certificate]).problems
    assert any("line 2: the signature does not match" in p for p in problems), problems
    path.write_bytes(lines[0] + b"\n" + lines[2] + b"\n")
    problems = checkpoints.verify(session, instance=tmp_path, trust=[sealer.certificate]).problems
    assert any("does not follow line 1" in p for p in problems), problems
    assert any("does not trust" in p for p in checkpoints.verify(session, instance=tmp_path, trust=[]).problems)


def test_the_scheduled_job_writes_one_line_when_due(session_factory, world, sealer, seal_settings):
    from dataclasses import replace
    s = replace(seal_settings, checkpoint_minutes=60)
    job, every = checkpoints.scheduled_job(session_factory, s)
    assert every == 900.0
    job()
    job()  # not due again within the hour
    lines = checkpoints.path_of(s.instance).read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["heads"][0]["incident_id"] == world["inc"].id
    off, _ = checkpoints.scheduled_job(session_factory, replace(s, checkpoint_minutes=0))
    off()
    assert len(checkpoints.path_of(s.instance).read_text().splitlines()) == 1


def _cli(tmp_path, engine, *args):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["--instance", str(tmp_path), *args], obj={"engine": engine})


def test_audit_verify_against_names_the_pdf_that_disagrees(session, engine, world, sealer, p12, tmp_path):
    init_instance(tmp_path, field_key=TEST_FIELD_KEY, signing_p12=str(p12), signing_password=P12_PASSWORD)
    good = tmp_path / "协议-good.pdf"
    good.write_bytes(sealed_pdf(session, world, sealer))
    inc_id = world["inc"].id
    assert _cli(tmp_path, engine, "audit", "checkpoint").exit_code == 0
    ok = _cli(tmp_path, engine, "audit", "verify", str(inc_id), "--against", str(good))
    assert ok.exit_code == 0, ok.output
    assert "checkpoints: OK" in ok.output and f"{good}: OK" in ok.output

    rewrite_consistently(session, inc_id, 2, "改写")
    other = tmp_path / "plain.pdf"
    other.write_bytes(b"%PDF-1.4\n%%EOF\n")
    bad = _cli(tmp_path, engine, "audit", "verify", str(inc_id), "--against", str(good), "--against", str(other))
    assert bad.exit_code == 1
    assert "OK: incident" in bad.output  # the chain alone still looks intact
    assert f"{good}: DISAGREES" in bad.output and "rewritten" in bad.output
    assert "CHECKPOINT DISAGREES" in bad.output and f"{other}: carries no Concord timeline anchor" in bad.output
    huge = _cli(tmp_path, engine, "audit", "verify", str(2**63))
    assert huge.exit_code == 2  # click's range check, not a traceback


def test_the_verify_page_and_api_show_the_anchor(api_as, session, world, sealer, seal_settings, app):
    app.extensions["concord.settings"] = seal_settings
    pdf = sealed_pdf(session, world, sealer)
    legal = api_as(world["legal"])
    r = legal.post("/api/v1/verify", data={"file": (io.BytesIO(pdf), "a.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 200 and r.get_json()["anchor"]["on_chain"] is True
    rewrite_consistently(session, world["inc"].id, 1, "改写")
    r = legal.post("/api/v1/verify", data={"file": (io.BytesIO(pdf), "a.pdf")}, content_type="multipart/form-data")
    body = r.get_json()
    assert body["verdict"] == "intact" and body["anchor"]["reason"] == "rewritten"
    page = legal.client.post("/verify", data={"file": (io.BytesIO(pdf), "a.pdf"), "csrf_token": legal.csrf},
                             content_type="multipart/form-data", headers={"Accept-Language": "zh-CN"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-reason="rewritten"' in html and "时间线锚点不一致" in html
    signed = datetime.fromisoformat(body["signing_time"])
    assert clock.show(signed, "seconds") in html and body["signing_time"] not in html  # Beijing time, not ISO



def test_the_scheduler_runs_extra_jobs_only_while_it_holds_the_lease(session_factory, world):
    import threading

    from playbooks.scheduler.runner import Runner
    ran = {"a": threading.Event(), "b": threading.Event()}
    a = Runner(session_factory, poll=0.2, lease_ttl=30, extra_jobs=[(ran["a"].set, 0.3)])
    b = Runner(session_factory, poll=0.2, lease_ttl=30, extra_jobs=[(ran["b"].set, 0.3)])
    a.start()
    try:
        assert ran["a"].wait(10), "the lease holder runs its extra job"
        b.start()
        try:
            assert not ran["b"].wait(1.5), "a scheduler without the lease does not"
        finally:
            b.stop()
    finally:
        a.stop()
