"""The LLM engine inside the service: degraded fallback in auto mode, errors in llm mode."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from invariants import assert_valid_analysis
from iris_codes.config import Settings
from iris_codes.errors import EngineError
from iris_codes.models import Analysis, AnalyzeRequest
from iris_codes.service import Service
from openai_stub import OpenAIStub

SOURCE = """import re

WORD = re.compile(r"[a-z]+")


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def count(text: str) -> dict[str, int]:
    result: dict[str, int] = {}
    for word in words(text):
        result[word] = result.get(word, 0) + 1
    return result


def top(text: str, n: int = 3) -> list[tuple[str, int]]:
    return sorted(count(text).items(), key=lambda kv: -kv[1])[:n]
"""
FAULTS = ["429:30", "500", "hang", "drop", "html", "malformed", "schema_invalid", "401", "quota"]
MakeService = Callable[..., Service]


@pytest.fixture
def make_service(llm_settings: Callable[..., Settings], tmp_path: Path) -> Iterator[MakeService]:
    services: list[Service] = []

    def make(**overrides: Any) -> Service:
        values: dict[str, Any] = {
            "cache_dir": str(tmp_path / f"cache{len(services)}"),
            "llm_timeout": 0.5,
            "llm_deadline": 1.2,
            "llm_max_retries": 1,
        }
        values.update(overrides)
        service = Service(llm_settings(**values))
        services.append(service)
        return service

    yield make
    for service in services:
        service.close()


def _request(source: str = SOURCE, filename: str = "words.py") -> AnalyzeRequest:
    return AnalyzeRequest(filename=filename, source_code=source)


def _body(analysis: Analysis) -> dict[str, Any]:
    body = analysis.to_dict()
    assert_valid_analysis(body, SOURCE)
    return body


def test_auto_mode_answers_with_the_llm_when_it_works(
    make_service: MakeService, openai_stub: OpenAIStub
) -> None:
    meta = _body(make_service(engine="auto").analyze(_request()))["metadata"]
    assert meta["engine"] == "llm"
    assert "degraded" not in meta
    assert meta["input_tokens"] > 0
    assert openai_stub.total_calls() == 1


@pytest.mark.parametrize("fault", FAULTS)
def test_auto_mode_degrades_to_structural_on_every_fault(
    make_service: MakeService, openai_stub: OpenAIStub, fault: str
) -> None:
    openai_stub.default = fault
    service = make_service(engine="auto")
    started = time.monotonic()
    meta = _body(service.analyze(_request()))["metadata"]
    assert time.monotonic() - started <= service.settings.llm_deadline + 1.5
    assert meta["engine"] == "structural"
    assert isinstance(meta["degraded"], str)
    assert meta["degraded"].startswith("The LLM")


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [
        ("429:30", 503, "llm_unavailable"),
        ("500", 503, "llm_unavailable"),
        ("hang", 504, "llm_timeout"),
        ("malformed", 503, "llm_bad_output"),
        ("401", 503, "llm_unavailable"),
    ],
)
def test_llm_mode_fails_with_a_clear_status(
    make_service: MakeService, openai_stub: OpenAIStub, fault: str, status: int, code: str
) -> None:
    openai_stub.default = fault
    with pytest.raises(EngineError) as info:
        make_service(engine="llm").analyze(_request())
    assert info.value.status == status
    assert info.value.code == code


def test_degraded_answers_are_not_cached_under_the_llm_key(
    make_service: MakeService, openai_stub: OpenAIStub
) -> None:
    service = make_service(engine="auto")
    openai_stub.script("500", "500")
    assert service.analyze(_request()).metadata["engine"] == "structural"
    meta = service.analyze(_request()).metadata
    assert meta["engine"] == "llm"
    assert meta["cache_hit"] == 0


def test_a_cache_hit_makes_no_call_and_costs_nothing(
    make_service: MakeService, openai_stub: OpenAIStub
) -> None:
    service = make_service(engine="llm")
    service.analyze(_request())
    meta = service.analyze(_request()).metadata
    assert meta["cache_hit"] == 1
    assert meta["input_tokens"] == 0
    assert meta["estimated_cost_usd"] == 0
    assert openai_stub.total_calls() == 1


def test_concurrent_requests_for_one_file_make_one_call(
    make_service: MakeService, openai_stub: OpenAIStub
) -> None:
    service = make_service(engine="llm", llm_deadline=5.0, llm_timeout=4.0)
    openai_stub.latency = 0.5
    results: list[Analysis] = []

    def run() -> None:
        results.append(service.analyze(_request()))

    threads = [threading.Thread(target=run) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 16
    assert openai_stub.total_calls() == 1


def test_openai_base_url_alone_turns_the_llm_engine_on_for_a_local_server(
    openai_stub: OpenAIStub, tmp_path: Path
) -> None:
    settings = Settings.from_env(
        {"OPENAI_BASE_URL": openai_stub.base_url, "IRIS_MODEL": "qwen2.5-coder:7b"},
        cache_dir=str(tmp_path / "cache"),
    )
    assert settings.llm_configured
    assert settings.llm_warnings() == []  # a loopback endpoint: nothing ambiguous
    service = Service(settings)
    try:
        assert service.primary_engine_name == "llm"
        meta = _body(service.analyze(_request()))["metadata"]
    finally:
        service.close()
    assert meta["engine"] == "llm"
    assert meta["model"] == "qwen2.5-coder:7b"
    assert openai_stub.authorizations == ["Bearer no-key"]  # no key of the user's was needed


@pytest.mark.parametrize(
    ("environ", "configured", "warning"),
    [
        ({"OPENAI_BASE_URL": "http://localhost:11434/v1"}, True, None),
        ({"OPENAI_BASE_URL": "http://192.168.1.20:8000/v1"}, True, None),
        ({"OPENAI_BASE_URL": "http://ollama:11434/v1"}, True, None),  # a compose service
        ({"OPENAI_BASE_URL": "https://llm.example.com/v1"}, True, "without OPENAI_API_KEY"),
        ({"OPENAI_BASE_URL": "https://api.openai.com/v1"}, False, "needs OPENAI_API_KEY"),
        ({"IRIS_MODEL": "llama3"}, False, "no LLM endpoint is"),
        ({"OPENAI_API_KEY": "sk-x"}, True, None),
        (
            {"OPENAI_BASE_URL": "https://llm.example.com/v1", "IRIS_ENGINE": "structural"},
            True,
            None,
        ),
    ],
)
def test_an_ambiguous_llm_configuration_gets_one_clear_warning(
    environ: dict[str, str], configured: bool, warning: str | None
) -> None:
    settings = Settings.from_env(environ)
    assert settings.llm_configured is configured
    warnings = settings.llm_warnings()
    if warning is None:
        assert warnings == []
    else:
        assert len(warnings) == 1
        assert warning in warnings[0]


def test_iris_config_and_the_service_say_when_the_llm_configuration_is_ambiguous(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from click.testing import CliRunner

    from iris_codes.cli import main

    env = {"OPENAI_BASE_URL": "https://api.openai.com/v1"}
    shown = CliRunner().invoke(main, ["config"], env=env)
    assert (
        "warning: OPENAI_BASE_URL is OpenAI's own API, which needs OPENAI_API_KEY" in shown.output
    )
    with caplog.at_level("WARNING"):
        Service(Settings.from_env(env)).close()
    assert "structural engine answers until it is set" in caplog.text
