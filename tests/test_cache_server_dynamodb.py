"""Two ``iris serve`` instances on one DynamoDB table (moto's server over real HTTP)."""

from __future__ import annotations

from pathlib import Path

import requests

from fixtures_cache import DynamoDBServer
from invariants import assert_valid_analysis
from iris_codes.cache.dynamodb import parse_url
from support import StartServer, post_analyze
from test_cache_server import MixedLoad, body_for, cache_ok, source_for, wait_for


def test_second_instance_answers_the_firsts_analysis_from_the_table(
    start_server: StartServer, dynamodb_url: str, tmp_path: Path
) -> None:
    env = {"IRIS_CACHE_URL": dynamodb_url}
    first = start_server(env, cache_dir=tmp_path / "first")
    second = start_server(env, cache_dir=tmp_path / "second")
    assert post_analyze(first, body_for(1)).json()["metadata"]["cache_hit"] == 0
    reply = post_analyze(second, body_for(1)).json()
    assert reply["metadata"]["cache_hit"] == 1
    assert_valid_analysis(reply, source_for(1))
    health = requests.get(f"{second.url}/api/iris/health", timeout=5).json()
    assert health["cache"] == {"tier": "dynamodb", "ok": True, "note": dynamodb_url}
    first.stop()
    restarted = start_server(env, cache_dir=tmp_path / "third")
    assert post_analyze(restarted, body_for(1)).json()["metadata"]["cache_hit"] == 1


def test_endpoint_killed_mid_load_fails_no_request(
    start_server: StartServer, dynamodb_server: DynamoDBServer, tmp_path: Path
) -> None:
    url = dynamodb_server.url(dynamodb_server.create_table())
    servers = [
        start_server({"IRIS_CACHE_URL": url}, workers=2, threads=8, cache_dir=tmp_path / n)
        for n in ("iris-dyn-a", "iris-dyn-b")
    ]
    load = MixedLoad([server.url for server in servers])
    with load:
        wait_for(lambda: load.answered >= 200)
        dynamodb_server.kill()
        down_at = load.answered
        wait_for(lambda: load.answered >= down_at + 300)
        for server in servers:
            health = requests.get(f"{server.url}/api/iris/health", timeout=5).json()
            assert health["cache"]["ok"] is False
            assert health["status"] == "degraded"
        dynamodb_server.start()  # same port; the table is created again, empty
        for server in servers:
            wait_for(lambda server=server: cache_ok(server.url))
        back_at = load.answered
        wait_for(lambda: load.answered >= back_at + 200)
    assert load.failures == []
    assert load.answered > 700
    # Recovered by itself: the table (empty after the restart) fills again, and a new file
    # analysed by one instance is a hit on the other. Each worker's breaker retries on its
    # own schedule (up to 5 s apart), so a worker may need a few requests to find it back.
    client = dynamodb_server.client()
    table = parse_url(url)[0]
    assert client.scan(TableName=table, Select="COUNT")["Count"] > 0
    fresh = iter(range(900_000_000, 900_100_000))

    def shared_through_the_table() -> bool:
        number = next(fresh)
        assert post_analyze(servers[0], body_for(number)).json()["metadata"]["cache_hit"] == 0
        return bool(post_analyze(servers[1], body_for(number)).json()["metadata"]["cache_hit"])

    wait_for(shared_through_the_table, timeout=30)
