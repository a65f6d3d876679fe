"""The terms of an agreement as one canonical, hashable value: what legal approves is what is printed.

Terms never hold a clear ID number: a party keeps the masked ID and a keyed digest of the full one,
so the hash changes when the ID changes while the database and the timeline stay free of it.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from exports.agreements.enums import IdDisplay, PaymentKind
from incident.errors import ValidationError
from incident.intake import printable
from incident.intake.schema import clean_text

CLAUSES = ("non_admission", "indemnity", "performance", "withdrawal", "confidentiality",
           "dispute_resolution")
LOCALES = ("zh_CN", "en")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Party:
    claimant_id: int | None
    name: str
    unit: str = ""
    id_masked: str = ""
    id_digest: str = ""   # keyed HMAC of the full ID; the clear ID is fetched only to print it


@dataclass(frozen=True)
class Item:
    description: str
    remedy: str
    amount: str = ""                 # decimal string in CNY, "" when no money is paid
    payment_kind: str = PaymentKind.NONE.value
    deadline: str = ""               # YYYY-MM-DD, the performance deadline


@dataclass(frozen=True)
class Terms:
    locale: str
    organisation: str
    incident_ref: str
    signer: Party                    # the claimant, or the representative signing for others
    represented: tuple[Party, ...] = ()
    facts: str = ""
    items: tuple[Item, ...] = ()
    clauses: dict[str, str] = field(default_factory=dict)
    id_display: str = IdDisplay.MASKED.value
    template_id: int | None = None
    template_version: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def total(self) -> Decimal:
        return sum((Decimal(i.amount) for i in self.items if i.amount), Decimal(0))

    def kinds(self) -> set[str]:
        return {i.payment_kind for i in self.items}

    def by_kind(self) -> dict[str, Decimal]:
        """Money per payment kind (补偿 / 赔偿 …), items without money or kind left out."""
        out: dict[str, Decimal] = {}
        for i in self.items:
            if i.amount and i.payment_kind != PaymentKind.NONE.value:
                out[i.payment_kind] = out.get(i.payment_kind, Decimal(0)) + Decimal(i.amount)
        return out


def canonical(value: Any) -> bytes:
    """Deterministic JSON: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def terms_hash(terms: Terms) -> str:
    return hashlib.sha256(canonical(terms.to_dict())).hexdigest()


def from_dict(doc: dict[str, Any]) -> Terms:
    """Rebuild stored terms (already validated when stored)."""
    d = dict(doc)
    d["signer"] = Party(**d["signer"])
    d["represented"] = tuple(Party(**p) for p in d.get("represented") or ())
    d["items"] = tuple(Item(**i) for i in d.get("items") or ())
    return Terms(**d)


def _text(value: Any, fld: str, limit: int, required: bool = False) -> str:
    return printable.check(clean_text(value, fld, limit, required), fld)


def parse_item(raw: Any, n: int) -> Item:
    """Validate one item from a request body."""
    pre = f"items[{n}]"
    if not isinstance(raw, dict):
        raise ValidationError(f"{pre} must be an object", field=pre)
    kind = raw.get("payment_kind") or PaymentKind.NONE.value
    if kind not in PaymentKind.__members__.values():
        raise ValidationError(f"{pre}.payment_kind must be one of {', '.join(PaymentKind)}",
                              field=f"{pre}.payment_kind")
    amount = raw.get("amount")
    amount_s = ""
    if amount not in (None, ""):
        try:
            dec = Decimal(str(amount))
        except InvalidOperation:
            raise ValidationError(f"{pre}.amount must be a number", field=f"{pre}.amount") from None
        if not dec.is_finite() or dec <= 0 or dec > Decimal("100000000") or dec != dec.quantize(Decimal("0.01")):
            raise ValidationError(f"{pre}.amount must be positive with at most 2 decimals",
                                  field=f"{pre}.amount")
        amount_s = f"{dec:.2f}"
    # An amount with kind "none" is money that is neither 补偿 nor 赔偿: a refund, a waived fee.
    if not amount_s and kind != PaymentKind.NONE.value:
        raise ValidationError(f"{pre}.amount is required for a payment", field=f"{pre}.amount")
    deadline = raw.get("deadline") or ""
    if deadline and (not isinstance(deadline, str) or not _DATE.match(deadline)):
        raise ValidationError(f"{pre}.deadline must be a date YYYY-MM-DD", field=f"{pre}.deadline")
    return Item(description=_text(raw.get("description"), f"{pre}.description", 500, True),
                remedy=_text(raw.get("remedy"), f"{pre}.remedy", 500, True),
                amount=amount_s, payment_kind=kind, deadline=deadline)


def parse_items(raw: Any) -> tuple[Item, ...]:
    if not isinstance(raw, list) or not raw:
        raise ValidationError("items must be a non-empty list", field="items")
    if len(raw) > 50:
        raise ValidationError("at most 50 items", field="items")
    return tuple(parse_item(r, n) for n, r in enumerate(raw))


def parse_clauses(raw: Any, base: dict[str, str]) -> dict[str, str]:
    if raw is None:
        return dict(base)
    if not isinstance(raw, dict):
        raise ValidationError("clauses must be an object", field="clauses")
    out = dict(base)
    for key, value in raw.items():
        if key not in CLAUSES:
            raise ValidationError(f"unknown clause {key!r}", field=f"clauses.{key}")
        out[key] = _text(value, f"clauses.{key}", 4000)
    return out


def apply_changes(terms: Terms, data: dict[str, Any]) -> Terms:
    """A copy of *terms* with the editable fields of *data* validated and applied."""
    changes: dict[str, Any] = {}
    if "facts" in data:
        changes["facts"] = _text(data["facts"], "facts", 4000)
    if "items" in data:
        changes["items"] = parse_items(data["items"])
    if "clauses" in data:
        changes["clauses"] = parse_clauses(data["clauses"], terms.clauses)
    if "id_display" in data:
        if data["id_display"] not in IdDisplay.__members__.values():
            raise ValidationError("id_display must be masked or full", field="id_display")
        changes["id_display"] = data["id_display"]
    unknown = set(data) - {"facts", "items", "clauses", "id_display", "version", "csrf_token"}
    if unknown:
        raise ValidationError(f"these terms cannot be edited: {', '.join(sorted(unknown))}",
                              field=sorted(unknown)[0])
    return replace(terms, **changes)


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Path → leaf value, for diffs ("items[0].amount")."""
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(value, (list, tuple)):
        for n, v in enumerate(value):
            out.update(flatten(v, f"{prefix}[{n}]"))
        if not value:
            out[prefix] = []
    else:
        out[prefix] = value
    return out


def diff(old: dict[str, Any] | None, new: dict[str, Any]) -> list[dict[str, Any]]:
    """Changed leaves between two term documents: [{path, from, to}], sorted by path."""
    a, b = flatten(old or {}), flatten(new)
    return [{"path": p, "from": a.get(p), "to": b.get(p)}
            for p in sorted(set(a) | set(b)) if a.get(p) != b.get(p)]
