"""Per-client rate limits: 429 with Retry-After, shared by workers, per key."""

from __future__ import annotations

import pytest
import requests

from iris_codes.config import Settings
from iris_codes.errors import ConfigError, RateLimited
from iris_codes.web.limits import RateLimiter, client_id
from support import StartServer, post_analyze

BODY = {"filename": "a.py", "source_code": "x = 1\n"}


def test_parses_rate_limits() -> None:
    assert Settings.from_env({"IRIS_RATE_LIMIT": "60/minute"}).rate_limit == (60, 60.0)
    assert Settings.from_env({"IRIS_RATE_LIMIT": "5/seconds"}).rate_limit == (5, 1.0)
    assert Settings.from_env({"IRIS_RATE_LIMIT": "100"}).rate_limit == (100, 60.0)
    assert Settings.from_env({"IRIS_RATE_LIMIT": "off"}).rate_limit is None
    with pytest.raises(ConfigError, match="IRIS_RATE_LIMIT"):
        Settings.from_env({"IRIS_RATE_LIMIT": "lots/fortnight"})


def test_limiter_refuses_past_the_limit_and_resets_next_window() -> None:
    from iris_codes.cache.memory import MemoryTier

    tier = MemoryTier(max_entries=10, max_bytes=10_000)
    now = [1000.0]
    limiter = RateLimiter(2, 60.0, lambda: tier, clock=lambda: now[0])  # type: ignore[arg-type,return-value]
    limiter.check("key:a")
    limiter.check("key:a")
    with pytest.raises(RateLimited) as refused:
        limiter.check("key:a")
    assert refused.value.retry_after == pytest.approx(20.0)
    limiter.check("key:b")  # another client has its own window
    now[0] = 1021.0
    limiter.check("key:a")


def test_client_is_the_key_else_the_socket_address_whatever_the_headers_say() -> None:
    assert client_id({"REMOTE_ADDR": "10.0.0.9"}, "key-1") == "key:key-1"
    forged = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 127.0.0.1"}
    assert client_id(forged, None) == "addr:127.0.0.1"


@pytest.mark.parametrize("trusted", ["0", "1"])
def test_a_forged_forwarded_for_does_not_change_the_client_s_limit(
    start_server: StartServer, trusted: str
) -> None:
    server = start_server({"IRIS_RATE_LIMIT": "2/minute", "IRIS_TRUSTED_PROXIES": trusted})
    statuses = []
    for i in range(6):
        # The client writes the left entries; the one proxy in front appends the last.
        forged = {"X-Forwarded-For": f"10.0.0.{i}, 203.0.113.9"}
        statuses.append(post_analyze(server, _fresh(i), headers=forged).status_code)
    assert statuses == [200, 200, 429, 429, 429, 429]


def _fresh(i: int) -> dict[str, str]:
    """A body no earlier request sent: a cache miss, so an analysis."""
    return {"filename": f"f{i}.py", "source_code": f"value_{i} = {i}\n"}


def test_server_answers_429_with_retry_after_across_workers(start_server: StartServer) -> None:
    server = start_server({"IRIS_RATE_LIMIT": "5/minute", "IRIS_API_KEY": "a,b"}, workers=2)
    replies = [post_analyze(server, _fresh(i), headers={"X-API-Key": "a"}) for i in range(5)]
    assert [r.status_code for r in replies] == [200] * 5
    assert [r.headers["X-RateLimit-Remaining"] for r in replies] == ["4", "3", "2", "1", "0"]
    assert all(r.headers["X-RateLimit-Limit"] == "5" for r in replies)
    refused = post_analyze(server, _fresh(5), headers={"X-API-Key": "a"})
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert 1 <= int(refused.headers["X-RateLimit-Reset"]) <= 60
    assert post_analyze(server, _fresh(6), headers={"X-API-Key": "b"}).status_code == 200


def test_refused_answers_state_the_quota_without_spending_it(start_server: StartServer) -> None:
    server = start_server({"IRIS_RATE_LIMIT": "5/minute"})
    malformed = requests.post(
        f"{server.url}/api/iris/analyze",
        data="{not json",
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert malformed.status_code == 400
    assert (malformed.headers["X-RateLimit-Limit"], malformed.headers["X-RateLimit-Remaining"]) == (
        "5",
        "5",
    )
    assert post_analyze(server, _fresh(1)).headers["X-RateLimit-Remaining"] == "4"
    missing = post_analyze(server, {"filename": "a.py"})  # 400 missing_field, not counted
    not_json = requests.post(f"{server.url}/api/iris/analyze", data="x = 1", timeout=30)
    assert (missing.status_code, not_json.status_code) == (400, 415)
    for reply in (missing, not_json):
        assert reply.headers["X-RateLimit-Remaining"] == "4"
        assert 1 <= int(reply.headers["X-RateLimit-Reset"]) <= 60
    assert post_analyze(server, _fresh(2)).headers["X-RateLimit-Remaining"] == "3"


def test_cache_hits_have_their_own_limit(start_server: StartServer) -> None:
    env = {"IRIS_RATE_LIMIT": "1/minute", "IRIS_RATE_LIMIT_HITS": "3/minute"}
    server = start_server(env)
    assert post_analyze(server, BODY).headers["X-Iris-Cache"] == "miss"
    hits = [post_analyze(server, BODY) for _ in range(3)]  # the one analysis is spent ...
    assert [h.headers["X-Iris-Cache"] for h in hits] == ["hit"] * 3  # ... hits still flow
    assert [h.headers["X-RateLimit-Remaining"] for h in hits] == ["2", "1", "0"]
    assert post_analyze(server, BODY).status_code == 429  # past the hits limit
    assert post_analyze(server, _fresh(1)).status_code == 429  # past the analyses limit


def test_two_instances_on_one_redis_share_the_limit(
    start_server: StartServer, redis_url: str
) -> None:
    env = {"IRIS_RATE_LIMIT": "4/minute", "IRIS_CACHE_URL": redis_url}
    first, second = start_server(env), start_server(env)
    statuses = [
        post_analyze(server, _fresh(i)).status_code for i, server in enumerate([first, second] * 3)
    ]
    assert statuses == [200, 200, 200, 200, 429, 429]


def test_no_limit_by_default(start_server: StartServer) -> None:
    server = start_server()
    assert all(post_analyze(server, BODY).status_code == 200 for _ in range(30))
