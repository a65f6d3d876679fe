"""Written reply use cases: draft from the incident, edit, approve (leader; legal where it promises
money), issue as a PDF to the representatives. One timeline event per state change."""
from __future__ import annotations

from datetime import timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from exports.pdf import reply as pdf
from exports.pdf.fonts import missing_chars
from exports.replies import drafting
from exports.replies.models import ReplyStatus, WrittenReply
from incident import attachments, clock, timeline
from incident.access.actor import Actor
from incident.access.permissions import Action
from incident.errors import Conflict, NotFound, ValidationError
from incident.models import Incident
from incident.service import ensure_open, load_for
from incident.timeline.models import Event
from incident.triage import Policy

EDITABLE = ("title", "opening", "facts", "closing", "contact")
MAX_TEXT, MAX_LINES = 4000, 50


def due_at(inc: Incident, session: Session | None = None):  # type: ignore[no-untyped-def]
    """The 24-hour deadline of the written reply, counted from the opening — or, once a second round
    (二次处理) started, from the latest one: that round owes a new reply."""
    start = inc.opened_at
    if session is not None:
        again = session.scalar(select(func.max(Event.at)).where(Event.incident_id == inc.id,
                                                                Event.type == "callback.second_round"))
        if again is not None:
            start = max(start, again if again.tzinfo else again.replace(tzinfo=timezone.utc))
    return start + Policy().group_written_reply


def get(session: Session, inc: Incident, reply_id: Any, lock: bool = False) -> WrittenReply:
    row = session.get(WrittenReply, reply_id, with_for_update=lock or None) \
        if isinstance(reply_id, int) and not isinstance(reply_id, bool) else None
    if row is None or row.incident_id != inc.id:
        raise NotFound("no such written reply", field="reply_id")
    return row


def listing(session: Session, incident_id: int) -> list[WrittenReply]:
    return list(session.scalars(select(WrittenReply).where(WrittenReply.incident_id == incident_id)
                                .order_by(WrittenReply.id)))


def _event(session: Session, inc: Incident, r: WrittenReply, type_: str, actor: Actor, **extra: Any) -> None:
    timeline.record(session, inc, type_, actor, {"reply_id": r.id, "version": r.version, **extra})


def _check_version(r: WrittenReply, expected: Any) -> None:
    if expected is not None and expected != r.version:
        raise Conflict("the reply was changed by someone else; reload and try again", field="version",
                       current_version=r.version)


def _printable(content: dict[str, Any]) -> None:
    texts = [str(content.get(k) or "") for k in EDITABLE] + list(content.get("measures") or []) + \
        [e["name"] for e in content.get("entitlements") or []] + list(content.get("addressees") or [])
    bad = missing_chars("".join(texts))
    if bad:
        raise ValidationError("the PDF font cannot print these characters: %(chars)s", field="content",
                              chars=" ".join(bad[:10]))


def draft(session: Session, *, actor: Actor, incident_id: int, locale: Any = "zh_CN") -> WrittenReply:
    """Draft the reply from the incident (group and safety cases) with the current template."""
    inc = load_for(session, actor, incident_id, Action.REPLY_DRAFT)
    ensure_open(inc)
    if inc.scope != "group" and not inc.safety_issue:
        raise Conflict("a written reply is for group and safety cases", field="scope")
    if session.scalar(select(WrittenReply.id).where(WrittenReply.incident_id == inc.id,
                                                    WrittenReply.status != ReplyStatus.ISSUED.value)):
        raise Conflict("a reply is already being prepared; edit that one", field="reply_id")
    if not isinstance(locale, str):
        raise ValidationError("locale must be zh_CN or en", field="locale")
    version, content = drafting.draft(session, inc, locale)
    now = clock.now()
    r = WrittenReply(incident_id=inc.id, template_version=version, locale=locale, content=content,
                     promises_money=drafting.promises_money(content), created_at=now, updated_at=now,
                     created_by_name=actor.name, status=ReplyStatus.DRAFT.value, version=1, recipients=[])
    session.add(r)
    session.flush()
    _event(session, inc, r, "reply.drafted", actor, claimants=len(content["entitlements"]),
           promises_money=r.promises_money, template_version=version)
    return r


def _lines(value: Any, fld: str) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_LINES or \
            not all(isinstance(x, str) and 0 < len(x.strip()) <= 500 for x in value):
        raise ValidationError(f"{fld} must be a list of at most {MAX_LINES} texts of 1 to 500 characters", field=fld)
    return [x.strip() for x in value]


def update(session: Session, *, actor: Actor, incident_id: int, reply_id: Any, data: dict[str, Any],
           expected_version: Any = None) -> WrittenReply:
    """Edit the texts (or redraw the claimants' items); any change withdraws the approvals."""
    inc = load_for(session, actor, incident_id, Action.REPLY_DRAFT)
    r = get(session, inc, reply_id, lock=True)
    if r.status == ReplyStatus.ISSUED.value:
        raise Conflict("an issued reply cannot be changed; draft a new one", field="status")
    _check_version(r, expected_version)
    content, changed = dict(r.content), []
    for key in EDITABLE:
        if key in data:
            v = data[key]
            if not isinstance(v, str) or not v.strip() or len(v) > MAX_TEXT:
                raise ValidationError(f"{key} must be a text of 1 to {MAX_TEXT} characters", field=key)
            content[key] = v.strip()
    if "measures" in data:
        content["measures"] = _lines(data["measures"], "measures")
    if data.get("redraw_items") is True:
        content["entitlements"] = drafting.entitlements(session, inc, r.locale)
        content["addressees"] = [x["name"] for x in drafting.recipients(session, inc)]
    changed = sorted(k for k in content if content.get(k) != r.content.get(k))
    if not changed:
        return r
    _printable(content)
    dropped = r.status == ReplyStatus.APPROVED.value or r.leader_approved_at is not None or \
        r.legal_approved_at is not None
    r.content, r.promises_money, r.updated_at = content, drafting.promises_money(content), clock.now()
    r.status, r.version = ReplyStatus.DRAFT.value, r.version + 1
    r.leader_approved_at = r.legal_approved_at = None
    r.leader_approved_by = r.legal_approved_by = ""
    _event(session, inc, r, "reply.changed", actor, changed=changed, approval_dropped=dropped)
    return r


def _settle_status(r: WrittenReply) -> None:
    if r.leader_approved_at and (r.legal_approved_at or not r.promises_money):
        r.status = ReplyStatus.APPROVED.value


def approve(session: Session, *, actor: Actor, incident_id: int, reply_id: Any, as_legal: bool = False,
            expected_version: Any = None) -> WrittenReply:
    """The leader's approval, or legal's (needed where the reply promises money) of this version."""
    inc = load_for(session, actor, incident_id, Action.REPLY_APPROVE_LEGAL if as_legal else Action.REPLY_APPROVE)
    r = get(session, inc, reply_id, lock=True)
    if r.status == ReplyStatus.ISSUED.value:
        raise Conflict("the reply is already issued", field="status")
    _check_version(r, expected_version)
    now = clock.now()
    if as_legal:
        if not r.promises_money:
            raise Conflict("this reply promises no money: legal approval is not needed", field="status")
        if r.legal_approved_at:
            raise Conflict("legal has already approved this version", field="status")
        r.legal_approved_at, r.legal_approved_by = now, actor.name
    else:
        if r.leader_approved_at:
            raise Conflict("the leader has already approved this version", field="status")
        r.leader_approved_at, r.leader_approved_by = now, actor.name
    _settle_status(r)
    _event(session, inc, r, "reply.approved", actor, by="legal" if as_legal else "leader", status=r.status)
    return r


def document(session: Session, inc: Incident, r: WrittenReply, org: str) -> bytes:
    """The reply's PDF: the issued file as stored, else a fresh preview."""
    if r.attachment_id:
        return attachments.read(session, r.attachment_id, inc.id)[1]
    return pdf.render(r.to_dict(), org)


def issue(session: Session, *, actor: Actor, incident_id: int, reply_id: Any, org: str,
          expected_version: Any = None) -> WrittenReply:
    """Issue the approved reply: the PDF is stored and recorded as sent to the representatives.

    Its "reply.issued" event is what meets the 24-hour deadline (playbook steps done by it) and what
    callbacks anchored on "reply_issued" count from."""
    inc = load_for(session, actor, incident_id, Action.REPLY_ISSUE)
    ensure_open(inc)
    r = get(session, inc, reply_id, lock=True)
    _check_version(r, expected_version)
    if r.status != ReplyStatus.APPROVED.value:
        need = "the leader's approval" + (" and legal's" if r.promises_money else "")
        raise Conflict(f"the reply needs {need} before it is issued", field="status", status=r.status)
    _printable(r.content)  # a missing glyph would print as an empty box in the sent document
    now = clock.now()
    r.recipients = drafting.recipients(session, inc)
    r.issued_at, r.issued_by_name, r.status = now, actor.name, ReplyStatus.ISSUED.value
    data = pdf.render(r.to_dict(), org)
    att = attachments.store(session, actor=actor, incident_id=inc.id, filename=f"{inc.ref}-reply-{r.id}.pdf",
                            content_type="application/pdf", data=data, purpose="written_reply")
    r.attachment_id, r.pdf_sha256 = att.id, att.sha256
    due = due_at(inc, session)
    _event(session, inc, r, "reply.issued", actor, recipients=[x["name"] for x in r.recipients],
           attachment_id=att.id, pdf_sha256=att.sha256, due_at=due.isoformat(), late=now > due)
    return r
