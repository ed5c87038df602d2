"""``Cache``: memory in front of a shared tier, degrading instead of failing."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from fixtures_cache import FakeClock
from iris_codes.cache import Breaker, Cache, open_cache
from iris_codes.cache.memory import MemoryTier
from iris_codes.config import Settings
from iris_codes.errors import CacheError, ConfigError

KEY = "cd" * 32


class FlakyTier(MemoryTier):
    """A shared tier (in memory) that fails every call while ``down`` is set."""

    name = "flaky"

    def __init__(self) -> None:
        super().__init__(max_entries=1000, max_bytes=1 << 20)
        self.down = False
        self.calls = 0

    def _check(self) -> None:
        self.calls += 1
        if self.down:
            raise CacheError("flaky tier is down", transient=False)

    def get(self, key: str) -> bytes | None:
        self._check()
        return super().get(key)

    def set(self, key: str, value: bytes, ttl: float) -> None:
        self._check()
        super().set(key, value, ttl)

    def try_lock(self, key: str, ttl: float) -> str | None:
        self._check()
        return super().try_lock(key, ttl)

    def unlock(self, key: str, token: str) -> None:
        self._check()
        super().unlock(key, token)

    def ping(self) -> None:
        self._check()


class Metrics:
    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, str]]] = []

    def __call__(self, name: str, amount: float = 1.0, **labels: str) -> None:
        self.seen.append((name, labels))


def make_cache(shared: Any, clock: FakeClock, metrics: Metrics | None = None) -> Cache:
    memory = MemoryTier(max_entries=100, max_bytes=1 << 20)
    breaker = Breaker(delay=1.0, max_delay=4.0, clock=clock)
    return Cache(memory, shared, ttl=3600, breaker=breaker, inc=metrics or Metrics(), clock=clock)


def test_hit_in_shared_tier_is_promoted_to_memory(clock: FakeClock) -> None:
    shared = FlakyTier()
    shared.set(KEY, b"v", ttl=60)
    cache = make_cache(shared, clock)
    assert cache.get(KEY) == b"v"
    calls = shared.calls
    assert cache.get(KEY) == b"v"
    assert shared.calls == calls  # served by memory


def test_counts_hits_per_tier_and_misses(clock: FakeClock) -> None:
    shared = FlakyTier()
    shared.set(KEY, b"v", ttl=60)
    metrics = Metrics()
    cache = make_cache(shared, clock, metrics)
    cache.get(KEY)
    cache.get(KEY)
    cache.get("missing")
    assert metrics.seen == [
        ("cache_hits_total", {"tier": "flaky"}),
        ("cache_hits_total", {"tier": "memory"}),
        ("cache_misses_total", {}),
    ]
    rates = cache.stats()["this_process"]
    assert rates["hits"] == {"memory": 1, "shared": 1}
    assert rates["misses"] == 1
    assert rates["hit_rate"] == pytest.approx(0.6667)


def test_outage_degrades_to_memory_then_recovers(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    shared = FlakyTier()
    cache = make_cache(shared, clock)
    calls_before = shared.calls
    shared.down = True
    with caplog.at_level(logging.WARNING, logger="iris_codes.cache"):
        cache.set(KEY, b"v")
        for _ in range(50):
            assert cache.get(KEY) == b"v"
            assert cache.get("other") is None
    assert cache.health()["ok"] is False
    assert "serving from memory" in cache.health()["note"]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1  # logged once per outage, not per request
    assert shared.calls == calls_before + 1  # skipped while the breaker is open

    shared.down = False
    clock.advance(1.5)
    assert cache.get("other") is None  # the probe reaches the tier again
    assert cache.health()["ok"] is True
    cache.set("new", b"n")
    assert shared.get("new") == b"n"


def test_back_off_doubles_while_the_tier_stays_down(clock: FakeClock) -> None:
    shared = FlakyTier()
    shared.down = True
    cache = make_cache(shared, clock)  # the start-up ping fails
    probes = []
    for _ in range(48):
        clock.advance(0.25)
        before = shared.calls
        cache.get(KEY)
        if shared.calls > before:
            probes.append(round(clock.now - 1_800_000_000.0, 1))
    assert probes == [1.0, 3.0, 7.0, 11.0]


def test_get_and_set_never_raise_even_on_unexpected_errors(clock: FakeClock) -> None:
    class Broken(FlakyTier):
        def get(self, key: str) -> bytes | None:
            raise RuntimeError("bug")

        def set(self, key: str, value: bytes, ttl: float) -> None:
            raise RuntimeError("bug")

    cache = make_cache(Broken(), clock)
    cache.set(KEY, b"v")
    cache.memory.clear()
    assert cache.get(KEY) is None


def test_lock_falls_back_to_this_process_when_the_tier_is_down(clock: FakeClock) -> None:
    shared = FlakyTier()
    cache = make_cache(shared, clock)
    shared_token = cache.try_lock(KEY, ttl=10)
    assert shared_token is not None
    assert shared_token.startswith("s:")
    assert cache.try_lock(KEY, ttl=10) is None
    cache.unlock(KEY, shared_token)
    shared.down = True
    local = cache.try_lock("other", ttl=10)
    assert local is not None
    assert local.startswith("m:")
    assert cache.try_lock("other", ttl=10) is None
    cache.unlock("other", local)
    assert cache.try_lock("other", ttl=10) is not None


def test_memory_only_cache_is_healthy(tmp_path: Path) -> None:
    cache = open_cache(Settings(cache_dir=str(tmp_path), cache_url="memory://"))
    cache.set(KEY, b"v")
    assert cache.get(KEY) == b"v"
    assert cache.health() == {
        "tier": "memory",
        "ok": True,
        "note": "memory only; not shared or persisted",
    }


def test_default_is_sqlite_file_in_the_cache_dir(tmp_path: Path) -> None:
    cache = open_cache(Settings(cache_dir=str(tmp_path / "made-here")))
    cache.set(KEY, b"v")
    cache.close()
    assert (tmp_path / "made-here" / "cache.sqlite3").exists()
    again = open_cache(Settings(cache_dir=str(tmp_path / "made-here")))
    assert again.get(KEY) == b"v"
    assert again.health()["tier"] == "sqlite"
    again.close()


def test_sqlite_url_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere" / "c.db"
    cache = open_cache(Settings(cache_dir=str(tmp_path), cache_url=f"sqlite:///{path}"))
    cache.set(KEY, b"v")
    cache.close()
    assert path.exists()


@pytest.mark.parametrize("url", ["ftp://x", "sqlite:relative.db", "sqlite://relative.db"])
def test_unsupported_cache_url_is_a_config_error(url: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        open_cache(Settings(cache_dir=str(tmp_path), cache_url=url))


def test_read_only_cache_folder_degrades_to_memory(
    read_only_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="iris_codes.cache"):
        cache = open_cache(Settings(cache_dir=str(read_only_dir / "cache")))
        for _ in range(20):
            cache.set(KEY, b"v")
            assert cache.get(KEY) == b"v"
    health = cache.health()
    assert health["tier"] == "sqlite"
    assert health["ok"] is False
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1
    cache.close()


def test_counters_are_flushed_to_the_shared_tier(tmp_path: Path) -> None:
    settings = Settings(cache_dir=str(tmp_path))
    first = open_cache(settings)
    first.set(KEY, b"v")
    first.get(KEY)
    first.get("missing")
    first.close()
    second = open_cache(settings)
    second.get(KEY)  # a shared-tier hit in a fresh process
    stats = second.stats()
    assert stats["all_processes"]["hits"] == {"memory": 1, "shared": 1}
    assert stats["all_processes"]["misses"] == 1
    assert stats["shared"]["entries"] == 1
    second.close()


def test_recheck_without_counting_leaves_counters_alone(clock: FakeClock) -> None:
    metrics = Metrics()
    cache = make_cache(FlakyTier(), clock, metrics)
    assert cache.get(KEY) is None
    assert cache.get(KEY, count=False) is None
    cache.set(KEY, b"v")
    assert cache.get(KEY, count=False) == b"v"
    assert metrics.seen == [("cache_misses_total", {})]
    assert cache.stats()["this_process"]["misses"] == 1
