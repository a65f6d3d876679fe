"""Token buckets: `capacity` events at once, refilled at `rate` per second. In process memory
(each server process limits its own sockets and log writes; sticky sessions keep a client on one)."""
from __future__ import annotations

import threading
import time
from typing import Callable, Hashable


class Buckets:
    """One token bucket per key; idle buckets are forgotten once full again."""

    def __init__(self, capacity: float, rate: float, now: Callable[[], float] = time.monotonic,
                 max_keys: int = 100_000) -> None:
        self.capacity, self.rate, self.now, self.max_keys = capacity, rate, now, max_keys
        self._state: dict[Hashable, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: Hashable, cost: float = 1.0) -> bool:
        """Spend *cost* tokens of *key*'s bucket; False (nothing spent) when there are not enough."""
        t = self.now()
        with self._lock:
            tokens, last = self._state.get(key, (self.capacity, t))
            tokens = min(self.capacity, tokens + (t - last) * self.rate)
            ok = tokens >= cost
            self._state[key] = (tokens - cost if ok else tokens, t)
            if len(self._state) > self.max_keys:
                self._prune(t)
            return ok

    def retry_after(self, key: Hashable, cost: float = 1.0) -> float:
        """Seconds until *cost* tokens are there again."""
        t = self.now()
        with self._lock:
            tokens, last = self._state.get(key, (self.capacity, t))
            tokens = min(self.capacity, tokens + (t - last) * self.rate)
        return max(0.0, (cost - tokens) / self.rate)

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._state.pop(key, None)

    def _prune(self, t: float) -> None:
        full = [k for k, (tok, last) in self._state.items() if tok + (t - last) * self.rate >= self.capacity]
        for k in full:
            del self._state[k]
