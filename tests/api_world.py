"""A demo-like incident with something behind every API route: for the fuzz run and the OpenAPI tests.

The `concord demo` incident (task group, 86 households, representatives, a verification sample, split
demands, three agreements), plus what the demo leaves out: a sealed agreement with its PDF, a finished
batch, a recording under consent, a signed mandate, sample evidence, a notification and a playbook step.
Every row comes through the real services.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
STROKES = {"width": 300, "height": 120, "strokes": [[{"x": 10, "y": 60}, {"x": 40, "y": 20}, {"x": 80, "y": 90}]]}


@dataclass
class World:
    incident_id: int
    leader: Any
    ids: dict[str, list[int]] = field(default_factory=dict)  # path parameter name → ids that exist
    keys: dict[str, list[str]] = field(default_factory=dict)


def build(session: Session, settings: Any) -> World:
    """Load the demo incident and fill the gaps; returns the ids a fuzzer should aim at."""
    from concord.cli.demo import load_demo
    from exports.agreements import service as agreements
    from exports.agreements.demo import load_demo_agreements
    from exports.agreements.models import Agreement, AgreementBatch
    from exports.signing import service as sealing
    from incident import clock
    from incident.accounts.models import User
    from incident.crowd.claimants.models import Claimant
    from incident.crowd.demands.models import DemandItem, DemandTemplate
    from incident.crowd.representatives import service as representatives
    from incident.crowd.representatives.models import Representative
    from incident.crowd.samples import service as samples
    from incident.crowd.samples.models import SampleDraw, SampleMember
    from incident.taskgroup import recording
    from incident.taskgroup.models import Recording, SeatAssignment
    from incident.triage.store import RiskKeyword
    from playbooks.models import ChecklistItem
    from playbooks.notify.models import Notification
    from exports.replies.models import WrittenReply  # -- callbacks and the written reply (issue 13)
    from incident.callbacks.models import Callback
    from incident.closing.models import ImprovementAction, ProblemType
    from incident.ledger.models import LedgerEntry

    from incident.accounts.sessions import confirm_secret
    from incident.db import begin_write
    begin_write(session)  # one unit of work that writes (the write guard in tests/conftest.py)
    inc = load_demo(session)
    users = {u.username: u for u in session.scalars(select(User))}
    load_demo_agreements(session, inc, users, settings.org_name)
    leader, legal = users["leader"], users["legal"]
    # Seal the approved demo agreement (sign it first), so the PDF, report and verify routes have a document.
    ag = session.scalars(select(Agreement).where(Agreement.incident_id == inc.id, Agreement.status == "approved")).first()
    if ag is not None:
        ag = agreements.sign(session, agreed=True, actor=leader.actor, agreement_id=ag.id, expected_version=ag.version,
                             signature=STROKES | {"name": ag.terms["signer"]["name"]})
        sealing.seal(session, actor=legal.actor, agreement_id=ag.id, sealer=sealing.sealer_for(settings),
                     public_url=settings.public_url, expected_version=ag.version,
                     proof=confirm_secret(session, user=legal, session_id=None, password="concord-demo"))
    from incident.taskgroup.service import assign_seat
    assign_seat(session, actor=leader.actor, incident_id=inc.id, seat="recorder",
                holder={"user_id": users["logistics"].id})
    recording.record_consent(session, actor=leader.actor, incident_id=inc.id, consented_by="刘先生（3号楼业主代表）",
                             method="spoken")
    recording.add_recording(session, actor=users["logistics"].actor, incident_id=inc.id, filename="现场.m4a",
                            content_type="audio/mp4", data=b"\x00\x00\x00\x18ftypM4A " + b"\0" * 64, caption="现场录音")
    rep = session.scalars(select(Representative).where(Representative.incident_id == inc.id,
                                                       Representative.mandate == "sign_on_behalf")).first()
    if rep is not None:
        representatives.attach_mandate(session, actor=leader.actor, incident_id=inc.id, representative_id=rep.id,
                                       filename="授权书.png", content_type="image/png", data=PNG)
    member = session.scalars(select(SampleMember).join(SampleDraw).where(SampleDraw.incident_id == inc.id)).first()
    if member is not None:
        samples.add_evidence(session, actor=leader.actor, incident_id=inc.id, draw_id=member.draw_id,
                             member_id=member.id, filename="快递单.png", content_type="image/png", data=PNG)
    session.add(AgreementBatch(incident_id=inc.id, kind="generate", segment="锦绣花园5号楼", status="done",
                               total=0, done=0, failed=0, started_at=clock.now(), finished_at=clock.now(),
                               started_by_name=leader.display_name))
    # -- ledger, closing gate and archive (issue 13): a payment with its proof, an improvement action
    from incident.closing import service as closing
    from incident.ledger import queries as ledger_queries
    from incident.ledger import service as ledger
    owed = ledger_queries.obligations(session, inc.id)
    if owed:
        ledger.record_payment(session, actor=leader.actor, incident_id=inc.id, item_id=owed[0].item_id,
                              data={"amount": f"{owed[0].agreed:.2f}", "method": "bank_transfer", "reference": "HX-1"},
                              proof=("回单.png", "image/png", PNG))
    closing.add_improvement(session, actor=leader.actor, incident_id=inc.id, data={
        "title": "电梯维保合同加入响应时限", "owner": "工程部", "due_on": "2026-12-31"})
    session.flush()
    # -- public side (issue 15): an incident code and a claimant code, so revoke/re-issue have targets
    from incident.public import service as public
    from incident.public.models import PublicCode
    public.issue(session, actor=leader.actor, incident_id=inc.id, kind="incident")
    first = session.scalars(select(Claimant.id).where(Claimant.incident_id == inc.id).limit(1)).first()
    public.issue(session, actor=leader.actor, incident_id=inc.id, kind="claimant", claimant_id=first)
    # -- callbacks and the written reply (issue 13): a drafted reply and one scheduled round
    from exports.replies import service as replies
    from incident.callbacks import service as callbacks
    replies.draft(session, actor=leader.actor, incident_id=inc.id)
    callbacks.schedule(session, inc, spec_key="property_mass#1", anchor="demands_fulfilled", anchor_at=clock.now(),
                       offset_minutes=60, window_minutes=60, per="representative", attempts=3)
    session.flush()
    session.commit()

    def ids(model: Any, *where: Any) -> list[int]:
        return list(session.scalars(select(model.id).where(*where).order_by(model.id).limit(20)))

    world = World(inc.id, leader)
    world.ids = {
        "incident_id": [inc.id],
        "agreement_id": ids(Agreement, Agreement.incident_id == inc.id),
        "batch_id": ids(AgreementBatch, AgreementBatch.incident_id == inc.id),
        "claimant_id": ids(Claimant, Claimant.incident_id == inc.id),
        "representative_id": ids(Representative, Representative.incident_id == inc.id),
        "item_id": ids(DemandItem, DemandItem.incident_id == inc.id) + ids(ChecklistItem, ChecklistItem.incident_id == inc.id),
        "template_id": ids(DemandTemplate, DemandTemplate.incident_id == inc.id),
        "draw_id": ids(SampleDraw, SampleDraw.incident_id == inc.id),
        "member_id": ids(SampleMember),
        "attachment_id": [a for m in session.scalars(select(SampleMember)) for a in (m.attachment_ids or [])],
        "assignment_id": ids(SeatAssignment, SeatAssignment.incident_id == inc.id),
        "recording_id": ids(Recording, Recording.incident_id == inc.id),
        "keyword_id": ids(RiskKeyword),
        "notification_id": ids(Notification),
        "code_id": ids(PublicCode, PublicCode.incident_id == inc.id),  # -- public side (issue 15)
        # -- callbacks and the written reply (issue 13)
        "reply_id": ids(WrittenReply, WrittenReply.incident_id == inc.id),
        "callback_id": ids(Callback, Callback.incident_id == inc.id),
        # -- ledger, closing gate and archive (issue 13)
        "entry_id": ids(LedgerEntry, LedgerEntry.incident_id == inc.id),
        "action_id": ids(ImprovementAction, ImprovementAction.incident_id == inc.id),
        "type_id": ids(ProblemType),
    }
    world.keys = {"key": [i.playbook for i in session.scalars(select(ChecklistItem).where(
        ChecklistItem.incident_id == inc.id).limit(1))]}
    return world
