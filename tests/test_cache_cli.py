"""``iris cache init | stats | prune | clear``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from iris_codes.cache import open_cache
from iris_codes.cli import main
from iris_codes.config import Settings


def fill(cache_dir: Path, count: int) -> None:
    cache = open_cache(Settings(cache_dir=str(cache_dir)))
    for index in range(count):
        cache.set(f"{index:064x}", b'{"file_intent":"x"}')
    cache.get(f"{0:064x}")
    cache.get("f" * 64)
    cache.close()


def run(*args: str) -> dict[str, object]:
    result = CliRunner().invoke(main, ["cache", *args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report: dict[str, object] = json.loads(result.output)
    return report


def test_stats_shows_entries_bytes_oldest_and_hit_rate(tmp_path: Path) -> None:
    fill(tmp_path / "iris-cache", 3)
    report = run("stats")
    assert report["tier"] == "sqlite"
    assert report["entries"] == 3
    assert report["bytes"] == 3 * (64 + 19)
    assert report["oldest_entry"] is not None
    assert report["hits"] == {"memory": 1, "sqlite": 0}
    assert report["misses"] == 1
    assert report["hit_rate"] == 0.5


def test_stats_rates_each_tier_over_the_lookups_that_reached_it(tmp_path: Path) -> None:
    fill(tmp_path / "iris-cache", 3)  # 1 memory hit, 1 miss
    reader = open_cache(Settings(cache_dir=str(tmp_path / "iris-cache")))  # a fresh process
    reader.get(f"{0:064x}")  # from SQLite, then kept in memory
    reader.get(f"{0:064x}")  # from memory
    reader.get(f"{1:064x}")  # from SQLite
    reader.close()
    report = run("stats")
    assert report["hits"] == {"memory": 2, "sqlite": 2}
    assert report["misses"] == 1
    assert report["hit_rate"] == 0.8  # 4 of 5 lookups
    # Memory answered 2 of 5; SQLite saw the 3 memory missed and answered 2 of them.
    assert report["hit_rate_by_tier"] == {"memory": 0.4, "sqlite": 0.6667}


def test_prune_reports_what_it_removed(tmp_path: Path) -> None:
    fill(tmp_path / "iris-cache", 2)
    assert run("prune") == {
        "tier": "sqlite",
        "location": f"sqlite://{tmp_path / 'iris-cache' / 'cache.sqlite3'}",
        "expired": 0,
        "evicted": 0,
    }


def test_clear_empties_the_cache(tmp_path: Path) -> None:
    fill(tmp_path / "iris-cache", 4)
    assert run("clear", "--yes")["removed"] == 4
    assert run("stats")["entries"] == 0


def test_clear_asks_first() -> None:
    result = CliRunner().invoke(main, ["cache", "clear"], input="n\n")
    assert result.exit_code == 1
    assert "Aborted" in result.output


def test_unreachable_redis_is_one_clean_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IRIS_CACHE_URL", "redis://:s3cret@127.0.0.1:1/0")
    result = CliRunner().invoke(main, ["cache", "stats"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: Redis cache ping failed")
    assert "s3cret" not in result.output
    assert "Traceback" not in result.output


def test_init_creates_the_sqlite_file_and_memory_has_nothing_to_create(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = run("init")
    assert report["tier"] == "sqlite"
    assert report["created"] is False  # SQLite makes its schema on first use anyway
    assert (tmp_path / "iris-cache" / "cache.sqlite3").exists()
    monkeypatch.setenv("IRIS_CACHE_URL", "memory://")
    assert run("init")["tier"] == "memory"
