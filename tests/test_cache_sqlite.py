"""The SQLite shared tier, on a real file."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from fixtures_cache import FakeClock
from iris_codes.cache import sqlite as sqlite_module
from iris_codes.cache.sqlite import ACCESS_RESOLUTION, SqliteTier
from iris_codes.errors import CacheError

KEY = "ab" * 32
MakeTier = Callable[..., SqliteTier]


def test_stores_and_reads_back_bytes(make_sqlite_tier: MakeTier) -> None:
    tier = make_sqlite_tier()
    assert tier.get(KEY) is None
    tier.set(KEY, b'{"file_intent":"x"}', ttl=60)
    assert tier.get(KEY) == b'{"file_intent":"x"}'


def test_uses_wal_mode(make_sqlite_tier: MakeTier, sqlite_path: Path) -> None:
    make_sqlite_tier().set(KEY, b"v", ttl=60)
    with sqlite3.connect(sqlite_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_another_connection_sees_the_entry(make_sqlite_tier: MakeTier) -> None:
    make_sqlite_tier().set(KEY, b"shared", ttl=60)
    assert make_sqlite_tier().get(KEY) == b"shared"


def test_entry_expires_after_ttl(make_sqlite_tier: MakeTier, clock: FakeClock) -> None:
    tier = make_sqlite_tier()
    tier.set(KEY, b"v", ttl=30)
    clock.advance(29)
    assert tier.get(KEY) == b"v"
    clock.advance(2)
    assert tier.get(KEY) is None
    assert tier.stats()["entries"] == 0


def test_prune_removes_expired_entries_and_locks(
    make_sqlite_tier: MakeTier, clock: FakeClock
) -> None:
    tier = make_sqlite_tier()
    tier.set("old", b"v", ttl=10)
    tier.set("new", b"v", ttl=100)
    tier.try_lock("lock", ttl=5)
    clock.advance(50)
    assert tier.prune() == {"expired": 1, "evicted": 0}
    assert tier.get("new") == b"v"
    assert tier.try_lock("lock", ttl=5) is not None


def test_size_cap_evicts_least_recently_used(make_sqlite_tier: MakeTier, clock: FakeClock) -> None:
    tier = make_sqlite_tier(max_bytes=10_000)
    for index in range(8):
        tier.set(f"key{index}", b"x" * 1000, ttl=3600)
        clock.advance(ACCESS_RESOLUTION + 1)
    assert tier.get("key0") == b"x" * 1000  # recently used now: survives eviction
    for index in range(8, 12):
        tier.set(f"key{index}", b"x" * 1000, ttl=3600)
        clock.advance(ACCESS_RESOLUTION + 1)
    stats = tier.stats()
    assert stats["bytes"] <= 10_000
    assert tier.get("key0") is not None
    assert tier.get("key1") is None
    assert tier.get("key11") is not None


def test_byte_total_matches_the_rows(make_sqlite_tier: MakeTier, sqlite_path: Path) -> None:
    tier = make_sqlite_tier()
    tier.set("a", b"x" * 100, ttl=60)
    tier.set("a", b"x" * 10, ttl=60)
    tier.set("b", b"x" * 50, ttl=60)
    tier.delete("b")
    with sqlite3.connect(sqlite_path) as conn:
        real = conn.execute("SELECT SUM(size) FROM entries").fetchone()[0]
    assert tier.stats()["bytes"] == real == 11


def test_value_over_the_cap_is_not_stored(make_sqlite_tier: MakeTier) -> None:
    tier = make_sqlite_tier(max_bytes=100)
    tier.set(KEY, b"x" * 500, ttl=60)
    assert tier.get(KEY) is None


def test_corrupt_entry_is_a_miss_and_is_deleted(
    make_sqlite_tier: MakeTier, sqlite_path: Path
) -> None:
    tier = make_sqlite_tier()
    tier.set(KEY, b'{"file_intent":"x"}', ttl=60)
    with sqlite3.connect(sqlite_path) as conn:
        conn.execute("UPDATE entries SET value = ? WHERE key = ?", (b'{"file_int', KEY))
    assert tier.get(KEY) is None
    with sqlite3.connect(sqlite_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0] == 0


def test_non_blob_value_is_a_miss_and_is_deleted(
    make_sqlite_tier: MakeTier, sqlite_path: Path
) -> None:
    tier = make_sqlite_tier()
    tier.set(KEY, b"v", ttl=60)
    with sqlite3.connect(sqlite_path) as conn:
        conn.execute("UPDATE entries SET value = 'text' WHERE key = ?", (KEY,))
    assert tier.get(KEY) is None
    assert tier.stats()["entries"] == 0


def test_expired_lock_is_taken_over(make_sqlite_tier: MakeTier, clock: FakeClock) -> None:
    first, second = make_sqlite_tier(), make_sqlite_tier()
    stale = first.try_lock(KEY, ttl=5)
    clock.advance(6)
    fresh = second.try_lock(KEY, ttl=5)
    assert stale is not None
    assert fresh is not None
    first.unlock(KEY, stale)  # the dead holder's late unlock changes nothing
    assert first.try_lock(KEY, ttl=5) is None


def test_exactly_one_thread_gets_a_contended_lock(make_sqlite_tier: MakeTier) -> None:
    tiers = [make_sqlite_tier() for _ in range(8)]
    tiers[0].ping()
    won: list[str] = []
    barrier = threading.Barrier(len(tiers))

    def contend(tier: SqliteTier) -> None:
        barrier.wait()
        token = tier.try_lock(KEY, ttl=30)
        if token is not None:
            won.append(token)

    threads = [threading.Thread(target=contend, args=(tier,)) for tier in tiers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1


def test_many_threads_write_and_read_one_file(make_sqlite_tier: MakeTier) -> None:
    tier = make_sqlite_tier(max_bytes=1 << 30)

    def work(worker: int) -> int:
        for index in range(100):
            key = f"{worker}-{index}"
            tier.set(key, key.encode() * 20, ttl=60)
            assert tier.get(key) == key.encode() * 20
        return 100

    with ThreadPoolExecutor(8) as pool:  # map re-raises any worker's failure here
        assert sum(pool.map(work, range(8))) == 800
    assert tier.stats()["entries"] == 800


def test_counters_add_up_across_processes(make_sqlite_tier: MakeTier) -> None:
    first, second = make_sqlite_tier(), make_sqlite_tier()
    first.add_counters({"hits_memory": 3, "misses": 1})
    second.add_counters({"hits_memory": 2, "hits_shared": 4})
    counters = first.stats()["counters"]
    assert counters == {"hits_memory": 5, "hits_shared": 4, "misses": 1, "errors": 0}


def test_stats_report_entries_bytes_and_oldest(
    make_sqlite_tier: MakeTier, clock: FakeClock
) -> None:
    tier = make_sqlite_tier()
    assert tier.stats()["oldest_entry"] is None
    tier.set("a", b"12345", ttl=60)
    clock.advance(10)
    tier.set("b", b"12345", ttl=60)
    stats = tier.stats()
    assert (stats["entries"], stats["bytes"]) == (2, 12)
    assert stats["oldest_entry"] == "2027-01-15T08:00:00+00:00"


def test_clear_removes_everything(make_sqlite_tier: MakeTier) -> None:
    tier = make_sqlite_tier()
    for index in range(5):
        tier.set(f"k{index}", b"v", ttl=60)
    tier.add_counters({"misses": 4})
    assert tier.clear() == 5
    stats = tier.stats()
    assert (stats["entries"], stats["bytes"], stats["counters"]["misses"]) == (0, 0, 0)


def test_read_only_folder_raises_cache_error(read_only_dir: Path, clock: FakeClock) -> None:
    tier = SqliteTier(read_only_dir / "cache.sqlite3", 1 << 20, clock=clock)
    with pytest.raises(CacheError):
        tier.set(KEY, b"v", ttl=60)


def test_folder_that_cannot_be_created_raises_cache_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    tier = SqliteTier(blocker / "sub" / "cache.sqlite3", 1 << 20)
    with pytest.raises(CacheError):
        tier.get(KEY)


def test_full_database_raises_cache_error_then_recovers(
    make_sqlite_tier: MakeTier, monkeypatch: pytest.MonkeyPatch
) -> None:
    tier = make_sqlite_tier(max_bytes=1 << 30)
    tier.set("small", b"v", ttl=60)
    connect = SqliteTier._connect

    def connect_full(self: SqliteTier) -> sqlite3.Connection:
        conn = connect(self)
        conn.execute("PRAGMA max_page_count = 1")  # as full as a full disk
        return conn

    monkeypatch.setattr(SqliteTier, "_connect", connect_full)
    full = make_sqlite_tier(max_bytes=1 << 30)
    with pytest.raises(CacheError, match="full"):
        full.set("big", b"x" * 100_000, ttl=60)
    assert full.get("small") == b"v"


def test_busy_database_is_a_transient_error(
    make_sqlite_tier: MakeTier, sqlite_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_module, "BUSY_TIMEOUT", 0.05)
    tier = make_sqlite_tier()
    tier.ping()
    blocker = sqlite3.connect(sqlite_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(CacheError) as caught:
            tier.set(KEY, b"v", ttl=60)
        assert caught.value.details["transient"] is True
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    tier.set(KEY, b"v", ttl=60)
    assert tier.get(KEY) == b"v"


def test_file_that_is_not_a_database_is_set_aside(
    make_sqlite_tier: MakeTier, sqlite_path: Path
) -> None:
    sqlite_path.parent.mkdir(parents=True)
    sqlite_path.write_bytes(b"this is not an SQLite database, just garbage " * 100)
    tier = make_sqlite_tier()
    tier.set(KEY, b"v", ttl=60)
    assert tier.get(KEY) == b"v"
    kept = list(sqlite_path.parent.glob("cache.sqlite3.corrupt-*"))
    assert len(kept) == 1
    assert kept[0].read_bytes().startswith(b"this is not")
