"""HTTP hygiene: Allow on 405, OPTIONS, CORS only when configured, security headers."""

from __future__ import annotations

import json
import re
import socket

import pytest
import requests

from iris_codes.testing import ServerProcess
from support import StartServer, post_analyze

BODY = {"filename": "hygiene.py", "source_code": "def f():\n    return 1\n"}


def test_405_names_the_allowed_methods(shared_server: ServerProcess) -> None:
    reply = requests.get(f"{shared_server.url}/api/iris/analyze", timeout=10)
    assert reply.status_code == 405
    assert reply.json()["code"] == "method_not_allowed"
    assert "POST" in reply.headers["Allow"]


def test_options_is_204_with_allow(shared_server: ServerProcess) -> None:
    reply = requests.options(f"{shared_server.url}/api/iris/analyze", timeout=10)
    assert reply.status_code == 204
    assert {"POST", "OPTIONS"} <= {m.strip() for m in reply.headers["Allow"].split(",")}
    assert "Access-Control-Allow-Origin" not in reply.headers  # CORS is off by default


def test_errors_are_not_stored_by_caches(shared_server: ServerProcess) -> None:
    reply = post_analyze(shared_server, {"filename": "a.py"})
    assert reply.status_code == 400
    assert reply.headers["Cache-Control"] == "no-store"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"


def test_the_page_has_a_content_security_policy(shared_server: ServerProcess) -> None:
    page = requests.get(f"{shared_server.url}/", timeout=10)
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_cors_only_for_configured_origins(start_server: StartServer) -> None:
    server = start_server({"IRIS_CORS_ORIGINS": "https://app.example.com"})
    preflight = requests.options(
        f"{server.url}/api/iris/analyze",
        headers={
            "Origin": "https://app.example.com",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-api-key",
        },
        timeout=10,
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "x-api-key" in preflight.headers["Access-Control-Allow-Headers"].lower()
    for _ in range(2):  # a miss, then a fast-path hit: both carry it
        allowed = post_analyze(server, BODY, headers={"Origin": "https://app.example.com"})
        assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    other = post_analyze(server, BODY, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_hit_and_miss_bodies_are_identical_but_for_latency_and_cache_hit(
    shared_server: ServerProcess,
) -> None:
    body = {**BODY, "filename": "same.py", "metadata": {"client": "test", "n": [1, 2]}}
    miss = post_analyze(shared_server, body)
    hit = post_analyze(shared_server, body)
    assert miss.headers["X-Iris-Cache"] == "miss"
    assert hit.headers["X-Iris-Cache"] == "hit"

    def blank(raw: bytes) -> bytes:
        raw = re.sub(rb'"latency_ms":[0-9.eE+-]+', b'"latency_ms":0', raw)
        return re.sub(rb'"cache_hit":[01]', b'"cache_hit":0', raw)

    assert blank(hit.content) == blank(miss.content)


@pytest.mark.parametrize(
    "request_bytes", [b"GARBAGE\r\n\r\n", b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n\r\n"]
)
def test_malformed_http_gets_a_json_error(
    shared_server: ServerProcess, request_bytes: bytes
) -> None:
    with socket.create_connection(("127.0.0.1", shared_server.port), timeout=10) as sock:
        sock.sendall(request_bytes)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.split(b" ")[1][:1] == b"4", head
    assert b"application/json" in head
    error = json.loads(body)
    assert error["success"] is False
    assert error["code"]
