"""Lookup codes: random, human-typable, stored hashed, compared in constant time.

A code is 16 characters of Crockford's base 32 (0-9 and A-Z without I, L, O, U): 16 × 5 = **80 bits**
from `secrets`, shown in four groups of four (`7K3M-Q9XA-2D8R-VW4T`). Typing is forgiving: case,
spaces, hyphens and full-width characters do not matter, O reads as 0 and I/L as 1. Only the SHA-256
of the normalised code is stored; the database finds the row by that hash and the comparison is
`hmac.compare_digest`. With 2^80 codes, even a million guesses a second for a year finds one of a
thousand live codes with probability below 10^-7 — and the public routes allow a few dozen a minute.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32
LENGTH = 16
ENTROPY_BITS = LENGTH * 5  # 80
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_PREFIX = b"concord-public-code:"


def new_code() -> str:
    """A fresh code, grouped for reading aloud and typing."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, LENGTH, 4))


def normalise(text: object) -> str:
    """The code as typed → its canonical 16 characters, or "" when it cannot be a code."""
    if not isinstance(text, str) or len(text) > 64:
        return ""
    s = unicodedata.normalize("NFKC", text).upper().translate(_READ_AS)
    s = "".join(ch for ch in s if ch not in " -_.\t")
    if len(s) != LENGTH or any(ch not in ALPHABET for ch in s):
        return ""
    return s


def digest(text: object) -> str:
    """SHA-256 hex of the normalised code ("" for what cannot be a code)."""
    norm = normalise(text)
    return hashlib.sha256(_PREFIX + norm.encode("ascii")).hexdigest() if norm else ""


def same(stored_hash: str, text: object) -> bool:
    """Constant-time: does *text* hash to *stored_hash*?"""
    d = digest(text)
    return bool(d) and hmac.compare_digest(stored_hash.encode("ascii"), d.encode("ascii"))


def hint(code: str) -> str:
    """The last four characters, for staff to tell codes apart."""
    return normalise(code)[-4:]
