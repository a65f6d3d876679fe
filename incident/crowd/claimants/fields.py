"""Validation of one claimant's fields, shared by the form, the API and the bulk importer."""
from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any, NamedTuple

from incident import privacy
from incident.crowd.claimants import numbers
from incident.errors import ValidationError
from incident.intake import printable

LIMITS = {"name": 120, "unit": 200, "segment": 120}
_DASHES = re.compile(r"[\u2010-\u2015\u2212\uff0d_/\\]")
_SPACE = re.compile(r"\s+")
_ASCII_UNIT = str.maketrans({"_": "-", "/": "-", "\\": "-", **{c: None for c in " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"}})


class ClaimantIn(NamedTuple):  # a tuple: an import builds one per row
    """Normalised claimant fields; phone and ID number are still clear text here (never stored so)."""

    name: str
    unit: str
    segment: str
    phone: str
    id_number: str

    @property
    def unit_key(self) -> str:
        return unit_key(self.unit)


def unit_key(unit: str) -> str:
    """Unit/order number reduced for duplicate checks: width, case, spaces and dash variants folded."""
    if unit.isascii():  # the common case: one C call instead of NFKC, casefold and two regexes
        return unit.lower().translate(_ASCII_UNIT)
    s = unicodedata.normalize("NFKC", unit or "").casefold()
    s = _DASHES.sub("-", s)
    return _SPACE.sub("", s)


@functools.lru_cache(maxsize=1)
def _plain_row() -> re.Pattern[str]:
    word = printable.plain_piece()
    return re.compile(f"{word}\x00{word}\x00(?:{word})?")


def plain_texts(name: Any, unit: Any, segment: Any) -> bool:
    """True when name, unit and segment are already what text() would return (one regex match for the
    three, the common row of an import): text, NFC, trimmed, single spaces, printable, within LIMITS."""
    if type(name) is not str or type(unit) is not str or type(segment) is not str \
            or len(name) > LIMITS["name"] or len(unit) > LIMITS["unit"] or len(segment) > LIMITS["segment"]:
        return False
    joined = f"{name}\x00{unit}\x00{segment}"
    return _plain_row().fullmatch(joined) is not None and unicodedata.is_normalized("NFC", joined)


def text(data: dict[str, Any], key: str, required: bool) -> str:
    raw = data.get(key)
    if type(raw) is str and raw and unicodedata.is_normalized("NFC", raw):  # the common case, quickly
        value = " ".join(raw.split())
        if value and len(value) <= LIMITS[key]:
            return printable.check(value, key)  # printed in agreements (one regex search when plain)
    if raw is None:
        raw = ""
    if key != "name" and isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raw = str(int(raw)) if float(raw).is_integer() else str(raw)  # a spreadsheet's numeric unit
    if type(raw) is not str:
        if not isinstance(raw, str):
            raise ValidationError("%(field)s must be text", field=key, reason="invalid")
        raw = str(raw)
    if not unicodedata.is_normalized("NFC", raw):
        raw = unicodedata.normalize("NFC", raw)
    value = " ".join(raw.split())  # runs of any whitespace become one space; ends trimmed
    if required and not value:
        raise ValidationError("%(field)s is required", field=key, reason="required")
    if len(value) > LIMITS.get(key, 200):
        raise ValidationError("%(field)s is longer than %(max)s characters", field=key, max=LIMITS.get(key, 200),
                              reason="too_long")
    return printable.check(value, key)  # names and units are printed in agreements


def phone(data: dict[str, Any], key: str = "phone") -> str:
    """A mobile or landline as people type it (widths, spaces, dashes, +86 folded): numbers.phone."""
    raw = data.get(key)
    if type(raw) is str and len(raw) == 11 and raw.isascii() and raw.isdigit() and raw[0] == "1" and raw[1] > "2":
        return raw  # a mobile typed plainly: nothing to fold
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValidationError("%(field)s is required", field=key, reason="required")
    return numbers.phone(raw, key)


def id_number(data: dict[str, Any], key: str = "id_number") -> str:
    """Optional; 18 characters with the GB 11643 check digit or 15 digits, never a spreadsheet number."""
    return numbers.id_number(data.get(key), key)


def parse_claimant(data: dict[str, Any]) -> ClaimantIn:
    """Validate a claimant: name, unit/order and phone required; ID number optional."""
    if not isinstance(data, dict):
        raise ValidationError("body must be a JSON object", field="body", reason="invalid")
    return ClaimantIn(name=text(data, "name", True), unit=text(data, "unit", True),
                      segment=text(data, "segment", False), phone=phone(data),
                      id_number=id_number(data))


def parse_changes(data: dict[str, Any]) -> dict[str, str]:
    """The fields present in an edit, validated (absent keys are left unchanged)."""
    out: dict[str, str] = {}
    for key in ("name", "unit"):
        if key in data:
            out[key] = text(data, key, True)
    if "segment" in data:
        out["segment"] = text(data, "segment", False)
    if "phone" in data:
        out["phone"] = phone(data)
    if "id_number" in data:
        out["id_number"] = id_number(data)
    return out


def sealed(c: ClaimantIn) -> dict[str, str]:
    """The stored form of the contact fields: encrypted, blind-indexed and masked."""
    cp = privacy.cipher()
    out = {"phone_cipher": cp.encrypt(c.phone), "phone_index": cp.index(c.phone),
           "phone_masked": privacy.mask_phone(c.phone), "id_cipher": "", "id_masked": ""}
    if c.id_number:
        out["id_cipher"] = cp.encrypt(c.id_number)
        out["id_masked"] = privacy.mask_id(c.id_number)
    return out
