"""The contract every cache tier meets, and helpers the tiers share.

A tier stores opaque byte values under hex SHA-256 keys built by the service.
``MemoryTier`` is the in-process front tier and doubles as the in-memory
implementation for tests; ``SqliteTier``, ``RedisTier`` and ``DynamoDBTier`` are the
shared tiers.
"""

from __future__ import annotations

import secrets
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any

Clock = Callable[[], float]

#: Counters persisted by the shared tier so ``iris cache stats`` sees every process.
COUNTER_NAMES = ("hits_memory", "hits_shared", "misses", "errors")


class Tier(ABC):
    """One cache tier.

    Contract:
    - ``get`` returns the whole value or ``None``; an expired, corrupt or undecodable
      entry is a miss, and a corrupt one is deleted.
    - ``set`` is atomic: a reader sees the whole value or nothing, even if the
      process dies mid-write.
    - ``try_lock`` returns a token when the caller now holds ``key``'s lock and
      ``None`` when another holder does; a lock expires after ``ttl`` seconds.
      ``unlock`` releases only when ``token`` still owns the lock; ``extend_lock``
      pushes the expiry to ``ttl`` seconds from now while ``token`` owns it (a holder's
      heartbeat, so locks can be short and a dead holder's lock frees quickly).
    - ``incr`` adds one to a counter that lives ``ttl`` seconds from its first
      increment and returns the new count (rate limiting uses fixed windows).
    - Every method raises ``errors.CacheError`` (never a library exception) when the
      backing store fails; ``details["transient"]`` is true for a short contention
      (busy database) that does not mean the tier is down.
    """

    name: str = "tier"

    @abstractmethod
    def get(self, key: str) -> bytes | None:
        """The value stored under ``key``, or None."""

    @abstractmethod
    def set(self, key: str, value: bytes, ttl: float) -> None:
        """Store ``value`` under ``key`` for ``ttl`` seconds, atomically."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove ``key`` if present."""

    @abstractmethod
    def try_lock(self, key: str, ttl: float) -> str | None:
        """A token if the lock on ``key`` was acquired, else None."""

    @abstractmethod
    def unlock(self, key: str, token: str) -> None:
        """Release ``key``'s lock if ``token`` still owns it."""

    @abstractmethod
    def extend_lock(self, key: str, token: str, ttl: float) -> bool:
        """Keep ``key``'s lock ``ttl`` more seconds if ``token`` owns it; whether it does."""

    @abstractmethod
    def incr(self, key: str, ttl: float) -> int:
        """Add one to counter ``key`` (created to expire after ``ttl``); the new count."""

    @abstractmethod
    def count(self, key: str) -> int:
        """Counter ``key``'s live count (0 when absent or expired), without adding to it."""

    @abstractmethod
    def ping(self) -> None:
        """Raise ``CacheError`` unless the tier is usable."""

    @abstractmethod
    def stats(self) -> dict[str, Any]:
        """Entries, bytes, oldest entry and persisted counters."""

    @abstractmethod
    def prune(self) -> dict[str, int]:
        """Drop expired entries and stale locks, enforce any size cap; counts removed."""

    @abstractmethod
    def clear(self) -> int:
        """Remove every entry; the number removed."""

    def add_counters(self, counts: Mapping[str, int]) -> None:  # noqa: B027 - optional hook
        """Add per-process counter deltas to the tier's persisted totals."""

    def init(self) -> dict[str, Any]:
        """Create what the tier needs (``iris cache init``); by default, check it is usable."""
        self.ping()
        return {"created": False}

    def describe(self) -> str:
        """Where the tier lives, safe to log (no passwords)."""
        return self.name

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""


def new_token() -> str:
    """A fresh, unguessable lock token."""
    return secrets.token_hex(16)


def checksum(value: bytes) -> int:
    """A cheap checksum that detects torn or corrupted values."""
    return zlib.crc32(value)


def hit_rate(hits: int, misses: int) -> float | None:
    """Hits over lookups, or None before the first lookup."""
    total = hits + misses
    return round(hits / total, 4) if total else None
