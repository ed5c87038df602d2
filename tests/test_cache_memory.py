"""The in-process LRU tier."""

from __future__ import annotations

import threading

from fixtures_cache import FakeClock
from iris_codes.cache.memory import MemoryTier


def test_keeps_at_most_max_entries_dropping_least_recently_used(clock: FakeClock) -> None:
    tier = MemoryTier(max_entries=3, max_bytes=1 << 20, clock=clock)
    for key in "abc":
        tier.set(key, b"v" + key.encode(), ttl=60)
    assert tier.get("a") == b"va"  # a is now the most recently used
    tier.set("d", b"vd", ttl=60)
    assert tier.get("b") is None
    assert [tier.get(k) for k in "acd"] == [b"va", b"vc", b"vd"]
    assert tier.stats()["entries"] == 3


def test_keeps_at_most_max_bytes(clock: FakeClock) -> None:
    tier = MemoryTier(max_entries=100, max_bytes=100, clock=clock)
    for index in range(10):
        tier.set(f"k{index}", b"x" * 30, ttl=60)
    stats = tier.stats()
    assert stats["bytes"] <= 100
    assert stats["entries"] == 3
    assert tier.get("k9") == b"x" * 30
    assert tier.get("k0") is None


def test_value_larger_than_the_byte_bound_is_not_kept(clock: FakeClock) -> None:
    tier = MemoryTier(max_entries=10, max_bytes=10, clock=clock)
    tier.set("k", b"x" * 50, ttl=60)
    assert tier.get("k") is None
    assert tier.stats()["bytes"] == 0


def test_replacing_a_key_counts_its_bytes_once(clock: FakeClock) -> None:
    tier = MemoryTier(max_entries=10, max_bytes=1000, clock=clock)
    tier.set("k", b"x" * 100, ttl=60)
    tier.set("k", b"y" * 10, ttl=60)
    assert tier.stats() == {"entries": 1, "bytes": 11, "max_entries": 10, "max_bytes": 1000}


def test_entry_expires_after_its_ttl(clock: FakeClock) -> None:
    tier = MemoryTier(max_entries=10, max_bytes=1000, clock=clock)
    tier.set("k", b"v", ttl=10)
    clock.advance(9.9)
    assert tier.get("k") == b"v"
    clock.advance(0.2)
    assert tier.get("k") is None
    assert tier.stats()["entries"] == 0


def test_second_lock_fails_until_released_with_the_right_token(clock: FakeClock) -> None:
    tier = MemoryTier(max_entries=10, max_bytes=1000, clock=clock)
    token = tier.try_lock("k", ttl=5)
    assert token is not None
    assert tier.try_lock("k", ttl=5) is None
    tier.unlock("k", "not-the-token")
    assert tier.try_lock("k", ttl=5) is None
    tier.unlock("k", token)
    assert tier.try_lock("k", ttl=5) is not None


def test_lock_expiry_frees_it_for_others(clock: FakeClock) -> None:
    tier = MemoryTier(max_entries=10, max_bytes=1000, clock=clock)
    stale = tier.try_lock("k", ttl=5)
    clock.advance(5.1)
    fresh = tier.try_lock("k", ttl=5)
    assert fresh is not None
    tier.unlock("k", stale or "")  # the dead holder's late unlock must not free it
    assert tier.try_lock("k", ttl=5) is None


def test_bounds_hold_under_concurrent_writers() -> None:
    tier = MemoryTier(max_entries=50, max_bytes=2000)

    def write(worker: int) -> None:
        for index in range(500):
            tier.set(f"{worker}-{index}", b"x" * (index % 40), ttl=60)
            tier.get(f"{worker}-{index - 3}")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats = tier.stats()
    assert stats["entries"] <= 50
    assert stats["bytes"] <= 2000
    held = sum(len(k) + len(v) for k, (v, _) in tier._data.items())
    assert held == stats["bytes"]
