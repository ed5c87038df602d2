"""Slow and broken clients against a live `iris serve`: they hold no thread, and end.

The long run (200 slow connections for 30 s, p99 of ordinary requests) is
``bench/slow_clients.py``, behind ``make fuzz``; these are its bounded checks.
"""

from __future__ import annotations

import json
import socket
import time

import pytest
import requests

from iris_codes.testing import ServerProcess, SlowClients
from support import StartServer, post_analyze

READ_TIMEOUT = "2"
HEAD = b"POST /api/iris/analyze HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
SMALL = json.dumps({"filename": "a.py", "source_code": "x = 1\n"}).encode()


@pytest.fixture
def server(start_server: StartServer) -> ServerProcess:
    # Four threads: with Gunicorn's plain gthread worker, four slow clients took them all.
    return start_server({"IRIS_READ_TIMEOUT": READ_TIMEOUT}, threads=4)


def _exchange(port: int, data: bytes, *, wait: float = 15.0) -> bytes:
    """Send ``data``, then read until the server closes (or ``wait`` passes)."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        sock.sendall(data)
        reply = b""
        try:
            while chunk := sock.recv(65536):
                reply += chunk
        except TimeoutError:
            reply += b"<no close>"
        return reply


def _json_body(reply: bytes) -> dict[str, object]:
    body = reply.split(b"\r\n\r\n", 1)[1].split(b"\n")[0]
    parsed: dict[str, object] = json.loads(body)
    return parsed


def test_forty_slow_clients_leave_ordinary_requests_answered(server: ServerProcess) -> None:
    slow = SlowClients(server.port, 40, interval=0.5).start()
    try:
        time.sleep(1)
        answers = [post_analyze(server, {"filename": "a.py", "source_code": f"x = {n}\n"})
                   for n in range(20)]  # fmt: skip
        time.sleep(float(READ_TIMEOUT) + 1.5)  # every first slow connection past its deadline
    finally:
        slow.stop()
    assert [reply.status_code for reply in answers] == [200] * 20
    assert slow.outcomes["408"] >= 40  # each of the first 40 answered 408, then replaced
    assert slow.outcomes["other status"] == 0


def test_a_declared_body_that_stops_arriving_gets_408_and_close(server: ServerProcess) -> None:
    reply = _exchange(server.port, HEAD + b"Content-Length: 100\r\n\r\n{}")
    assert reply.startswith(b"HTTP/1.1 408")
    assert b"Connection: close" in reply
    assert _json_body(reply) == {
        "success": False,
        "error": "The request was not received within 2 s (IRIS_READ_TIMEOUT).",
        "code": "request_timeout",
    }
    assert not reply.endswith(b"<no close>")


def test_a_truncated_chunk_gets_408_and_close(server: ServerProcess) -> None:
    reply = _exchange(server.port, HEAD + b"Transfer-Encoding: chunked\r\n\r\n100\r\nabc")
    assert reply.startswith(b"HTTP/1.1 408")
    assert not reply.endswith(b"<no close>")


def test_a_chunk_size_that_is_not_hex_gets_400_json(server: ServerProcess) -> None:
    reply = _exchange(
        server.port, HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"
    )
    assert reply.startswith(b"HTTP/1.1 400")
    assert b"Connection: close" in reply
    body = _json_body(reply)
    assert body["code"] == "malformed_body"
    assert "Traceback" not in server.log_text()


def test_a_413_for_a_body_past_the_drain_limit_says_connection_close(
    server: ServerProcess,
) -> None:
    head = HEAD + b"Content-Length: 20000000\r\n\r\n"
    reply = _exchange(server.port, head + b"x" * 1000)
    assert reply.startswith(b"HTTP/1.1 413")
    assert b"Connection: close" in reply
    assert b"Connection: keep-alive" not in reply


def test_a_request_sent_in_slow_pieces_within_the_deadline_is_answered(
    server: ServerProcess,
) -> None:
    request = HEAD + b"Content-Length: %d\r\n\r\n" % len(SMALL) + SMALL
    with socket.create_connection(("127.0.0.1", server.port), timeout=15) as sock:
        for start in range(0, len(request), 40):
            sock.sendall(request[start : start + 40])
            time.sleep(0.05)
        reply = sock.recv(65536)
    assert reply.startswith(b"HTTP/1.1 200")


def test_pipelined_requests_on_one_connection_are_all_answered(server: ServerProcess) -> None:
    one = HEAD + b"Content-Length: %d\r\n\r\n" % len(SMALL) + SMALL
    last = one.replace(b"Host: x\r\n", b"Host: x\r\nConnection: close\r\n")
    reply = _exchange(server.port, one + one + last)
    assert reply.count(b"HTTP/1.1 200") == 3


def test_a_kept_alive_connection_whose_next_request_stalls_gets_408(
    server: ServerProcess,
) -> None:
    one = HEAD + b"Content-Length: %d\r\n\r\n" % len(SMALL) + SMALL
    with socket.create_connection(("127.0.0.1", server.port), timeout=15) as sock:
        sock.sendall(one)
        first = b""
        while b"}\n" not in first:
            first += sock.recv(65536)
        sock.sendall(HEAD)  # the next request's head, never finished
        rest = b""
        while chunk := sock.recv(65536):
            rest += chunk
    assert first.startswith(b"HTTP/1.1 200")
    assert rest.startswith(b"HTTP/1.1 408")


def test_expect_100_continue_gets_continue_then_the_answer(server: ServerProcess) -> None:
    head = HEAD + b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(SMALL)
    with socket.create_connection(("127.0.0.1", server.port), timeout=15) as sock:
        sock.sendall(head)
        interim = sock.recv(65536)
        sock.sendall(SMALL)
        reply = b""
        while b"}\n" not in reply:
            reply += sock.recv(65536)
    assert interim.startswith(b"HTTP/1.1 100 Continue")
    assert b"HTTP/1.1 200" in reply


def test_health_still_answers_through_requests(server: ServerProcess) -> None:
    assert requests.get(f"{server.url}/api/iris/health", timeout=10).status_code == 200
