"""The Redis shared tier, on a real Redis (IRIS_TEST_REDIS_URL or a redis-server we start)."""

from __future__ import annotations

import logging
import time

import pytest
import redis

from fixtures_cache import FakeClock, RedisServer
from iris_codes.cache import Breaker, Cache, open_cache
from iris_codes.cache.memory import MemoryTier
from iris_codes.cache.redis import ENTRY_PREFIX, LOCK_PREFIX, RedisTier, unwrap, wrap
from iris_codes.config import Settings, mask_url
from iris_codes.errors import CacheError

KEY = "ef" * 32


def test_stores_and_reads_back_bytes_with_the_ttl(redis_url: str) -> None:
    tier = RedisTier(redis_url)
    assert tier.get(KEY) is None
    tier.set(KEY, b'{"file_intent":"x"}', ttl=30)
    assert tier.get(KEY) == b'{"file_intent":"x"}'
    remaining = redis.Redis.from_url(redis_url).pttl(ENTRY_PREFIX + KEY)
    assert 0 < remaining <= 30_000
    tier.close()


def test_two_caches_share_entries(redis_url: str) -> None:
    settings = Settings(cache_url=redis_url)
    first, second = open_cache(settings), open_cache(settings)
    first.set(KEY, b"analysed by the first instance")
    assert second.get(KEY) == b"analysed by the first instance"
    assert second.health() == {"tier": "redis", "ok": True, "note": redis_url}
    first.close()
    second.close()


def test_corrupt_entry_is_a_miss_and_is_deleted(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    tier = RedisTier(redis_url)
    tier.set(KEY, b"value", ttl=60)
    raw = client.get(ENTRY_PREFIX + KEY)
    assert raw is not None
    client.set(ENTRY_PREFIX + KEY, raw[:-2] + b"XY")
    assert tier.get(KEY) is None
    assert client.exists(ENTRY_PREFIX + KEY) == 0
    client.set(ENTRY_PREFIX + KEY, b"short")
    assert tier.get(KEY) is None
    tier.close()


def test_envelope_round_trips_and_rejects_foreign_values() -> None:
    assert unwrap(wrap(b"abc")) == b"abc"
    assert unwrap(wrap(b"")) == b""
    assert unwrap(b"not an envelope at all") is None


def test_expired_lock_frees_it_for_others(redis_url: str) -> None:
    tier = RedisTier(redis_url)
    stale = tier.try_lock(KEY, ttl=0.05)
    assert stale is not None
    client = redis.Redis.from_url(redis_url)
    while client.exists(LOCK_PREFIX + KEY):  # Redis expires it; wait, no threshold
        time.sleep(0.01)
    fresh = tier.try_lock(KEY, ttl=10)
    assert fresh is not None
    tier.unlock(KEY, stale)  # the dead holder's late unlock must not free it
    assert tier.try_lock(KEY, ttl=10) is None
    tier.close()


def test_stats_clear_and_counters(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    client.set("not-ours", b"x")
    tier = RedisTier(redis_url)
    for index in range(3):
        tier.set(f"k{index}", b"12345", ttl=60)
    tier.add_counters({"hits_shared": 2, "misses": 1})
    stats = tier.stats()
    assert stats["entries"] == 3
    assert stats["bytes"] == 3 * (16 + 5)
    assert stats["oldest_entry"] is not None
    assert stats["counters"] == {"hits_memory": 0, "hits_shared": 2, "misses": 1, "errors": 0}
    assert tier.clear() == 3
    assert tier.stats()["entries"] == 0
    assert client.get("not-ours") == b"x"  # other applications' keys are left alone
    tier.close()


def test_the_url_masker_hides_the_password() -> None:
    assert mask_url("redis://:s3cret@cache:6379/0") == "redis://:***@cache:6379/0"
    assert mask_url("redis://user:s3cret@cache:6379/0") == "redis://user:***@cache:6379/0"
    assert mask_url("redis://cache:6379/0") == "redis://cache:6379/0"
    assert mask_url("redis://cache:6379/0?password=s3cret") == "redis://cache:6379/0?password=***"


def test_unreachable_redis_raises_cache_error_without_the_password() -> None:
    tier = RedisTier("redis://:s3cret@127.0.0.1:1/0")
    with pytest.raises(CacheError) as caught:
        tier.get(KEY)
    assert "s3cret" not in str(caught.value)
    assert "s3cret" not in tier.describe()


def test_outage_never_logs_the_password(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        cache = open_cache(Settings(cache_url="redis://:s3cret@127.0.0.1:1/0"))
        cache.set(KEY, b"v")
        assert cache.get(KEY) == b"v"
    assert cache.health()["ok"] is False
    assert "s3cret" not in caplog.text
    assert "s3cret" not in str(cache.health())


def test_redis_down_serves_from_memory_then_recovers(redis_server: RedisServer) -> None:
    clock = FakeClock()
    cache = Cache(
        MemoryTier(100, 1 << 20),
        RedisTier(redis_server.url),
        ttl=3600,
        breaker=Breaker(delay=1.0, max_delay=4.0, clock=clock),
        clock=clock,
    )
    cache.set("before", b"1")
    assert cache.health()["ok"] is True

    redis_server.kill()
    cache.set("during", b"2")
    assert cache.get("during") == b"2"  # memory tier keeps serving
    assert cache.get("before") == b"1"
    assert cache.get("unknown") is None
    assert cache.health()["ok"] is False
    token = cache.try_lock("k", ttl=5)
    assert token is not None
    assert token.startswith("m:")  # per-process lock while Redis is away
    cache.unlock("k", token)

    redis_server.start()  # same port, empty (no persistence)
    clock.advance(5)
    assert cache.get("unknown") is None  # the probe finds Redis back
    assert cache.health()["ok"] is True
    cache.set("after", b"3")
    assert RedisTier(redis_server.url).get("after") == b"3"
    cache.close()
