"""Password rules and hashing: argon2, a minimum length, and no common password.

The common-password list is zxcvbn's (PyPI `zxcvbn`, the 30,000 most frequent leaked passwords),
plus `common_passwords_zh.txt` beside this file for the ones Chinese users pick that it lacks
(pinyin phrases, lucky numbers). Both are compared case-insensitively.
"""
from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from incident.errors import ValidationError

MIN_LENGTH = 10
MAX_LENGTH = 256  # hashing a megabyte of "password" would be a cheap denial of service
hasher = PasswordHasher()
# No 0/O, 1/l/I: a temporary password is read out over the phone.
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS
    extra = (Path(__file__).with_name("common_passwords_zh.txt")).read_text(encoding="utf-8").split()
    return frozenset(p.lower() for p in (*FREQUENCY_LISTS["passwords"], *extra) if p and not p.startswith("#"))


def check(password: object, *, field: str = "password", username: str = "", display_name: str = "") -> str:
    """The password if it may be used, else a ValidationError naming the rule it breaks."""
    if not isinstance(password, str):
        raise ValidationError("%(field)s must be text", field=field)
    if len(password) < MIN_LENGTH:
        raise ValidationError("%(field)s must have at least %(min)s characters", field=field, min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise ValidationError("%(field)s may have at most %(max)s characters", field=field, max=MAX_LENGTH)
    low = password.lower()
    if low in common_passwords() or len(set(low)) < 3:
        raise ValidationError("this password is too common; choose another", field=field)
    bare = "".join(ch for ch in low if ch.isalnum())
    for own in (username, display_name):
        mine = "".join(ch for ch in (own or "").lower() if ch.isalnum())
        if mine and bare.rstrip("0123456789") in (mine, mine[::-1]):
            raise ValidationError("the password may not be your user name or name", field=field)
    return password


def hash_password(password: str) -> str:
    return hasher.hash(password)


def verify(password_hash: str, password: object) -> bool:
    """True when the password matches the stored argon2 hash (False for anything else)."""
    if not isinstance(password, str) or not password or len(password) > MAX_LENGTH:
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def temporary() -> str:
    """A random password to hand over once; the user must replace it at the next login."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(14))
