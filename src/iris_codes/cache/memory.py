"""The in-process LRU tier, bounded by entries and bytes, thread-safe."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from .base import Clock, Tier, new_token


class MemoryTier(Tier):
    """A least-recently-used map in this process, with per-entry expiry.

    Also the per-process lock table used when no shared tier is reachable.
    """

    name = "memory"

    def __init__(self, max_entries: int, max_bytes: int, *, clock: Clock = time.time) -> None:
        self.max_entries = max(0, max_entries)
        self.max_bytes = max(0, max_bytes)
        self._clock = clock
        self._data: OrderedDict[str, tuple[bytes, float]] = OrderedDict()
        self._bytes = 0
        self._mutex = threading.Lock()
        self._locks: dict[str, tuple[str, float]] = {}
        self._counters: dict[str, tuple[int, float]] = {}

    def get(self, key: str) -> bytes | None:
        """The value under ``key`` (marking it recently used), or None."""
        with self._mutex:
            item = self._data.get(key)
            if item is None:
                return None
            if item[1] <= self._clock():
                self._drop(key)
                return None
            self._data.move_to_end(key)
            return item[0]

    def set(self, key: str, value: bytes, ttl: float) -> None:
        """Store ``value``, evicting least recently used entries past the bounds."""
        size = _size(key, value)
        with self._mutex:
            self._drop(key)
            if size > self.max_bytes or self.max_entries == 0 or ttl <= 0:
                return
            self._data[key] = (value, self._clock() + ttl)
            self._bytes += size
            while len(self._data) > self.max_entries or self._bytes > self.max_bytes:
                old_key, (old_value, _) = self._data.popitem(last=False)
                self._bytes -= _size(old_key, old_value)

    def delete(self, key: str) -> None:
        """Remove ``key`` if present."""
        with self._mutex:
            self._drop(key)

    def try_lock(self, key: str, ttl: float) -> str | None:
        """A per-process lock on ``key`` that expires after ``ttl`` seconds."""
        now = self._clock()
        with self._mutex:
            held = self._locks.get(key)
            if held is not None and held[1] > now:
                return None
            token = new_token()
            self._locks[key] = (token, now + ttl)
            if len(self._locks) > 1024:
                self._locks = {k: v for k, v in self._locks.items() if v[1] > now}
            return token

    def unlock(self, key: str, token: str) -> None:
        """Release ``key`` if ``token`` still owns it."""
        with self._mutex:
            held = self._locks.get(key)
            if held is not None and held[0] == token:
                del self._locks[key]

    def extend_lock(self, key: str, token: str, ttl: float) -> bool:
        """Renew ``key``'s lock while ``token`` owns it."""
        with self._mutex:
            held = self._locks.get(key)
            if held is None or held[0] != token:
                return False
            self._locks[key] = (token, self._clock() + ttl)
            return True

    def incr(self, key: str, ttl: float) -> int:
        """A per-process counter that restarts after ``ttl`` seconds."""
        now = self._clock()
        with self._mutex:
            count, expires = self._counters.get(key, (0, now + ttl))
            if expires <= now:
                count, expires = 0, now + ttl
            self._counters[key] = (count + 1, expires)
            if len(self._counters) > 4096:
                self._counters = {k: v for k, v in self._counters.items() if v[1] > now}
            return count + 1

    def count(self, key: str) -> int:
        now = self._clock()
        with self._mutex:
            count, expires = self._counters.get(key, (0, now))
        return count if expires > now else 0

    def ping(self) -> None:
        """Always usable."""

    def stats(self) -> dict[str, Any]:
        """Entries and bytes held, with the bounds."""
        with self._mutex:
            return {
                "entries": len(self._data),
                "bytes": self._bytes,
                "max_entries": self.max_entries,
                "max_bytes": self.max_bytes,
            }

    def prune(self) -> dict[str, int]:
        """Drop expired entries and locks."""
        now = self._clock()
        with self._mutex:
            expired = [k for k, (_, expires) in self._data.items() if expires <= now]
            for key in expired:
                self._drop(key)
            self._locks = {k: v for k, v in self._locks.items() if v[1] > now}
        return {"expired": len(expired), "evicted": 0}

    def clear(self) -> int:
        """Remove every entry."""
        with self._mutex:
            count = len(self._data)
            self._data.clear()
            self._bytes = 0
            return count

    def _drop(self, key: str) -> None:
        item = self._data.pop(key, None)
        if item is not None:
            self._bytes -= _size(key, item[0])


def _size(key: str, value: bytes) -> int:
    return len(key) + len(value)
