"""The words of the ledger's timeline events (see incident/timeline/render.py)."""
from __future__ import annotations

from typing import Any

from incident.timeline.render import Say, detail


@detail("ledger.payment_recorded")
def _paid(say: Say, p: dict[str, Any]) -> str:
    return say.join(p.get("claimant"), say.label("ledger_kind", p.get("kind")), say.money(p.get("amount")),
                    say.label("payment_method", p.get("method")), say.label("proof_kind", p.get("proof_kind")),
                    say("still owed %(amount)s", amount=say.money(p.get("outstanding")))
                    if p.get("outstanding") not in (None, "0.00") else "")


@detail("ledger.waived")
def _waived(say: Say, p: dict[str, Any]) -> str:
    return say.join(p.get("claimant"), say.label("ledger_kind", p.get("kind")), say.money(p.get("amount")),
                    say.text(p.get("reason"), 80))


@detail("ledger.payment_overdue")
def _overdue(say: Say, p: dict[str, Any]) -> str:
    return say.join(p.get("claimant"), say.label("ledger_kind", p.get("kind")),
                    say("%(amount)s owed since %(due)s", amount=say.money(p.get("outstanding")),
                        due=say.time(p.get("due_at"))))
