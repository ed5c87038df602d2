"""The LLM engine end to end: a real ``iris serve`` talking to the OpenAI stub over HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import requests

from invariants import assert_valid_analysis
from iris_codes.testing import ServerProcess
from openai_stub import OpenAIStub
from support import post_analyze

StartServer = Callable[..., ServerProcess]
DEADLINE = 2.0
# A correctness bound (no request waits past the deadline), not a benchmark.
MARGIN = 2.0
SOURCE = """const express = require("express");

const PORT = Number(process.env.PORT || 3000);

function greet(name) {
  return `Hello, ${name}!`;
}

function createApp() {
  const app = express();
  app.get("/hello/:name", (req, res) => res.send(greet(req.params.name)));
  return app;
}

createApp().listen(PORT);
"""


def _env(stub: OpenAIStub, engine: str, **extra: str) -> dict[str, str]:
    return {
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": stub.base_url,
        "IRIS_ENGINE": engine,
        "IRIS_LLM_TIMEOUT": "1.0",
        "IRIS_LLM_DEADLINE": str(DEADLINE),
        "IRIS_LLM_MAX_RETRIES": "2",
        **extra,
    }


def _analyze(server: ServerProcess, source: str = SOURCE) -> tuple[requests.Response, float]:
    started = time.monotonic()
    reply = post_analyze(server, {"filename": "server.js", "source_code": source})
    return reply, time.monotonic() - started


@pytest.mark.parametrize("api", ["chat", "responses"])
@pytest.mark.parametrize("mode", ["guided", "ranges"])
def test_llm_answers_over_http_in_both_api_styles_and_modes(
    start_server: StartServer, openai_stub: OpenAIStub, api: str, mode: str
) -> None:
    server = start_server(_env(openai_stub, "llm", IRIS_LLM_API=api, IRIS_LLM_MODE=mode))
    reply, _ = _analyze(server)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert_valid_analysis(body, SOURCE)
    meta = body["metadata"]
    assert meta["engine"] == "llm"
    assert meta["model"] == "gpt-4.1-mini"
    for field in ("input_tokens", "cached_input_tokens", "output_tokens", "estimated_cost_usd"):
        assert field in meta
    assert openai_stub.total_calls() == 1


@pytest.mark.parametrize(
    "fault",
    ["429:30", "500", "hang", "drop", "html", "malformed", "schema_invalid", "401", "quota"],
)
def test_auto_mode_answers_200_degraded_on_every_fault(
    start_server: StartServer, openai_stub: OpenAIStub, fault: str
) -> None:
    openai_stub.default = fault
    server = start_server(_env(openai_stub, "auto"))
    reply, elapsed = _analyze(server)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert_valid_analysis(body, SOURCE)
    assert body["metadata"]["engine"] == "structural"
    assert body["metadata"]["degraded"].startswith("The LLM")
    assert elapsed <= DEADLINE + MARGIN


@pytest.mark.parametrize("fault", ["out_of_range", "overlap"])
@pytest.mark.parametrize("mode", ["guided", "ranges"])
def test_bad_ids_and_ranges_still_give_a_valid_llm_answer(
    start_server: StartServer, openai_stub: OpenAIStub, fault: str, mode: str
) -> None:
    openai_stub.default = fault
    server = start_server(_env(openai_stub, "llm", IRIS_LLM_MODE=mode))
    reply, _ = _analyze(server)
    assert reply.status_code == 200, reply.text
    assert_valid_analysis(reply.json(), SOURCE)
    assert reply.json()["metadata"]["engine"] == "llm"


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [
        ("429:30", 503, "llm_unavailable"),
        ("500", 503, "llm_unavailable"),
        ("drop", 503, "llm_unavailable"),
        ("401", 503, "llm_unavailable"),
        ("malformed", 503, "llm_bad_output"),
        ("hang", 504, "llm_timeout"),
    ],
)
def test_llm_mode_answers_503_or_504_with_a_clear_error(
    start_server: StartServer, openai_stub: OpenAIStub, fault: str, status: int, code: str
) -> None:
    openai_stub.default = fault
    server = start_server(_env(openai_stub, "llm"))
    reply, elapsed = _analyze(server)
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert body["success"] is False
    assert body["code"] == code
    assert body["error"].startswith("The LLM")
    assert "sk-test" not in reply.text
    assert elapsed <= DEADLINE + MARGIN


def test_retry_after_is_honoured_then_the_answer_arrives(
    start_server: StartServer, openai_stub: OpenAIStub
) -> None:
    openai_stub.script("429:1")
    # Room for the wait: a cold worker's first call (the SDK's import) can take a second
    # on a busy machine, and what is under test is the wait, not the deadline.
    server = start_server(_env(openai_stub, "llm", IRIS_LLM_DEADLINE="6"))
    reply, _ = _analyze(server)
    assert reply.status_code == 200, reply.text
    assert reply.json()["metadata"]["engine"] == "llm"
    first, second = openai_stub.arrivals
    assert second - first >= 0.95


def test_circuit_breaker_stops_calling_a_failing_upstream(
    start_server: StartServer, openai_stub: OpenAIStub
) -> None:
    openai_stub.default = "500"
    # One worker: the breaker is per process.
    server = start_server(_env(openai_stub, "llm", IRIS_LLM_MAX_RETRIES="0"), workers=1)
    statuses = [_analyze(server, SOURCE + f"// {n}\n")[0].status_code for n in range(8)]
    assert statuses == [503] * 8
    assert openai_stub.total_calls() == 5, "the breaker opens after 5 consecutive failures"
    reply, _ = _analyze(server, SOURCE + "// again\n")
    assert "circuit open" in reply.json()["error"]


def test_repair_happens_once_over_http(start_server: StartServer, openai_stub: OpenAIStub) -> None:
    openai_stub.script("malformed")
    server = start_server(_env(openai_stub, "llm"))
    reply, _ = _analyze(server)
    assert reply.status_code == 200, reply.text
    assert openai_stub.total_calls() == 2


def test_health_and_metrics_show_the_llm_engine(
    start_server: StartServer, openai_stub: OpenAIStub
) -> None:
    server = start_server(_env(openai_stub, "auto"))
    health = requests.get(f"{server.url}/api/iris/health", timeout=10).json()
    assert openai_stub.total_calls() == 0, "health must not call the upstream"
    assert "sk-test" not in str(health)
    _analyze(server)
    text = requests.get(f"{server.url}/api/iris/metrics", timeout=10).text
    assert "llm_calls_total" in text
    assert "llm_input_tokens_total" in text
