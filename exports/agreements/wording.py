"""The words of the agreements' timeline events (see incident/timeline/render.py)."""
from __future__ import annotations

from typing import Any

from incident.timeline.render import Say, detail


def _ref(say: Say, p: dict[str, Any]) -> str:
    return str(p.get("ref") or "")


def _moved(say: Say, p: dict[str, Any]) -> str:
    return say.change("agreement_status", p.get("from"), p.get("to")) if p.get("to") else ""


@detail("agreement.drafted")
def _drafted(say: Say, p: dict[str, Any]) -> str:
    represented = p.get("represented") or 0
    return say.join(_ref(say, p), p.get("signer"), say("%(n)s items", n=p.get("items", 0)),
                    represented and say("for %(n)s claimants", n=represented))


@detail("agreement.terms_changed")
def _changed(say: Say, p: dict[str, Any]) -> str:
    return say.join(_ref(say, p), say("%(n)s changes", n=len(p.get("changed") or [])),
                    say("approval withdrawn") if p.get("approval_dropped") else "")


@detail("agreement.submitted", "agreement.approved")
def _moved_only(say: Say, p: dict[str, Any]) -> str:
    return say.join(_ref(say, p), _moved(say, p))


@detail("agreement.returned", "agreement.voided")
def _with_reason(say: Say, p: dict[str, Any]) -> str:
    return say.join(_ref(say, p), _moved(say, p), say.text(p.get("text"), 80))


@detail("agreement.signed")
def _signed(say: Say, p: dict[str, Any]) -> str:
    return say.join(_ref(say, p), say("signed by %(name)s", name=p.get("signer", "")))


@detail("agreement.sealed")
def _sealed(say: Say, p: dict[str, Any]) -> str:
    level = say("with a trusted timestamp") if p.get("level") == "B-T" else ""
    return say.join(_ref(say, p), _moved(say, p), level)


@detail("agreement.batch_started")
def _batch_started(say: Say, p: dict[str, Any]) -> str:
    return say.join(say.label("batch_kind", p.get("kind")), p.get("segment") or say("whole incident"))


@detail("agreement.batch_progress")
def _batch_progress(say: Say, p: dict[str, Any]) -> str:
    failed = p.get("failed") or 0
    return say.join(say("%(done)s of %(total)s done", done=p.get("done", 0), total=p.get("total", 0)),
                    failed and say("%(n)s failed", n=failed))


@detail("agreement.batch_interrupted")
def _batch_interrupted(say: Say, p: dict[str, Any]) -> str:
    failed = p.get("failed") or 0
    return say.join(say.label("batch_kind", p.get("kind")),
                    say("%(done)s of %(total)s done", done=p.get("done", 0), total=p.get("total", 0)),
                    failed and say("%(n)s failed", n=failed), say("it can be resumed or abandoned"))


@detail("agreement.batch_resumed", "agreement.batch_abandoned")
def _batch_resumed(say: Say, p: dict[str, Any]) -> str:
    return say.join(say.label("batch_kind", p.get("kind")),
                    say("%(n)s documents pending", n=p.get("pending", 0)))


@detail("agreement.batch_finished")
def _batch_finished(say: Say, p: dict[str, Any]) -> str:
    failed = p.get("failed") or 0
    return say.join(say.label("batch_kind", p.get("kind")), say.label("batch_status", p.get("status")),
                    say("%(done)s of %(total)s done", done=p.get("done", 0), total=p.get("total", 0)),
                    failed and say("%(n)s failed", n=failed))
