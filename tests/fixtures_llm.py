"""Pytest fixtures for the LLM engine: a live OpenAI stub and settings pointing at it.

Loaded by ``tests/conftest.py`` through ``pytest_plugins``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from iris_codes.config import Settings
from iris_codes.engines.llm import LLMEngine
from iris_codes.engines.resilience import CircuitBreaker
from openai_stub import OpenAIStub


@pytest.fixture
def openai_stub() -> Iterator[OpenAIStub]:
    """A running OpenAI-compatible stub on a free 127.0.0.1 port, stopped after the test."""
    with OpenAIStub() as stub:
        yield stub


@pytest.fixture
def llm_settings(openai_stub: OpenAIStub) -> Callable[..., Settings]:
    """Settings for the LLM engine against the stub; keyword arguments override fields."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "engine": "llm",
            "openai_api_key": "sk-test",
            "openai_base_url": openai_stub.base_url,
            "model": "gpt-4.1-mini",
            "llm_api": "chat",
            "llm_timeout": 2.0,
            "llm_deadline": 4.0,
            "llm_max_retries": 3,
        }
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
def llm_engine(llm_settings: Callable[..., Settings]) -> Iterator[Callable[..., LLMEngine]]:
    """Build an LLMEngine against the stub; ``sleeps`` collects backoff waits without waiting."""
    engines: list[LLMEngine] = []

    def make(
        *,
        breaker: CircuitBreaker | None = None,
        sleeps: list[float] | None = None,
        **overrides: Any,
    ) -> LLMEngine:
        def sleep(seconds: float) -> None:
            if sleeps is not None:
                sleeps.append(seconds)

        settings = llm_settings(**overrides)
        engine = (
            LLMEngine(settings, breaker=breaker)
            if sleeps is None
            else LLMEngine(settings, breaker=breaker, sleep=sleep)
        )
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.close()
