"""A process killed mid-analysis leaves a lock that costs the next request about a second."""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path

import requests

from openai_stub import OpenAIStub
from support import StartServer, post_analyze

SOURCE = "def handle(order):\n    return order.total\n\n\ndef refund(order):\n    return 0\n"
BODY = {"filename": "orders.py", "source_code": SOURCE}
# Before heartbeats the lock lived IRIS_LLM_DEADLINE + 5 = 17 s; now it lives 1 s.
GENEROUS_SECONDS = 10.0


def test_a_killed_server_s_lock_delays_the_same_request_by_little(
    start_server: StartServer, openai_stub: OpenAIStub, tmp_path: Path
) -> None:
    env = {
        "IRIS_ENGINE": "llm",
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": openai_stub.base_url,
        "IRIS_LLM_API": "chat",
        "IRIS_LLM_DEADLINE": "12",
        "IRIS_LLM_TIMEOUT": "11",
    }
    cache_dir = tmp_path / "shared-cache"
    openai_stub.default = "slow:30"
    doomed = start_server(env, cache_dir=cache_dir)

    def send() -> None:
        with contextlib.suppress(requests.RequestException):  # the server dies under it
            post_analyze(doomed, BODY)

    threading.Thread(target=send, daemon=True).start()
    deadline = time.monotonic() + GENEROUS_SECONDS
    while openai_stub.total_calls() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert openai_stub.total_calls() == 1, "the first analysis never reached the LLM"
    doomed.kill()  # SIGKILL while it holds the single-flight lock

    openai_stub.default = "smart"
    successor = start_server(env, cache_dir=cache_dir)
    started = time.monotonic()
    reply = post_analyze(successor, BODY)
    elapsed = time.monotonic() - started
    assert reply.status_code == 200, reply.text
    assert reply.json()["metadata"]["engine"] == "llm"
    assert elapsed < GENEROUS_SECONDS, f"waited {elapsed:.1f} s on a dead process's lock"
