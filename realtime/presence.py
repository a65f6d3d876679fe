"""Who is on an incident's board right now: one entry per open socket, shared through Redis.

Each server process only knows its own sockets, so entries live in Redis when a message queue is
configured (several processes, one truth) and in process memory otherwise. Every entry carries an
expiry that the owning process refreshes; a crashed process's entries simply run out.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any, Callable, Protocol

log = logging.getLogger(__name__)
TTL_SECONDS = 60.0          # an entry not refreshed for this long is gone
REFRESH_SECONDS = 20.0      # how often a process refreshes its own sockets' entries

Now = Callable[[], float]


def _user_list(entries: dict[str, dict[str, Any]], now: float) -> list[dict[str, Any]]:
    users: dict[int, dict[str, Any]] = {}
    for e in entries.values():
        if e["exp"] > now:
            users[e["id"]] = {"id": e["id"], "name": e["name"]}
    return sorted(users.values(), key=lambda u: (u["name"], u["id"]))


class PresenceStore(Protocol):
    def add(self, incident_id: int, sid: str, user: dict[str, Any]) -> None: ...
    def remove(self, incident_id: int, sid: str) -> None: ...
    def touch(self, incident_id: int, sid: str, user: dict[str, Any]) -> None: ...
    def users(self, incident_id: int) -> list[dict[str, Any]]: ...


class MemoryPresence:
    """Single-process store (no Redis configured)."""

    def __init__(self, ttl: float = TTL_SECONDS, now: Now = time.time) -> None:
        self.ttl, self.now = ttl, now
        self._rooms: dict[int, dict[str, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def add(self, incident_id: int, sid: str, user: dict[str, Any]) -> None:
        with self._lock:
            self._rooms.setdefault(incident_id, {})[sid] = {
                "id": user["id"], "name": user["name"], "exp": self.now() + self.ttl}

    touch = add

    def remove(self, incident_id: int, sid: str) -> None:
        with self._lock:
            self._rooms.get(incident_id, {}).pop(sid, None)

    def users(self, incident_id: int) -> list[dict[str, Any]]:
        now = self.now()
        with self._lock:
            room = self._rooms.get(incident_id, {})
            for sid in [s for s, e in room.items() if e["exp"] <= now]:
                del room[sid]
            return _user_list(room, now)


class RedisPresence:
    """Multi-process store: one Redis hash per incident, field = socket id, value = user + expiry."""

    def __init__(self, url: str, prefix: str, ttl: float = TTL_SECONDS, now: Now = time.time) -> None:
        import redis
        # short timeouts: an unreachable Redis must not hold a join (issue 17); FallbackPresence
        # then answers from this process
        self.redis = redis.Redis.from_url(url, health_check_interval=30, socket_connect_timeout=1,
                                          socket_timeout=2)
        self.prefix, self.ttl, self.now = prefix, ttl, now

    def _key(self, incident_id: int) -> str:
        return f"{self.prefix}:presence:{incident_id}"

    def add(self, incident_id: int, sid: str, user: dict[str, Any]) -> None:
        key = self._key(incident_id)
        value = json.dumps({"id": user["id"], "name": user["name"], "exp": self.now() + self.ttl},
                           ensure_ascii=False)
        pipe = self.redis.pipeline()
        pipe.hset(key, sid, value)
        pipe.expire(key, int(self.ttl * 2))  # the whole hash goes when nobody refreshes it
        pipe.execute()

    touch = add

    def remove(self, incident_id: int, sid: str) -> None:
        self.redis.hdel(self._key(incident_id), sid)

    def users(self, incident_id: int) -> list[dict[str, Any]]:
        key, now = self._key(incident_id), self.now()
        entries = {k.decode(): json.loads(v) for k, v in self.redis.hgetall(key).items()}
        stale = [sid for sid, e in entries.items() if e["exp"] <= now]
        if stale:
            self.redis.hdel(key, *stale)
        return _user_list(entries, now)


def make_store(redis_url: str | None, prefix: str,
               local: Callable[[], list[tuple[int, str, dict[str, Any]]]] | None = None) -> PresenceStore:
    """Redis store (falling back to this process while Redis is unreachable) when a message queue
    is configured, else in-process. *local*: this process's sockets, re-entered when Redis returns."""
    if not redis_url:
        return MemoryPresence()
    return FallbackPresence(RedisPresence(redis_url, prefix), local or (lambda: []))


# -- resource faults (issue 17): Redis unreachable
class FallbackPresence:
    """Redis while it answers; this process's own sockets while it does not.

    Every change is kept in process memory too, so the moment Redis fails a join still answers
    (with the people on this server). While Redis is down it is tried again at most every
    RETRY_SECONDS; when it answers again this process's sockets are written back before anything
    is read (a restarted Redis has lost them), so presence is whole again at once.
    """

    RETRY_SECONDS = 2.0

    def __init__(self, redis_store: RedisPresence, local: Callable[[], list[tuple[int, str, dict[str, Any]]]],
                 clock: Now = time.monotonic) -> None:
        self.shared, self.memory, self.local, self.clock = redis_store, MemoryPresence(), local, clock
        self.down_since: float | None = None
        self._next_try = 0.0
        self._lock = threading.Lock()

    @property
    def mode(self) -> str:
        """"redis" (shared by every server) or "process" (Redis unreachable: this server only)."""
        return "process" if self.down_since is not None else "redis"

    def _down(self, err: Exception) -> None:
        with self._lock:
            if self.down_since is None:
                self.down_since = self.clock()
                log.warning("Redis unreachable (%s): presence falls back to this process", err)
            self._next_try = self.clock() + self.RETRY_SECONDS

    def check(self, force: bool = False) -> bool:
        """Whether Redis answers now; on its return, write this process's sockets back first."""
        from redis.exceptions import RedisError
        if self.down_since is None and not force:
            return True
        if self.down_since is not None and not force and self.clock() < self._next_try:
            return False
        try:
            self.shared.redis.ping()
            if self.down_since is not None:
                for incident_id, sid, user in self.local():
                    self.shared.add(incident_id, sid, user)
        except (RedisError, OSError) as err:
            self._down(err)
            return False
        if self.down_since is not None:
            log.warning("Redis answers again: presence is shared again")
        self.down_since = None
        return True

    def _try(self, fn: Callable[[], Any]) -> tuple[bool, Any]:
        from redis.exceptions import RedisError
        if not self.check():
            return False, None
        try:
            return True, fn()
        except (RedisError, OSError) as err:
            self._down(err)
            return False, None

    def add(self, incident_id: int, sid: str, user: dict[str, Any]) -> None:
        self.memory.add(incident_id, sid, user)
        self._try(lambda: self.shared.add(incident_id, sid, user))

    touch = add

    def remove(self, incident_id: int, sid: str) -> None:
        self.memory.remove(incident_id, sid)
        self._try(lambda: self.shared.remove(incident_id, sid))

    def users(self, incident_id: int) -> list[dict[str, Any]]:
        ok, users = self._try(lambda: self.shared.users(incident_id))
        return users if ok else self.memory.users(incident_id)


class LocalSockets:
    """This process's sockets and the incidents they joined (the entries it must keep fresh)."""

    def __init__(self) -> None:
        self._joined: dict[str, dict[int, dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._heartbeat = False
        self.stopped = False

    def remember(self, sid: str, incident_id: int, user: dict[str, Any]) -> None:
        with self._lock:
            self._joined.setdefault(sid, {})[incident_id] = user

    def drop(self, sid: str, incident_id: int) -> bool:
        with self._lock:
            return self._joined.get(sid, {}).pop(incident_id, None) is not None

    def forget(self, sid: str) -> list[int]:
        """Remove a disconnected socket; returns the incidents it was on."""
        with self._lock:
            return list(self._joined.pop(sid, {}))

    def entries(self) -> list[tuple[int, str, dict[str, Any]]]:
        with self._lock:
            return [(i, sid, u) for sid, rooms in self._joined.items() for i, u in rooms.items()]

    def incidents(self) -> set[int]:
        with self._lock:
            return {i for rooms in self._joined.values() for i in rooms}

    def claim_heartbeat(self) -> bool:
        """True exactly once per process: the caller starts the refresh loop."""
        with self._lock:
            first, self._heartbeat = not self._heartbeat, True
            return first


class Coalescer:
    """Pushes presence at most once per `delay` per process: N joins cost ~1 broadcast, not N.

    A reconnect storm (every browser of a big room coming back after a restart) would otherwise
    send N presence messages to N members each. The join ack carries the list right away anyway.
    """

    def __init__(self, push: Callable[[int], None], start: Callable[..., Any], sleep: Callable[[float], None],
                 delay: float = 0.25) -> None:
        self.push, self.start, self.sleep, self.delay = push, start, sleep, delay
        self._dirty: set[int] = set()
        self._pending = False
        self._lock = threading.Lock()

    def mark(self, incident_id: int) -> None:
        with self._lock:
            self._dirty.add(incident_id)
            if self._pending:
                return
            self._pending = True
        self.start(self._flush)

    def _flush(self) -> None:
        self.sleep(self.delay)
        with self._lock:
            dirty, self._dirty, self._pending = self._dirty, set(), False
        for incident_id in sorted(dirty):
            self.push(incident_id)
