"""Cache hits answered in front of Flask are exactly what the Flask route answers."""

from __future__ import annotations

import json
from collections.abc import Iterator

import requests

from support import StartServer, post_analyze

SOURCE = "def area(r: float) -> float:\n    return 3.14159 * r * r\n"
BODY = {"filename": "geometry.py", "source_code": SOURCE, "metadata": {"client": "test"}}


def _chunked(body: dict[str, object]) -> Iterator[bytes]:
    yield json.dumps(body).encode()  # a generator makes requests send it chunked


def _without_latency(reply: requests.Response) -> dict[str, object]:
    data: dict[str, object] = reply.json()
    data["metadata"] = {k: v for k, v in data["metadata"].items() if k != "latency_ms"}  # type: ignore[attr-defined]
    return data


def test_fast_hit_matches_the_flask_route(start_server: StartServer) -> None:
    server = start_server({"IRIS_API_KEY": "k"})
    headers = {"X-API-Key": "k", "Content-Type": "application/json"}
    assert post_analyze(server, BODY, headers=headers).json()["metadata"]["cache_hit"] == 0
    fast = post_analyze(server, BODY, headers=headers)  # declared length: the fast path
    url = f"{server.url}/api/iris/analyze"
    routed = requests.post(url, data=_chunked(BODY), headers=headers, timeout=10)  # Flask
    assert fast.status_code == routed.status_code == 200
    assert fast.json()["metadata"]["cache_hit"] == routed.json()["metadata"]["cache_hit"] == 1
    assert _without_latency(fast) == _without_latency(routed)
    for header in ("Content-Type", "X-Iris-Cache"):
        assert fast.headers[header] == routed.headers[header]
    assert fast.headers["X-Request-ID"]


def test_cached_answer_still_needs_the_key(start_server: StartServer) -> None:
    server = start_server({"IRIS_API_KEY": "k"})
    assert post_analyze(server, BODY, headers={"X-API-Key": "k"}).ok
    refused = post_analyze(server, BODY, headers={"X-API-Key": "wrong"})
    assert refused.status_code == 401
    assert refused.json()["code"] == "unauthorized"


def test_hits_are_counted_once_and_logged_when_asked(start_server: StartServer) -> None:
    server = start_server({"IRIS_ACCESS_LOG": "all"})
    for _ in range(3):
        post_analyze(server, BODY)
    stats = requests.get(
        f"{server.url}/api/iris/metrics", headers={"Accept": "application/json"}, timeout=10
    ).json()["metrics"]
    assert stats['requests_total{cache_hit="1",engine="structural"}'] == 2
    assert stats['requests_total{cache_hit="0",engine="structural"}'] == 1
    server.stop()
    assert server.log_text().count("POST /api/iris/analyze 200") == 3


def test_default_access_log_skips_plain_hits_but_not_work_or_errors(
    start_server: StartServer,
) -> None:
    server = start_server()
    for _ in range(3):
        post_analyze(server, BODY)
    post_analyze(server, {"filename": "x.py"})
    server.stop()
    log = server.log_text()
    assert log.count("POST /api/iris/analyze 200") == 1
    assert log.count("POST /api/iris/analyze 400") == 1
