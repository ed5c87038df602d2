"""``Cache``: the memory tier in front of a shared tier, which never fails a request."""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

from ..errors import CacheError
from .base import COUNTER_NAMES, Tier, hit_rate
from .memory import MemoryTier

logger = logging.getLogger(__name__)

#: Longest an entry stays in a process's memory tier, whatever the TTL, so a
#: `iris cache clear` or prune run elsewhere reaches every process within this time.
MEMORY_TTL_CAP = 3600.0
#: Seconds between flushes of this process's hit/miss counters to the shared tier.
COUNTER_FLUSH_INTERVAL = 60.0

Inc = Callable[..., None]


class Breaker:
    """Tracks whether the shared tier is down and when to probe it again.

    After a failure the tier is skipped for ``delay`` seconds (doubling up to
    ``max_delay``); when the delay ends, one caller probes while the others keep
    skipping, so an outage costs one timeout per window, not one per request.
    """

    def __init__(
        self,
        delay: float = 0.5,
        max_delay: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_delay = delay
        self.max_delay = max_delay
        self._clock = clock
        self._mutex = threading.Lock()
        self.down = False
        self.reason = ""
        self._delay = delay
        self._next_try = 0.0

    def allow(self) -> bool:
        """Whether to use the shared tier now."""
        if not self.down:
            return True
        with self._mutex:
            now = self._clock()
            if now < self._next_try:
                return False
            self._next_try = now + self._delay
            return True

    def failure(self, reason: str) -> bool:
        """Record a failure; True when the tier just went down."""
        with self._mutex:
            was_down = self.down
            if was_down:
                self._delay = min(self._delay * 2, self.max_delay)
            self.down = True
            self.reason = reason
            self._next_try = self._clock() + self._delay
            return not was_down

    def success(self) -> bool:
        """Record a success; True when the tier just recovered."""
        if not self.down:
            return False
        with self._mutex:
            recovered = self.down
            self.down = False
            self.reason = ""
            self._delay = self.base_delay
            return recovered


class Cache:
    """Memory tier first, then the shared tier (promoting hits).

    ``get`` and ``set`` never raise: shared-tier faults are logged once per outage,
    counted, and served from memory until a probe finds the tier back.
    Lock tokens start with ``s:`` (shared tier) or ``m:`` (this process only).
    """

    def __init__(
        self,
        memory: MemoryTier,
        shared: Tier | None,
        *,
        ttl: float,
        breaker: Breaker | None = None,
        inc: Inc | None = None,
        clock: Callable[[], float] = time.monotonic,
        volatile: str | None = None,
    ) -> None:
        self.memory = memory
        self.volatile = volatile
        self.shared = shared
        self.ttl = float(ttl)
        self.breaker = breaker or Breaker()
        self._inc = inc or _metrics_inc()
        self._clock = clock
        self._counts = dict.fromkeys(COUNTER_NAMES, 0)
        self._total = dict.fromkeys(COUNTER_NAMES, 0)
        self._counts_lock = threading.Lock()
        self._next_flush = clock() + COUNTER_FLUSH_INTERVAL
        self.tier = shared.name if shared else memory.name
        self._closed = False
        if shared is not None:
            self._call(shared.ping)
            # Gunicorn workers exit without closing the app: flush their last counts then.
            atexit.register(_flush_at_exit, weakref.ref(self))

    def get(self, key: str, *, count: bool = True) -> bytes | None:
        """The cached value, or None on a miss or any fault.

        ``count=False`` keeps a re-check (e.g. after taking the single-flight lock)
        out of the hit and miss counters, so one request counts once.
        """
        try:
            return self._get(key, count)
        except Exception:  # the contract: a cache fault is only ever a miss
            logger.exception("cache get failed unexpectedly")
            return None

    def set(self, key: str, value: bytes) -> None:
        """Store in both tiers; faults are logged and swallowed."""
        try:
            self.memory.set(key, value, min(self.ttl, MEMORY_TTL_CAP))
            if self.shared is not None and self.breaker.allow():
                self._call(self.shared.set, key, value, self.ttl)
        except Exception:
            logger.exception("cache set failed unexpectedly")

    def try_lock(self, key: str, ttl: float) -> str | None:
        """A token if this caller now holds ``key``'s lock (expiring after ``ttl``)."""
        if self.shared is not None and self.breaker.allow():
            ok, token = self._call(self.shared.try_lock, key, ttl)
            if ok:
                return None if token is None else "s:" + token
        token = self.memory.try_lock(key, ttl)
        return None if token is None else "m:" + token

    def unlock(self, key: str, token: str) -> None:
        """Release ``key``'s lock if ``token`` still owns it."""
        where, _, raw = token.partition(":")
        if where == "m":
            self.memory.unlock(key, raw)
        elif where == "s" and self.shared is not None:
            # Unlock even while the breaker is open: a stale lock only delays others.
            self._call(self.shared.unlock, key, raw)

    def extend_lock(self, key: str, token: str, ttl: float) -> bool:
        """Renew ``key``'s lock while ``token`` owns it; False when it is lost or unknown."""
        where, _, raw = token.partition(":")
        if where == "m":
            return self.memory.extend_lock(key, raw, ttl)
        if where == "s" and self.shared is not None and self.breaker.allow():
            ok, renewed = self._call(self.shared.extend_lock, key, raw, ttl)
            return bool(ok and renewed)
        return False

    def incr(self, key: str, ttl: float) -> int:
        """Bump a shared counter living ``ttl`` seconds; per-process while the tier is down."""
        if self.shared is not None and self.breaker.allow():
            ok, count = self._call(self.shared.incr, key, ttl)
            if ok:
                return int(count)
        return self.memory.incr(key, ttl)

    def count(self, key: str) -> int:
        """A counter's live count from the tier ``incr`` would use, without counting."""
        if self.shared is not None and self.breaker.allow():
            ok, count = self._call(self.shared.count, key)
            if ok:
                return int(count)
        return self.memory.count(key)

    def health(self, *, probe: bool = False) -> dict[str, Any]:
        """Which shared tier, whether it is up, and why not.

        No I/O unless ``probe``: then a shared tier believed up is pinged, so a worker that
        has not touched it since it failed still reports the truth.
        """
        if probe and self.shared is not None and not self.breaker.down:
            self._call(self.shared.ping)
        report = self._health()
        if self.volatile:
            report.update(persistent=False, warning=self.volatile)
        return report

    def _health(self) -> dict[str, Any]:
        if self.shared is None:
            return {"tier": "memory", "ok": True, "note": "memory only; not shared or persisted"}
        if self.breaker.down:
            note = f"{self.tier} unavailable, serving from memory: {self.breaker.reason}"
            return {"tier": self.tier, "ok": False, "note": note}
        return {"tier": self.tier, "ok": True, "note": self.shared.describe()}

    def stats(self) -> dict[str, Any]:
        """Entries, bytes, hit rate per tier and oldest entry, over every process."""
        with self._counts_lock:
            local = dict(self._counts)
            process = dict(self._total)
        result: dict[str, Any] = {"tier": self.tier, **self.health()}
        persisted = dict.fromkeys(COUNTER_NAMES, 0)
        if self.shared is not None:
            ok, shared_stats = self._call(self.shared.stats)
            if ok and shared_stats is not None:
                persisted = shared_stats.pop("counters", persisted)
                result["shared"] = shared_stats
        result["memory"] = self.memory.stats()
        totals = {name: persisted.get(name, 0) + local[name] for name in COUNTER_NAMES}
        result["all_processes"] = _rates(totals)
        result["this_process"] = _rates(process)
        return result

    def prune(self) -> dict[str, int]:
        """Prune both tiers."""
        result = self.memory.prune()
        if self.shared is not None:
            ok, shared = self._call(self.shared.prune)
            if ok and shared is not None:
                result = shared
        return result

    def clear(self) -> int:
        """Empty both tiers."""
        removed = self.memory.clear()
        if self.shared is not None:
            ok, count = self._call(self.shared.clear)
            removed = count if ok and count is not None else removed
        return removed

    def close(self) -> None:
        """Flush counters and close the shared tier."""
        if self.shared is None or self._closed:
            return
        self._flush_counters()
        self._closed = True
        try:
            self.shared.close()
        except Exception:
            logger.exception("closing the cache failed")

    # -- internals -------------------------------------------------------------

    def _get(self, key: str, count: bool) -> bytes | None:
        value = self.memory.get(key)
        if value is not None:
            if count:
                self._count("hits_memory", "cache_hits_total", tier=self.memory.name)
            return value
        if self.shared is not None and self.breaker.allow():
            ok, found = self._call(self.shared.get, key)
            if ok and isinstance(found, bytes):
                value = found
                self.memory.set(key, value, min(self.ttl, MEMORY_TTL_CAP))
                if count:
                    self._count("hits_shared", "cache_hits_total", tier=self.shared.name)
                return value
        if count:
            self._count("misses", "cache_misses_total")
        return None

    def _call(self, method: Callable[..., Any], *args: Any) -> tuple[bool, Any]:
        """Run a shared-tier method; (True, result) or (False, None) after a fault."""
        assert self.shared is not None
        try:
            result = method(*args)
        except CacheError as exc:
            self._fault(exc)
            return False, None
        if self.breaker.down and self.breaker.success():
            logger.warning("cache tier %s is back", self.tier)
        return True, result

    def _fault(self, exc: CacheError) -> None:
        self._count("errors", "cache_errors_total", tier=self.tier)
        if exc.details.get("transient"):
            logger.debug("cache tier %s busy: %s", self.tier, exc)
            return
        if self.breaker.failure(str(exc)):
            logger.warning(
                "cache tier %s unavailable, serving from memory until it returns: %s",
                self.tier,
                exc,
            )

    def _count(self, counter: str, metric: str, **labels: str) -> None:
        with self._counts_lock:
            self._counts[counter] += 1
            self._total[counter] += 1
        try:
            self._inc(metric, **labels)
        except Exception:
            logger.debug("metrics.inc failed", exc_info=True)
        if self._clock() >= self._next_flush:
            self._flush_counters()

    def _flush_counters(self) -> None:
        with self._counts_lock:
            self._next_flush = self._clock() + COUNTER_FLUSH_INTERVAL
            deltas, self._counts = self._counts, dict.fromkeys(COUNTER_NAMES, 0)
        if self.shared is None or not any(deltas.values()) or self.breaker.down:
            return
        ok, _ = self._call(self.shared.add_counters, deltas)
        if not ok:
            with self._counts_lock:
                for name, n in deltas.items():
                    self._counts[name] += n


def _flush_at_exit(ref: weakref.ref[Cache]) -> None:
    cache = ref()
    if cache is not None and not cache._closed:
        cache._flush_counters()


def _rates(counts: dict[str, int]) -> dict[str, Any]:
    hits = counts["hits_memory"] + counts["hits_shared"]
    return {
        "hits": {"memory": counts["hits_memory"], "shared": counts["hits_shared"]},
        "misses": counts["misses"],
        "errors": counts["errors"],
        "hit_rate": hit_rate(hits, counts["misses"]),
        "memory_hit_rate": hit_rate(
            counts["hits_memory"], hits - counts["hits_memory"] + counts["misses"]
        ),
    }


def _metrics_inc() -> Inc:
    try:
        from ..metrics import inc
    except ImportError:  # metrics arrive with the service; until then, count nothing
        return _no_inc
    return inc


def _no_inc(name: str, amount: float = 1.0, **labels: str) -> None:
    """Discard a metric."""
