"""The shared-tier contract, checked the same way on SQLite, Redis and DynamoDB."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from fixtures_cache import FakeClock
from iris_codes.cache.base import Tier
from iris_codes.cache.dynamodb import DynamoDBTier
from iris_codes.cache.memory import MemoryTier
from iris_codes.cache.redis import RedisTier
from iris_codes.cache.sqlite import SqliteTier
from iris_codes.cache.tiered import Cache

KEY = "a" * 64


@pytest.fixture(params=["sqlite", "redis", "dynamodb", "dynamodb-boto3"])
def two_views(request: pytest.FixtureRequest) -> Iterator[tuple[Tier, Tier]]:
    """Two tiers over one shared store, as two processes or instances see it."""
    if request.param == "sqlite":
        make: Callable[..., SqliteTier] = request.getfixturevalue("make_sqlite_tier")
        yield make(), make()
        return
    if request.param.startswith("dynamodb"):
        # IRIS's own HTTP client (the environment holds credentials), then boto3's.
        table_url: str = request.getfixturevalue("dynamodb_url")
        table_url += "&client=boto3" if request.param == "dynamodb-boto3" else ""
        views = DynamoDBTier.from_url(table_url), DynamoDBTier.from_url(table_url)
        yield views
        for view in views:
            view.close()
        return
    url: str = request.getfixturevalue("redis_url")
    first, second = RedisTier(url), RedisTier(url)
    yield first, second
    first.close()
    second.close()


def test_second_lock_fails_and_wrong_token_does_not_unlock(two_views: tuple[Tier, Tier]) -> None:
    first, second = two_views
    token = first.try_lock(KEY, ttl=10)
    assert token is not None
    assert second.try_lock(KEY, ttl=10) is None
    second.unlock(KEY, "someone-else")
    assert second.try_lock(KEY, ttl=10) is None
    first.unlock(KEY, token)
    assert second.try_lock(KEY, ttl=10) is not None


def test_counter_is_shared_by_both_views(two_views: tuple[Tier, Tier]) -> None:
    first, second = two_views
    assert first.incr("c", 60) == 1
    assert second.incr("c", 60) == 2
    assert first.incr("other", 60) == 1
    first.clear()
    assert second.incr("c", 60) == 1  # clear drops counters too


def test_a_counter_is_read_without_being_counted(two_views: tuple[Tier, Tier]) -> None:
    first, second = two_views
    assert second.count("c") == 0
    first.incr("c", 60)
    first.incr("c", 60)
    assert (second.count("c"), second.count("c"), first.count("c")) == (2, 2, 2)
    assert second.incr("c", 60) == 3


def test_entries_are_shared_and_deleted_for_both_views(two_views: tuple[Tier, Tier]) -> None:
    first, second = two_views
    assert second.get(KEY) is None
    first.set(KEY, b"\x00 binary \xff value", ttl=60)
    assert second.get(KEY) == b"\x00 binary \xff value"
    second.delete(KEY)
    assert first.get(KEY) is None
    first.set(KEY, b"kept", ttl=0)  # a zero TTL stores nothing
    assert second.get(KEY) is None


def test_stats_prune_and_clear_see_both_views(two_views: tuple[Tier, Tier]) -> None:
    first, second = two_views
    for index in range(3):
        first.set(f"{index}" * 64, b"12345", ttl=60)
    first.add_counters({"hits_shared": 2, "misses": 1})
    second.add_counters({"misses": 1})
    stats = second.stats()
    assert stats["entries"] == 3
    assert stats["oldest_entry"] is not None
    assert stats["counters"] == {"hits_memory": 0, "hits_shared": 2, "misses": 2, "errors": 0}
    assert second.prune()["expired"] == 0
    assert second.clear() == 3
    assert first.stats()["entries"] == 0


def test_memory_counter_counts_then_restarts_after_its_window(clock: FakeClock) -> None:
    tier = MemoryTier(10, 10_000, clock=clock)
    assert [tier.incr("c", 60) for _ in range(3)] == [1, 2, 3]
    assert tier.count("c") == 3
    clock.advance(61)
    assert tier.count("c") == 0
    assert tier.incr("c", 60) == 1


def test_sqlite_counter_restarts_after_its_window_and_survives_prune(
    make_sqlite_tier: Callable[..., SqliteTier], clock: FakeClock
) -> None:
    first, second = make_sqlite_tier(), make_sqlite_tier()  # two processes' views of one file
    assert first.incr("c", 60) == 1
    assert second.incr("c", 60) == 2
    clock.advance(61)
    assert first.count("c") == 0  # expired: read as a new window
    assert second.incr("c", 60) == 1
    first.prune()
    assert first.incr("c", 60) == 2


def test_cache_counts_in_memory_while_the_shared_tier_is_down(clock: FakeClock) -> None:
    class Down(MemoryTier):
        def incr(self, key: str, ttl: float) -> int:
            from iris_codes.errors import CacheError

            raise CacheError("down")

    cache = Cache(MemoryTier(10, 10_000), Down(10, 10_000), ttl=60, inc=lambda *a, **k: None)
    assert [cache.incr("c", 60) for _ in range(2)] == [1, 2]
    assert cache.health()["ok"] is False


def test_only_the_owner_extends_a_lock(two_views: tuple[Tier, Tier]) -> None:
    first, second = two_views
    token = first.try_lock(KEY, ttl=0.5)
    assert token is not None
    assert not second.extend_lock(KEY, "someone-else", 10)
    assert first.extend_lock(KEY, token, 10)
    time.sleep(0.7)  # past the first ttl: only the renewal keeps it held
    assert second.try_lock(KEY, ttl=10) is None
    first.unlock(KEY, token)
    assert not first.extend_lock(KEY, token, 10), "a released lock is not renewed"
