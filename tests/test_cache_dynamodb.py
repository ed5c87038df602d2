"""The DynamoDB shared tier, against moto's standalone server over real HTTP."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from typing import Any

import pytest

from fixtures_cache import DynamoDBServer, FakeClock
from iris_codes.cache import Breaker, Cache, open_cache, open_shared_tier
from iris_codes.cache.admin import cache_init, cache_stats
from iris_codes.cache.dynamodb import (
    COUNTERS_PK,
    ENTRY,
    ITEM_LIMIT,
    LOCK,
    DynamoDBTier,
    parse_url,
)
from iris_codes.cache.memory import MemoryTier
from iris_codes.config import Settings
from iris_codes.errors import CacheError, ConfigError

KEY = "d1" * 32


@pytest.fixture(params=["auto", "boto3"])
def dynamodb_url(request: pytest.FixtureRequest, moto_server: DynamoDBServer) -> str:
    """A fresh table, reached through IRIS's own client (``auto`` here) or boto3."""
    url = moto_server.url(moto_server.create_table())
    return url + ("&client=boto3" if request.param == "boto3" else "")


def _tier(url: str, clock: FakeClock | None = None) -> DynamoDBTier:
    table, region, endpoint, client = parse_url(url)
    options: dict[str, Any] = {"clock": clock} if clock else {}
    return DynamoDBTier(table, region, endpoint, client=client, **options)


def test_url_names_table_region_and_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    named = parse_url("dynamodb://iris-cache?region=eu-west-1")
    assert named == ("iris-cache", "eu-west-1", None, "auto")
    url = "dynamodb://t?region=us-east-1&endpoint_url=http://127.0.0.1:8000"
    assert parse_url(url) == ("t", "us-east-1", "http://127.0.0.1:8000", "auto")
    assert parse_url(url + "&client=boto3")[3] == "boto3"
    monkeypatch.setenv("AWS_REGION", "ap-south-1")
    assert parse_url("dynamodb://t") == ("t", "ap-south-1", None, "auto")
    with pytest.raises(ConfigError):
        parse_url("dynamodb://t?client=curl")
    with pytest.raises(ConfigError):
        parse_url("dynamodb://?region=x")
    with pytest.raises(ConfigError):
        parse_url("dynamodb://t?regoin=x")
    tier = open_shared_tier(Settings(cache_url=url))
    assert isinstance(tier, DynamoDBTier)
    assert tier.describe() == url


def test_entry_item_carries_the_table_ttl_and_expiry(dynamodb_url: str) -> None:
    tier = _tier(dynamodb_url)
    before = time.time()
    tier.set(KEY, b'{"file_intent":"x"}', ttl=30)
    assert tier.get(KEY) == b'{"file_intent":"x"}'
    table = parse_url(dynamodb_url)[0]
    client = tier._db()
    item = client.get_item(TableName=table, Key={"pk": {"S": ENTRY + KEY}})["Item"]
    assert before + 29 < int(item["ttl"]["N"]) <= time.time() + 31
    ttl = client.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "ttl"}
    described = client.describe_table(TableName=table)["Table"]
    assert described["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    tier.close()


def test_expired_entry_is_a_miss_before_the_ttl_sweep(dynamodb_url: str) -> None:
    clock = FakeClock(time.time())
    tier = _tier(dynamodb_url, clock)
    tier.set(KEY, b"soon gone", ttl=60)
    clock.advance(59)
    assert tier.get(KEY) == b"soon gone"
    clock.advance(2)
    assert tier.get(KEY) is None  # the item is still there; IRIS does not trust the sweep
    assert tier.stats()["entries"] == 0
    assert tier.prune() == {"expired": 1, "evicted": 0}
    assert tier.stats()["entries"] == 0
    tier.close()


def test_corrupt_entry_is_a_miss_and_is_deleted(dynamodb_url: str) -> None:
    tier = _tier(dynamodb_url)
    table = parse_url(dynamodb_url)[0]
    client = tier._db()
    tier.set(KEY, b"value", ttl=60)
    client.update_item(
        TableName=table,
        Key={"pk": {"S": ENTRY + KEY}},
        UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": {"B": b"valuX"}},
    )
    assert tier.get(KEY) is None
    assert "Item" not in client.get_item(TableName=table, Key={"pk": {"S": ENTRY + KEY}})
    client.put_item(TableName=table, Item={"pk": {"S": ENTRY + KEY}, "v": {"S": "foreign"}})
    assert tier.get(KEY) is None
    tier.close()


def test_value_over_the_item_limit_is_counted_not_stored(
    dynamodb_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    cache = open_cache(Settings(cache_url=dynamodb_url))
    big = b"x" * ITEM_LIMIT
    with caplog.at_level(logging.WARNING):
        cache.set(KEY, big)  # never raises
    assert cache.get(KEY) == big  # the memory tier still has it
    assert cache.health()["ok"] is True  # not an outage
    assert _tier(dynamodb_url).get(KEY) is None
    assert "400 KB" in caplog.text
    assert cache_stats(Settings(cache_url=dynamodb_url))["oversized"] == 1
    cache.close()


def test_expired_lock_frees_it_and_a_late_unlock_does_not(dynamodb_url: str) -> None:
    clock = FakeClock(time.time())
    tier = _tier(dynamodb_url, clock)
    stale = tier.try_lock(KEY, ttl=5)
    assert stale is not None
    assert tier.try_lock(KEY, ttl=5) is None
    clock.advance(6)
    fresh = tier.try_lock(KEY, ttl=10)
    assert fresh is not None
    tier.unlock(KEY, stale)  # the dead holder's late unlock must not free it
    assert tier.try_lock(KEY, ttl=10) is None
    table = parse_url(dynamodb_url)[0]
    item = tier._db().get_item(TableName=table, Key={"pk": {"S": LOCK + KEY}})["Item"]
    assert item["token"]["S"] == fresh
    assert "ttl" in item  # an abandoned lock is swept by the table's TTL too
    tier.close()


def test_counter_window_starts_at_the_first_hit_and_restarts(dynamodb_url: str) -> None:
    clock = FakeClock(time.time())
    first, second = _tier(dynamodb_url, clock), _tier(dynamodb_url, clock)
    assert first.incr("c", 60) == 1
    clock.advance(30)
    assert second.incr("c", 60) == 2  # the window is not stretched by later hits
    clock.advance(31)
    assert second.incr("c", 60) == 1
    assert first.incr("c", 60) == 2
    first.close()
    second.close()


def test_entries_persist_across_processes(dynamodb_url: str) -> None:
    program = (
        "import sys\n"
        "from iris_codes.cache.dynamodb import DynamoDBTier\n"
        "tier = DynamoDBTier.from_url(sys.argv[1])\n"
        "if sys.argv[2] == 'write':\n"
        "    tier.set('ab' * 32, b'from another process', 60)\n"
        "else:\n"
        "    sys.stdout.write(repr(tier.get('ab' * 32)))\n"
    )
    for action in ("write", "read"):
        done = subprocess.run(
            [sys.executable, "-c", program, dynamodb_url, action],
            capture_output=True,
            text=True,
            check=True,
        )
    assert done.stdout == "b'from another process'"


def test_missing_table_is_an_error_that_says_run_init(moto_server: DynamoDBServer) -> None:
    url = moto_server.url("never-created")
    tier = _tier(url)
    with pytest.raises(CacheError, match="iris cache init"):
        tier.get(KEY)
    cache = open_cache(Settings(cache_url=url))
    assert cache.health()["ok"] is False
    report = cache_init(Settings(cache_url=url))
    assert report["created"] is True
    assert cache_init(Settings(cache_url=url))["created"] is False  # idempotent
    tier.set(KEY, b"v", 60)
    assert tier.get(KEY) == b"v"
    tier.close()


def test_cli_init_stats_prune_clear(moto_server: DynamoDBServer, tmp_path: object) -> None:
    url = moto_server.url("cli-table")
    env = {"IRIS_CACHE_URL": url}

    def iris(*args: str) -> dict[str, object]:
        import os

        done = subprocess.run(
            [sys.executable, "-m", "iris_codes", "cache", *args, "--json"],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=True,
        )
        report: dict[str, object] = json.loads(done.stdout)
        return report

    assert iris("init")["created"] is True
    tier = _tier(url)
    tier.set(KEY, b"12345", 60)
    tier.add_counters({"hits_shared": 3, "misses": 1})
    stats = iris("stats")
    assert stats["tier"] == "dynamodb"
    assert stats["location"] == url
    assert stats["entries"] == 1
    assert stats["bytes"] == 5
    assert stats["hit_rate"] == 0.75
    assert iris("prune")["expired"] == 0
    assert iris("clear", "--yes")["removed"] == 1
    table = parse_url(url)[0]
    assert "Item" not in tier._db().get_item(TableName=table, Key={"pk": {"S": COUNTERS_PK}})
    tier.close()


def test_unreachable_endpoint_raises_cache_error_quickly() -> None:
    from iris_codes.testing import free_port

    tier = DynamoDBTier("t", "us-east-1", f"http://127.0.0.1:{free_port()}")
    started = time.monotonic()
    with pytest.raises(CacheError, match="DynamoDB cache read failed"):
        tier.get(KEY)
    assert time.monotonic() - started < 3
    assert tier.describe().startswith("dynamodb://t?region=us-east-1")


def test_outage_serves_from_memory_then_recovers(dynamodb_server: DynamoDBServer) -> None:
    url = dynamodb_server.url(dynamodb_server.create_table())
    clock = FakeClock()
    cache = Cache(
        MemoryTier(100, 1 << 20),
        DynamoDBTier.from_url(url),
        ttl=3600,
        breaker=Breaker(delay=1.0, max_delay=4.0, clock=clock),
        clock=clock,
    )
    cache.set("before", b"1")
    assert cache.health()["ok"] is True

    dynamodb_server.kill()
    cache.set("during", b"2")
    assert cache.get("during") == b"2"
    assert cache.get("before") == b"1"
    assert cache.get("unknown") is None
    health = cache.health()
    assert health["ok"] is False
    assert "dynamodb unavailable" in health["note"]
    token = cache.try_lock("k", ttl=5)
    assert token is not None
    assert token.startswith("m:")
    cache.unlock("k", token)

    dynamodb_server.start()  # same port, table created again, empty
    clock.advance(5)
    assert cache.get("unknown") is None  # the probe finds the endpoint back
    assert cache.health()["ok"] is True
    cache.set("after", b"3")
    assert DynamoDBTier.from_url(url).get("after") == b"3"
    cache.close()


def test_prune_leaves_what_was_renewed_since_it_expired(dynamodb_url: str) -> None:
    clock = FakeClock(time.time())
    tier = _tier(dynamodb_url, clock)
    tier.set("aa" * 32, b"old", ttl=10)
    tier.set("bb" * 32, b"kept", ttl=100)
    stale = tier.try_lock(KEY, ttl=5)
    assert stale is not None
    clock.advance(20)
    assert tier.prune() == {"expired": 1, "evicted": 0}
    assert tier.get("bb" * 32) == b"kept"
    assert tier.get("aa" * 32) is None
    assert tier.try_lock(KEY, ttl=5) is not None  # the expired lock went with the prune
    tier.close()
