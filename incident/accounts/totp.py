"""TOTP two-factor (RFC 6238 through pyotp): enrolment with a QR code, and one-time code checks.

The secret is stored encrypted with the instance's field key. A code is accepted for the current
30-second step and one step either side (phone clocks drift), and only once: the last step used
is kept, so a code seen over someone's shoulder cannot be replayed. "Now" is incident.clock.
"""
from __future__ import annotations

import hmac
import io
import unicodedata
from typing import Any

import pyotp

from incident import clock, privacy
from incident.accounts.models import User
from incident.errors import Conflict, ValidationError

ISSUER = "Concord"
STEP = 30


def _clean(code: Any) -> str:
    """Digits only; full-width digits (１２３４５６) and spaces, as phones type them, are accepted."""
    if not isinstance(code, (str, int)) or isinstance(code, bool):
        return ""
    text = unicodedata.normalize("NFKC", str(code))
    return "".join(ch for ch in text if not ch.isspace() and ch != "-")


def _matching_step(secret: str, code: Any, after: int) -> int | None:
    code = _clean(code)
    if len(code) != 6 or not code.isdigit():
        return None
    otp = pyotp.TOTP(secret, interval=STEP)
    step = int(clock.now().timestamp()) // STEP
    for s in (step - 1, step, step + 1):
        if s > after and hmac.compare_digest(otp.generate_otp(s), code):
            return s
    return None


def current_code(secret: str, offset_steps: int = 0) -> str:
    """The code an authenticator shows now (tests, and the CLI's check of a new enrolment)."""
    step = int(clock.now().timestamp()) // STEP + offset_steps
    return pyotp.TOTP(secret, interval=STEP).generate_otp(step)


def verify(user: User, code: Any) -> bool:
    """Check a code against the user's enabled secret, once per step."""
    if not user.totp_cipher:
        return False
    step = _matching_step(privacy.cipher().decrypt(user.totp_cipher), code, user.totp_last_step or 0)
    if step is None:
        return False
    user.totp_last_step = step
    return True


def begin_enrolment(user: User) -> str:
    """A new secret waiting for its first code (replaces an unfinished enrolment)."""
    if user.totp_cipher:
        raise Conflict("two-factor authentication is already on; turn it off first", field="code")
    secret = pyotp.random_base32()
    user.totp_pending_cipher = privacy.cipher().encrypt(secret)
    return secret


def pending_secret(user: User) -> str | None:
    return privacy.cipher().decrypt(user.totp_pending_cipher) if user.totp_pending_cipher else None


def confirm_enrolment(user: User, code: Any) -> None:
    """Turn two-factor on once the app shows a right code for the new secret."""
    secret = pending_secret(user)
    if secret is None:
        raise Conflict("start the enrolment first (scan the QR code)", field="code")
    step = _matching_step(secret, code, 0)
    if step is None:
        raise ValidationError("wrong code; enter the 6 digits your authenticator app shows now", field="code")
    user.totp_cipher, user.totp_pending_cipher = user.totp_pending_cipher, ""
    user.totp_enabled_at, user.totp_last_step = clock.now(), step


def turn_off(user: User) -> None:
    user.totp_cipher = user.totp_pending_cipher = ""
    user.totp_enabled_at, user.totp_last_step = None, 0


def provisioning_uri(user: User, secret: str, issuer: str = ISSUER) -> str:
    return pyotp.TOTP(secret, interval=STEP).provisioning_uri(name=user.username, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The otpauth:// URI as an SVG QR code (no image library needed; inline in the page)."""
    import qrcode
    import qrcode.image.svg
    img = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buf = io.BytesIO()
    img.save(buf)
    text = buf.getvalue().decode("utf-8")
    return text.split("?>", 1)[1].strip() if text.startswith("<?xml") else text
