"""Limits on what one socket client may send: a rate per connection and per user (token buckets),
a maximum message size, and bounded ids (realtime/sockets.py applies them to every event).

Sizes: an event whose JSON payload exceeds MAX_MESSAGE is answered with an error acknowledgement
(status 413). Engine.IO itself refuses anything above BUFFER (`max_http_buffer_size`): over
WebSocket it closes the connection, over long-polling it answers HTTP 413 — so BUFFER is kept well
above MAX_MESSAGE and the client gets an answer for every size in between. Rates: each connection
may burst PER_CONNECTION events and then send CONNECTION_RATE per second; each user (all their
connections in this server process) USER_BURST and then USER_RATE per second
(`CONCORD_SOCKET_USER_BURST` / `CONCORD_SOCKET_USER_RATE` change these two, e.g. for a wall of
screens under one account, or the live benchmark). A refused event is answered with status 429 and
`retry_after`; a flood of refusals is one security-log entry per connection and 10 s.
"""
from __future__ import annotations

import json
import os
import threading
import time
from typing import Any, Callable

from incident.errors import ValidationError
from realtime.security.buckets import Buckets

MAX_MESSAGE = 16 * 1024
BUFFER = 256 * 1024
PER_CONNECTION, CONNECTION_RATE = 20, 10.0
USER_BURST, USER_RATE = 60, 30.0
MAX_ID = 2**31 - 1  # ids are INTEGER columns (32-bit on PostgreSQL)


class MessageTooLarge(ValidationError):
    code = "too_large"


def payload_size(args: tuple[Any, ...]) -> int | None:
    """UTF-8 length of the event's JSON payload (binary parts by their length); None if unreadable."""
    try:
        text = json.dumps(list(args), ensure_ascii=False, separators=(",", ":"),
                          default=lambda o: "x" * len(o) if isinstance(o, (bytes, bytearray)) else None)
    except (RecursionError, ValueError, TypeError):
        return None
    return len(text.encode("utf-8", "surrogatepass"))


def bounded_id(value: Any, field: str, lo: int = 1) -> int:
    """A whole number between lo and MAX_ID, or a ValidationError naming the field."""
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= MAX_ID:
        raise ValidationError("%(field)s must be a whole number from %(lo)s to %(hi)s", field=field,
                              lo=lo, hi=MAX_ID)
    return value


def _positive(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value < 1e9:
        raise ValueError(f"{name} must be a positive number, not {raw!r}")
    return value


class SocketLimits:
    """Per-process rate state of the sockets: one bucket per connection and one per user."""

    LOG_EVERY = 10.0  # seconds: a flood of refused events is one security-log entry per interval

    def __init__(self, env: dict[str, str] | None = None,
                 now: Callable[[], float] = time.monotonic) -> None:
        env = dict(os.environ) if env is None else env
        self.now = now
        self.connections = Buckets(PER_CONNECTION, CONNECTION_RATE, now=now)
        self.users = Buckets(_positive(env, "CONCORD_SOCKET_USER_BURST", USER_BURST),
                             _positive(env, "CONCORD_SOCKET_USER_RATE", USER_RATE), now=now)
        self._logged: dict[str, float] = {}  # connection -> when its last refusal was logged
        self._lock = threading.Lock()

    def admit(self, sid: str, user_id: int | None) -> bool:
        """Spend one event of the connection's and the user's allowance; False when either is empty."""
        return self.connections.take(sid) and (user_id is None or self.users.take(user_id))

    def first_refusal(self, sid: str) -> bool:
        """True for at most one refused event per connection and LOG_EVERY seconds (the one logged)."""
        t = self.now()
        with self._lock:
            last = self._logged.get(sid)
            if last is not None and t - last < self.LOG_EVERY:
                return False
            self._logged[sid] = t
            return True

    def retry_after(self, sid: str, user_id: int | None) -> float:
        wait = self.connections.retry_after(sid)
        return max(wait, self.users.retry_after(user_id)) if user_id is not None else wait

    def forget(self, sid: str) -> None:
        self.connections.forget(sid)
        with self._lock:
            self._logged.pop(sid, None)
