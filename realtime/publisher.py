"""Publisher for processes without clients (the scheduler): emits through the Socket.IO Redis queue.

Every committed timeline event goes to room incident:<id> as "timeline", every notification to
room user:<id> as "notification" — exactly what the web processes' own emits do, so a browser
connected to any web process gets them. Write-only: this process never receives.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

import socketio

from incident.timeline import bus
from playbooks.notify import live

log = logging.getLogger(__name__)


class Publisher:
    def __init__(self, redis_url: str, channel: str = "concord") -> None:
        self.manager = socketio.RedisManager(redis_url, channel=channel, write_only=True,
                                             redis_options={"health_check_interval": 30})
        self._unsubscribe: list[Callable[[], None]] = []

    def timeline(self, event: dict[str, Any]) -> None:
        self.manager.emit("timeline", event, namespace="/", room=f"incident:{event['incident_id']}")

    def notify(self, user_id: int, payload: dict[str, Any]) -> None:
        self.manager.emit("notification", payload, namespace="/", room=f"user:{user_id}")

    def install(self) -> "Publisher":
        """Forward committed events and notifications of this process from now on."""
        self._unsubscribe = [bus.subscribe(self.timeline), live.subscribe(self.notify)]
        return self

    def close(self) -> None:
        for fn in self._unsubscribe:
            fn()
        self._unsubscribe = []


def install(settings: Any) -> Publisher | None:
    """A publisher on the instance's Redis (None without redis_url: no browser can be reached then)."""
    if not settings.redis_url:
        log.warning("no redis_url: scheduler notifications reach inboxes but no live browser")
        return None
    from realtime.sockets import channel  # the web processes' channel (CONCORD_SOCKETIO_CHANNEL)
    return Publisher(settings.redis_url, channel()).install()
