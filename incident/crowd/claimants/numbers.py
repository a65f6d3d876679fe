"""Phone and ID numbers as people type them: one normaliser for every add, edit and import path.

Width, spaces, dashes and a +86/0086 prefix are folded away before anything is validated, so
"１３８ ００１３ ８０００", "+86 138-0013-8000" and "13800138000" are one number (one blind index,
one claimant). A mainland mobile is exactly 11 digits 1[3-9]…; a landline keeps its area code
(010 / 02x / 0xxx, then 7–8 digits). ID numbers: 18 characters with the GB 11643 check digit, or
the old 15-digit form. A value that arrived as a spreadsheet number is refused: Excel keeps 15
significant digits, so an 18-digit ID typed into a number cell has already lost its last digits.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from operator import mul
from typing import Any

from incident.errors import ValidationError

_NOISE = re.compile(r"[\s\u00a0\u3000\-\u2010-\u2015\u2212\u30fc\uff0d()（）.·・/_]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
# area code 010, 02x or 0[3-9]xx, then a local number of 7 or 8 digits
_LANDLINE = re.compile(r"0(?:10|2\d|[3-9]\d{2})\d{7,8}")
_ID18 = re.compile(r"\d{17}[\dX]")
_ID15 = re.compile(r"\d{15}")
_EXPONENT = re.compile(r"\d(?:\.\d+)?E\+?\d+")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ZEROS = ord("0") * sum(_WEIGHTS)

MOBILE, LANDLINE = "mobile", "landline"


def _refuse(message: str, field: str, reason: str = "invalid", **details: Any) -> ValidationError:
    return ValidationError(message, field=field, reason=reason, **details)


def fold(raw: str) -> str:
    """NFKC (full-width digits and letters become ASCII), upper case, separators removed."""
    if raw.isascii() and raw.isalnum():
        return raw.upper()  # the common case, typed plainly: nothing to fold
    return _NOISE.sub("", unicodedata.normalize("NFKC", raw)).upper()


def _as_text(raw: Any, field: str, spreadsheet_ok: bool) -> str:
    if isinstance(raw, bool) or raw is None:
        raise _refuse("%(field)s must be text", field)
    if isinstance(raw, (int, float)):
        if not spreadsheet_ok or isinstance(raw, float) and not raw.is_integer():
            raise _refuse("%(field)s arrived as a spreadsheet number, which loses digits: format the column "
                          "as text and type the number again", field, "spreadsheet_number")
        return str(int(raw))
    if not isinstance(raw, str):
        raise _refuse("%(field)s must be text", field)
    return raw


def phone_kind(raw: Any, field: str = "phone") -> tuple[str, str]:
    """(kind, digits): a mobile or a landline with its area code; anything else a ValidationError."""
    # An 11-digit mobile fits a spreadsheet number exactly; a landline's leading 0 would be lost.
    s = fold(_as_text(raw, field, spreadsheet_ok=True))
    if s.startswith("+86"):
        s = s[3:]
    elif s.startswith("0086"):
        s = s[4:]
    if not s:
        raise _refuse("%(field)s is required", field, "required")
    if not s.isdigit():
        raise _refuse("%(field)s: a phone number has only digits (and spaces, dashes, +86)", field)
    if _MOBILE.fullmatch(s):
        return MOBILE, s
    if s.startswith("1"):
        raise _refuse("%(field)s: a mobile number has 11 digits and starts with 13–19 (this one has "
                      "%(digits)s digits)", field, digits=len(s))
    if _LANDLINE.fullmatch(s):
        return LANDLINE, s
    if s.startswith("0"):
        raise _refuse("%(field)s: a landline is the area code and 7–8 digits, e.g. 010-12345678 (this one "
                      "has %(digits)s digits)", field, digits=len(s))
    raise _refuse("%(field)s: not a phone number: a mobile has 11 digits, a landline needs its area code "
                  "(%(digits)s digits given)", field, digits=len(s))


def phone(raw: Any, field: str = "phone") -> str:
    """The normalised digits of a mobile or landline number."""
    return phone_kind(raw, field)[1]


def _birth_ok(s: str) -> bool:
    y, m, d = (int(s[6:10]), int(s[10:12]), int(s[12:14])) if len(s) == 18 else \
        (1900 + int(s[6:8]), int(s[8:10]), int(s[10:12]))
    try:
        date(y, m, d)
    except ValueError:
        return False
    return 1900 <= y <= 2100


def check_digit(body17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    if not body17.isascii():  # other scripts' digits (\d matches them): int() reads them
        return _CHECK[sum(map(mul, map(int, body17), _WEIGHTS)) % 11]
    # over the ASCII codes (one C loop), less what the '0's add: the same sum as over int(digit)
    return _CHECK[(sum(map(mul, body17.encode("ascii"), _WEIGHTS)) - _ZEROS) % 11]


def id_number(raw: Any, field: str = "id_number") -> str:
    """A resident ID: 18 characters with a valid check digit, or 15 digits; '' when absent."""
    if raw is None or isinstance(raw, str) and not raw.strip():
        return ""
    text = _as_text(raw, field, spreadsheet_ok=False)
    s = fold(text)
    if ("E" in s or "e" in text) and _EXPONENT.fullmatch(unicodedata.normalize("NFKC", text).strip().upper()):  # "1.10105E+17": a CSV saved from a number cell
        raise _refuse("%(field)s arrived as a spreadsheet number, which loses digits: format the column "
                      "as text and type the number again", field, "spreadsheet_number")
    if _ID18.fullmatch(s):
        if s[17] != check_digit(s[:17]):
            raise _refuse("%(field)s: the check digit does not match (a digit is mistyped)", field,
                          "check_digit")
    elif not _ID15.fullmatch(s):
        raise _refuse("%(field)s: an ID number has 18 characters (or the old 15 digits); this one has "
                      "%(chars)s", field, chars=len(s))
    if not _birth_ok(s):
        raise _refuse("%(field)s: the birth date in the ID number is not a date", field)
    return s
