"""The LLM engine through the real OpenAI SDK and HTTP, against the stub server."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from invariants import assert_valid_analysis
from iris_codes import metrics, postprocess
from iris_codes.config import Settings
from iris_codes.engines.llm import LLMEngine, resolve_api
from iris_codes.engines.resilience import CircuitBreaker
from iris_codes.errors import EngineError, LLMBadOutput, LLMTimeout, LLMUnavailable
from iris_codes.models import Analysis
from openai_stub import OpenAIStub

MakeEngine = Callable[..., LLMEngine]
SOURCE = '''"""Orders: create, pay and ship."""

import json
from dataclasses import dataclass

TAX_RATE = 0.2


@dataclass
class Order:
    id: int
    total: float
    state: str = "new"


def create(order_id: int, total: float) -> Order:
    """A new order."""
    return Order(order_id, total * (1 + TAX_RATE))


def pay(order: Order) -> Order:
    if order.state != "new":
        raise ValueError("already paid")
    order.state = "paid"
    return order


def ship(order: Order) -> str:
    order.state = "shipped"
    return json.dumps({"id": order.id, "state": order.state})
'''
API_PATH = {"chat": "/v1/chat/completions", "responses": "/v1/responses"}
# A correctness bound (no request waits past the deadline), not a benchmark.
DEADLINE_MARGIN = 1.5


def _checked(analysis: Analysis, source: str = SOURCE) -> dict[str, Any]:
    """The API body for ``analysis`` after post-processing, checked against every invariant."""
    final = postprocess.enforce(analysis, source, "orders.py")
    body = final.to_dict()
    body["metadata"].update(cache_hit=0, latency_ms=1.0)
    assert_valid_analysis(body, source)
    return body


@pytest.mark.parametrize("api", ["chat", "responses"])
@pytest.mark.parametrize("mode", ["guided", "ranges"])
def test_answers_a_valid_analysis_in_both_api_styles_and_modes(
    llm_engine: MakeEngine, openai_stub: OpenAIStub, api: str, mode: str
) -> None:
    engine = llm_engine(llm_api=api, llm_mode=mode)
    body = _checked(engine.analyze(SOURCE, "python", "orders.py"))
    assert body["file_intent"] == "Handles requests for a small sample service"
    assert len(body["responsibility_blocks"]) >= 2
    assert openai_stub.calls[API_PATH[api]] == 1
    assert openai_stub.total_calls() == 1


def test_guided_blocks_cover_every_non_blank_line(llm_engine: MakeEngine) -> None:
    body = _checked(llm_engine().analyze(SOURCE, "python", "orders.py"))
    covered = {
        n for b in body["responsibility_blocks"] for s, e in b["ranges"] for n in range(s, e + 1)
    }
    non_blank = {n for n, line in enumerate(SOURCE.split("\n"), start=1) if line.strip()}
    assert non_blank <= covered


def test_request_carries_a_strict_json_schema(
    llm_engine: MakeEngine, openai_stub: OpenAIStub
) -> None:
    llm_engine(llm_api="responses").analyze(SOURCE, "python", "orders.py")
    llm_engine(llm_api="chat").analyze(SOURCE, "python", "orders.py")
    responses, chat = openai_stub.requests
    assert responses["text"]["format"]["type"] == "json_schema"
    assert responses["text"]["format"]["strict"] is True
    assert responses["store"] is False
    assert chat["response_format"]["json_schema"]["strict"] is True
    assert chat["messages"][0]["role"] == "system"


def test_metadata_reports_tokens_and_cost(llm_engine: MakeEngine, openai_stub: OpenAIStub) -> None:
    openai_stub.cached_tokens = 200
    meta = llm_engine().analyze(SOURCE, "python", "orders.py").metadata
    assert meta["engine"] == "llm"
    assert meta["model"] == "gpt-4.1-mini"
    assert meta["input_tokens"] > 200
    assert meta["cached_input_tokens"] == 200
    assert meta["output_tokens"] > 0
    fresh = meta["input_tokens"] - 200
    expected = (fresh * 0.40 + 200 * 0.10 + meta["output_tokens"] * 1.60) / 1e6
    assert meta["estimated_cost_usd"] == pytest.approx(expected)


def test_unknown_model_has_no_cost_estimate(llm_engine: MakeEngine) -> None:
    meta = llm_engine(model="llama3.1:8b").analyze(SOURCE, "python", "orders.py").metadata
    assert meta["estimated_cost_usd"] is None


def test_counters_record_calls_tokens_and_cost(llm_engine: MakeEngine) -> None:
    llm_engine().analyze(SOURCE, "python", "orders.py")
    counters = metrics.snapshot()
    assert counters['llm_calls_total{api="chat"}'] == 1
    assert counters["llm_input_tokens_total"] > 0
    assert counters["llm_output_tokens_total"] > 0
    assert counters["llm_cost_usd_total"] > 0


def test_empty_file_needs_no_call(llm_engine: MakeEngine, openai_stub: OpenAIStub) -> None:
    analysis = llm_engine().analyze("\n  \n", "python", "empty.py")
    assert analysis.file_intent == "Empty file"
    assert analysis.blocks == ()
    assert openai_stub.total_calls() == 0


# -- faults -------------------------------------------------------------------------------


def test_retry_after_is_honoured_on_429(llm_engine: MakeEngine, openai_stub: OpenAIStub) -> None:
    openai_stub.script("429:1")
    _checked(llm_engine(llm_deadline=6.0).analyze(SOURCE, "python", "orders.py"))
    assert openai_stub.total_calls() == 2
    first, second = openai_stub.arrivals
    assert second - first >= 0.95


def test_429_asking_to_wait_past_the_deadline_fails_at_once(
    llm_engine: MakeEngine, openai_stub: OpenAIStub
) -> None:
    openai_stub.script("429:30")
    sleeps: list[float] = []
    with pytest.raises(LLMUnavailable, match="rate limiting; it asked to wait 30 s"):
        llm_engine(sleeps=sleeps).analyze(SOURCE, "python", "orders.py")
    assert sleeps == []
    assert openai_stub.total_calls() == 1


@pytest.mark.parametrize("fault", ["500", "503", "drop"])
def test_transient_failures_are_retried_with_backoff(
    llm_engine: MakeEngine, openai_stub: OpenAIStub, fault: str
) -> None:
    openai_stub.script(fault, fault)
    sleeps: list[float] = []
    _checked(llm_engine(sleeps=sleeps).analyze(SOURCE, "python", "orders.py"))
    assert openai_stub.total_calls() == 3
    assert len(sleeps) == 2
    assert 0.125 <= sleeps[0] <= 0.25
    assert 0.25 <= sleeps[1] <= 0.5


def test_retries_stop_after_the_configured_count(
    llm_engine: MakeEngine, openai_stub: OpenAIStub
) -> None:
    openai_stub.default = "500"
    with pytest.raises(LLMUnavailable, match="HTTP 500"):
        llm_engine(sleeps=[], llm_max_retries=2).analyze(SOURCE, "python", "orders.py")
    assert openai_stub.total_calls() == 3


def test_hanging_upstream_times_out_within_the_deadline(
    llm_engine: MakeEngine, openai_stub: OpenAIStub
) -> None:
    openai_stub.default = "hang"
    engine = llm_engine(llm_timeout=0.6, llm_deadline=1.5)
    started = time.monotonic()
    with pytest.raises(LLMTimeout, match=r"1\.5 s deadline"):
        engine.analyze(SOURCE, "python", "orders.py")
    elapsed = time.monotonic() - started
    assert elapsed <= 1.5 + DEADLINE_MARGIN
    assert openai_stub.total_calls() >= 2, "a timed-out call is retried while time is left"


def test_slow_upstream_beyond_the_deadline_is_a_timeout(
    llm_engine: MakeEngine, openai_stub: OpenAIStub
) -> None:
    openai_stub.latency = 5.0
    started = time.monotonic()
    with pytest.raises(LLMTimeout):
        llm_engine(llm_timeout=5.0, llm_deadline=1.0).analyze(SOURCE, "python", "orders.py")
    assert time.monotonic() - started <= 1.0 + DEADLINE_MARGIN


def test_rejected_key_is_not_retried_and_not_shown(
    llm_engine: MakeEngine, openai_stub: OpenAIStub
) -> None:
    openai_stub.default = "401"
    with pytest.raises(LLMUnavailable, match="rejected the API key") as info:
        llm_engine(sleeps=[]).analyze(SOURCE, "python", "orders.py")
    assert "sk-test" not in str(info.value)
    assert openai_stub.total_calls() == 1


@pytest.mark.parametrize("api", ["chat", "responses"])
def test_a_non_openai_answer_is_unavailable_not_a_crash(
    llm_engine: MakeEngine, openai_stub: OpenAIStub, api: str
) -> None:
    openai_stub.default = "html"
    with pytest.raises(LLMUnavailable, match="format the OpenAI SDK cannot read"):
        llm_engine(sleeps=[], llm_api=api).analyze(SOURCE, "python", "orders.py")


def test_exhausted_quota_is_not_retried(llm_engine: MakeEngine, openai_stub: OpenAIStub) -> None:
    openai_stub.default = "quota"
    with pytest.raises(LLMUnavailable, match="run out of quota"):
        llm_engine(sleeps=[]).analyze(SOURCE, "python", "orders.py")
    assert openai_stub.total_calls() == 1


@pytest.mark.parametrize("mode", ["guided", "ranges"])
@pytest.mark.parametrize("fault", ["malformed", "schema_invalid", "no_valid_ids"])
def test_unusable_output_gets_one_repair_call(
    llm_engine: MakeEngine, openai_stub: OpenAIStub, fault: str, mode: str
) -> None:
    openai_stub.script(fault)
    _checked(llm_engine(llm_mode=mode).analyze(SOURCE, "python", "orders.py"))
    assert openai_stub.total_calls() == 2
    repair = openai_stub.requests[1]["messages"]
    assert [m["role"] for m in repair] == ["system", "user", "assistant", "user"]
    assert "could not be used" in repair[-1]["content"]


@pytest.mark.parametrize("api", ["chat", "responses"])
def test_output_still_unusable_after_the_repair_is_bad_output(
    llm_engine: MakeEngine, openai_stub: OpenAIStub, api: str
) -> None:
    openai_stub.default = "malformed"
    with pytest.raises(LLMBadOutput, match="malformed JSON"):
        llm_engine(llm_api=api).analyze(SOURCE, "python", "orders.py")
    assert openai_stub.total_calls() == 2


@pytest.mark.parametrize("mode", ["guided", "ranges"])
@pytest.mark.parametrize("fault", ["out_of_range", "overlap"])
def test_out_of_range_and_overlapping_answers_still_give_valid_output(
    llm_engine: MakeEngine, openai_stub: OpenAIStub, fault: str, mode: str
) -> None:
    openai_stub.default = fault
    body = _checked(llm_engine(llm_mode=mode).analyze(SOURCE, "python", "orders.py"))
    assert body["responsibility_blocks"]
    assert openai_stub.total_calls() == 1, "no repair needed: bad ids/ranges are dropped"


def test_circuit_breaker_opens_and_stops_calls(
    llm_engine: MakeEngine, openai_stub: OpenAIStub
) -> None:
    openai_stub.default = "500"
    breaker = CircuitBreaker(threshold=3, cooldown=60)
    engine = llm_engine(breaker=breaker, sleeps=[], llm_max_retries=0)
    for _ in range(3):
        with pytest.raises(LLMUnavailable, match="HTTP 500"):
            engine.analyze(SOURCE, "python", "orders.py")
    assert engine.health()["circuit"]["state"] == "open"
    for _ in range(5):
        with pytest.raises(LLMUnavailable, match="circuit open"):
            engine.analyze(SOURCE, "python", "orders.py")
    assert openai_stub.total_calls() == 3


def test_circuit_breaker_closes_after_a_successful_trial(
    llm_engine: MakeEngine, openai_stub: OpenAIStub
) -> None:
    openai_stub.script("500", "500")
    breaker = CircuitBreaker(threshold=2, cooldown=0.2)
    engine = llm_engine(breaker=breaker, sleeps=[], llm_max_retries=0)
    for _ in range(2):
        with pytest.raises(LLMUnavailable):
            engine.analyze(SOURCE, "python", "orders.py")
    assert breaker.state == "open"
    time.sleep(0.25)
    _checked(engine.analyze(SOURCE, "python", "orders.py"))
    assert breaker.state == "closed"


def test_every_failure_is_an_engine_error_with_a_sentence(
    llm_engine: MakeEngine, openai_stub: OpenAIStub
) -> None:
    for fault in ("500", "401", "malformed", "429:60"):
        openai_stub.reset()
        openai_stub.default = fault
        with pytest.raises(EngineError) as info:
            llm_engine(sleeps=[], llm_max_retries=0).analyze(SOURCE, "python", "orders.py")
        message = str(info.value)
        assert message.startswith("The LLM")
        assert message.endswith(".")
        assert "TAX_RATE" not in message
        assert "sk-test" not in message


@pytest.mark.parametrize("fault", ["smart", "malformed", "500", "401", "schema_invalid"])
def test_logs_never_contain_source_or_key(
    llm_engine: MakeEngine, openai_stub: OpenAIStub, caplog: pytest.LogCaptureFixture, fault: str
) -> None:
    openai_stub.script(fault)
    caplog.set_level(logging.DEBUG)
    with contextlib.suppress(EngineError):
        llm_engine(sleeps=[], llm_max_retries=0).analyze(SOURCE, "python", "orders.py")
    assert caplog.records
    for record in caplog.records:
        text = record.getMessage()
        assert "TAX_RATE" not in text
        assert "already paid" not in text
        assert "sk-test" not in text


def test_unreachable_upstream_is_unavailable(llm_settings: Callable[..., Settings]) -> None:
    engine = LLMEngine(
        llm_settings(openai_base_url="http://127.0.0.1:9/v1", llm_max_retries=1),
        sleep=lambda s: None,
    )
    with pytest.raises(LLMUnavailable, match="could not be reached"):
        engine.analyze(SOURCE, "python", "orders.py")
    engine.close()


def test_unconfigured_engine_is_unavailable() -> None:
    with pytest.raises(LLMUnavailable, match="OPENAI_API_KEY"):
        LLMEngine(Settings()).analyze(SOURCE, "python", "orders.py")


# -- protocol ---------------------------------------------------------------------------


def test_health_reports_configuration_without_calling_upstream(
    llm_engine: MakeEngine, openai_stub: OpenAIStub
) -> None:
    health = llm_engine().health()
    assert health["configured"] is True
    assert health["circuit"]["state"] == "closed"
    assert openai_stub.total_calls() == 0
    assert "sk-test" not in repr(health)


def test_warm_up_builds_the_client_without_calling_upstream(
    llm_engine: MakeEngine, openai_stub: OpenAIStub
) -> None:
    engine = llm_engine()
    engine.warm_up()
    assert engine.client().base_url.host == "127.0.0.1"
    assert openai_stub.total_calls() == 0


def test_cache_identity_covers_model_mode_and_api(llm_settings: Callable[..., Settings]) -> None:
    identities = {
        LLMEngine(llm_settings(**change)).cache_identity()
        for change in ({}, {"model": "gpt-4.1"}, {"llm_mode": "ranges"}, {"llm_api": "responses"})
    }
    assert len(identities) == 4


@pytest.mark.parametrize(
    ("base_url", "api"),
    [
        (None, "responses"),
        ("https://api.openai.com/v1", "responses"),
        ("http://localhost:11434/v1", "chat"),
    ],
)
def test_auto_api_uses_responses_on_openai_only(base_url: str | None, api: str) -> None:
    assert resolve_api(Settings(openai_base_url=base_url)) == api


def test_one_engine_serves_many_threads(llm_engine: MakeEngine, openai_stub: OpenAIStub) -> None:
    engine = llm_engine()
    openai_stub.latency = 0.2

    def run(n: int) -> Analysis:
        return engine.analyze(SOURCE + f"\nVERSION_{n} = {n}\n", "python", f"f{n}.py")

    with ThreadPoolExecutor(16) as pool:  # map re-raises any thread's failure here
        results = list(pool.map(run, range(16)))
    assert len(results) == 16
    assert openai_stub.total_calls() == 16
