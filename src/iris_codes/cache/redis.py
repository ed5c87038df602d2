"""The Redis shared tier: several instances share entries and single-flight locks.

Values are wrapped in a small envelope (magic, CRC-32, creation time) so a corrupt
or foreign value is detected, deleted and treated as a miss. Timeouts are short so
an outage costs a request at most a fraction of a second before the tier is
skipped.
"""

from __future__ import annotations

import logging
import struct
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..config import mask_url
from ..errors import CacheError
from .base import COUNTER_NAMES, Tier, checksum, new_token

if TYPE_CHECKING:
    import redis as redis_lib

logger = logging.getLogger(__name__)

#: Seconds to connect or wait for a reply; an outage must never stall a request.
SOCKET_TIMEOUT = 0.3
ENTRY_PREFIX = "iris:cache:"
LOCK_PREFIX = "iris:lock:"
RATE_PREFIX = "iris:rate:"
COUNTERS_KEY = "iris:counters"
MAGIC = b"IRC1"
_HEADER = struct.Struct(">4sId")  # magic, crc32, created (unix seconds)
#: Keys ``stats`` inspects at most, so it stays bounded on a huge shared Redis.
STATS_SCAN_LIMIT = 200_000

_UNLOCK_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""

_EXTEND_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""


class RedisTier(Tier):
    """Entries with a TTL (Redis expires them; its maxmemory policy bounds size)."""

    name = "redis"

    def __init__(self, url: str) -> None:
        self.url = url
        self._client: redis_lib.Redis | None = None
        self._unlock: Any = None
        self._extend: Any = None

    def get(self, key: str) -> bytes | None:
        """The value under ``key``; a corrupt envelope is deleted and missed."""
        with self._translate("read"):
            raw = self._redis().get(ENTRY_PREFIX + key)
            if raw is None:
                return None
            value = unwrap(raw) if isinstance(raw, bytes) else None
            if value is None:
                logger.warning("cache entry %s… failed its checksum; deleted", key[:12])
                self._redis().delete(ENTRY_PREFIX + key)
            return value

    def set(self, key: str, value: bytes, ttl: float) -> None:
        """One SET with an expiry: atomic on the server."""
        if ttl <= 0:
            return
        with self._translate("write"):
            self._redis().set(ENTRY_PREFIX + key, wrap(value), px=max(1, int(ttl * 1000)))

    def delete(self, key: str) -> None:
        """Remove ``key`` if present."""
        with self._translate("write"):
            self._redis().delete(ENTRY_PREFIX + key)

    def try_lock(self, key: str, ttl: float) -> str | None:
        """SET NX PX: acquired only when absent (expired locks are gone)."""
        token = new_token()
        with self._translate("lock"):
            acquired = self._redis().set(
                LOCK_PREFIX + key, token, nx=True, px=max(1, int(ttl * 1000))
            )
        return token if acquired else None

    def unlock(self, key: str, token: str) -> None:
        """Compare-and-delete in a Lua script, so only the owner releases."""
        with self._translate("unlock"):
            self._redis()
            self._unlock(keys=[LOCK_PREFIX + key], args=[token])

    def extend_lock(self, key: str, token: str, ttl: float) -> bool:
        """Compare-and-PEXPIRE in a Lua script, so only the owner renews."""
        with self._translate("lock"):
            self._redis()
            renewed = self._extend(keys=[LOCK_PREFIX + key], args=[token, max(1, int(ttl * 1000))])
        return bool(renewed)

    def incr(self, key: str, ttl: float) -> int:
        """SET NX EX then INCR, in one transaction: the window starts at the first hit."""
        with self._translate("write"):
            pipe = self._redis().pipeline(transaction=True)
            pipe.set(RATE_PREFIX + key, 0, nx=True, px=max(1, int(ttl * 1000)))
            pipe.incr(RATE_PREFIX + key)
            return int(pipe.execute()[1])

    def count(self, key: str) -> int:
        with self._translate("read"):
            value = self._redis().get(RATE_PREFIX + key)
        return int(value) if value is not None else 0

    def ping(self) -> None:
        """PING; raise ``CacheError`` when Redis is unreachable."""
        with self._translate("ping"):
            self._redis().ping()

    def stats(self) -> dict[str, Any]:
        """Entries, bytes and oldest entry (by scanning), and persisted counters."""
        entries = size = 0
        oldest: float | None = None
        truncated = False
        with self._translate("read"):
            client = self._redis()
            for batch in _batches(client.scan_iter(match=ENTRY_PREFIX + "*", count=1000), 500):
                pipe = client.pipeline(transaction=False)
                for name in batch:
                    pipe.strlen(name)
                    pipe.getrange(name, 0, _HEADER.size - 1)
                replies = pipe.execute()
                for length, header in zip(replies[::2], replies[1::2], strict=True):
                    if not length:
                        continue  # expired between SCAN and STRLEN
                    entries += 1
                    size += int(length)
                    created = _created(header)
                    if created is not None and (oldest is None or created < oldest):
                        oldest = created
                if entries >= STATS_SCAN_LIMIT:
                    truncated = True
                    break
            counters = client.hgetall(COUNTERS_KEY)
        return {
            "entries": entries,
            "bytes": size,
            "oldest_entry": _iso(oldest),
            "truncated": truncated,
            "counters": {name: int(counters.get(name.encode(), 0)) for name in COUNTER_NAMES},
            "url": mask_url(self.url),
        }

    def prune(self) -> dict[str, int]:
        """Nothing to do: Redis expires entries and locks itself."""
        return {"expired": 0, "evicted": 0}

    def clear(self) -> int:
        """Delete every IRIS entry, lock and counter (other keys are left alone)."""
        removed = 0
        with self._translate("write"):
            client = self._redis()
            for prefix in (ENTRY_PREFIX, LOCK_PREFIX, RATE_PREFIX):
                for batch in _batches(client.scan_iter(match=prefix + "*", count=1000), 500):
                    deleted = int(client.delete(*batch))
                    removed += deleted if prefix == ENTRY_PREFIX else 0
            client.delete(COUNTERS_KEY)
        return removed

    def add_counters(self, counts: Mapping[str, int]) -> None:
        """HINCRBY each counter delta in one pipeline."""
        rows = [(name, int(n)) for name, n in counts.items() if n and name in COUNTER_NAMES]
        if not rows:
            return
        with self._translate("write"):
            pipe = self._redis().pipeline(transaction=False)
            for name, n in rows:
                pipe.hincrby(COUNTERS_KEY, name, n)
            pipe.execute()

    def describe(self) -> str:
        """The URL without its password (user info or ``?password=``)."""
        return mask_url(self.url)

    def close(self) -> None:
        """Close the connection pool."""
        client, self._client = self._client, None
        if client is not None:
            try:
                client.close()
            except Exception:  # closing must not fail shutdown
                logger.debug("closing the Redis client failed", exc_info=True)

    def _redis(self) -> redis_lib.Redis:
        if self._client is None:
            # Imported here: only Redis deployments pay for redis-py.
            import redis as redis_lib
            from redis.backoff import NoBackoff
            from redis.retry import Retry

            client = redis_lib.Redis.from_url(
                self.url,
                socket_timeout=SOCKET_TIMEOUT,
                socket_connect_timeout=SOCKET_TIMEOUT,
                # One immediate retry covers a pooled connection Redis closed.
                retry=Retry(NoBackoff(), 1),
                health_check_interval=30,
            )
            self._unlock = client.register_script(_UNLOCK_SCRIPT)
            self._extend = client.register_script(_EXTEND_SCRIPT)
            self._client = client
        return self._client

    @contextmanager
    def _translate(self, action: str) -> Iterator[None]:
        import redis as redis_lib

        try:
            yield
        except (redis_lib.RedisError, OSError) as exc:
            # str(exc) from redis-py names host and port, never the password.
            raise CacheError(
                f"Redis cache {action} failed: {type(exc).__name__}: {exc}", transient=False
            ) from exc


def wrap(value: bytes) -> bytes:
    """The stored envelope: header (magic, CRC-32, creation time) then the value."""
    return _HEADER.pack(MAGIC, checksum(value), time.time()) + value


def unwrap(raw: bytes) -> bytes | None:
    """The value inside an envelope, or None if it is corrupt or foreign."""
    if len(raw) < _HEADER.size:
        return None
    magic, stored_sum, _ = _HEADER.unpack_from(raw)
    value = raw[_HEADER.size :]
    if magic != MAGIC or checksum(value) != stored_sum:
        return None
    return value


def _created(header: bytes) -> float | None:
    if len(header) < _HEADER.size:
        return None
    magic, _, created = _HEADER.unpack_from(header)
    return float(created) if magic == MAGIC else None


def _batches(names: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for name in names:
        batch.append(name)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")
