"""Windowed counters (``incr``) in every tier: what rate limits count with."""

from __future__ import annotations

from collections.abc import Callable

from fixtures_cache import FakeClock
from iris_codes.cache.memory import MemoryTier
from iris_codes.cache.redis import RedisTier
from iris_codes.cache.sqlite import SqliteTier
from iris_codes.cache.tiered import Cache


def test_memory_counter_counts_then_restarts_after_its_window(clock: FakeClock) -> None:
    tier = MemoryTier(10, 10_000, clock=clock)
    assert [tier.incr("c", 60) for _ in range(3)] == [1, 2, 3]
    clock.advance(61)
    assert tier.incr("c", 60) == 1


def test_sqlite_counter_is_shared_by_connections_and_expires(
    make_sqlite_tier: Callable[..., SqliteTier], clock: FakeClock
) -> None:
    first, second = make_sqlite_tier(), make_sqlite_tier()  # two processes' views of one file
    assert first.incr("c", 60) == 1
    assert second.incr("c", 60) == 2
    assert first.incr("other", 60) == 1
    clock.advance(61)
    assert second.incr("c", 60) == 1
    first.prune()
    assert first.incr("c", 60) == 2


def test_redis_counter_is_shared_by_clients(redis_url: str) -> None:
    first, second = RedisTier(redis_url), RedisTier(redis_url)
    try:
        assert first.incr("c", 60) == 1
        assert second.incr("c", 60) == 2
        first.clear()
        assert second.incr("c", 60) == 1
    finally:
        first.close()
        second.close()


def test_cache_counts_in_memory_while_the_shared_tier_is_down(clock: FakeClock) -> None:
    class Down(MemoryTier):
        def incr(self, key: str, ttl: float) -> int:
            from iris_codes.errors import CacheError

            raise CacheError("down")

    cache = Cache(MemoryTier(10, 10_000), Down(10, 10_000), ttl=60, inc=lambda *a, **k: None)
    assert [cache.incr("c", 60) for _ in range(2)] == [1, 2]
    assert cache.health()["ok"] is False
