"""The service on its own: single-flight, fallback and cost accounting, with a fake engine."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from iris_codes.config import Settings
from iris_codes.errors import AnalysisTimeout, LLMUnavailable
from iris_codes.models import Analysis, AnalyzeRequest, Block
from iris_codes.service import Service

SOURCE = "def f():\n    return 1\n"


class FakeEngine:
    """An engine that answers after ``release`` is set, counting its calls."""

    name = "llm"

    def __init__(self, *, fail: bool = False) -> None:
        self.calls = 0
        self.release = threading.Event()
        self.fail = fail

    def cache_identity(self) -> str:
        return "fake:1"

    def analyze(self, source: str, language: str, filename: str) -> Analysis:
        self.calls += 1
        self.release.wait(30)
        if self.fail:
            raise LLMUnavailable("The LLM is down for this test.")
        block = Block("Fake answer block", "From the fake engine.", ((1, 2),))
        metadata = {"engine": "llm", "input_tokens": 100, "estimated_cost_usd": 0.01}
        return Analysis("Fake intent", (block,), metadata)

    def health(self) -> dict[str, Any]:
        return {}


def _service(tmp_path: Path, engine: FakeEngine, **settings: Any) -> Service:
    config = Settings.from_env({}, cache_dir=str(tmp_path), engine="auto", **settings)
    return Service(config, engines={"llm": engine})


def _request() -> AnalyzeRequest:
    return AnalyzeRequest(filename="f.py", source_code=SOURCE)


def test_concurrent_identical_requests_run_one_analysis_and_only_one_pays(tmp_path: Path) -> None:
    engine = FakeEngine()
    service = _service(tmp_path, engine)
    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(service.analyze, _request()) for _ in range(8)]
        engine.release.set()
        answers = [future.result() for future in futures]
    assert engine.calls == 1
    costs = sorted(answer.metadata["estimated_cost_usd"] for answer in answers)
    assert costs == [0] * 7 + [0.01]
    assert {answer.file_intent for answer in answers} == {"Fake intent"}


def test_waiting_past_the_flight_timeout_is_a_504_not_a_500(tmp_path: Path) -> None:
    engine = FakeEngine()
    service = _service(tmp_path, engine, llm_deadline=0.05)
    service._flight_timeout = lambda: 0.2  # type: ignore[method-assign]
    with ThreadPoolExecutor(2) as pool:
        leader = pool.submit(service.analyze, _request())
        while engine.calls == 0:
            threading.Event().wait(0.01)
        with pytest.raises(AnalysisTimeout) as waited:
            service.analyze(_request())
        engine.release.set()
        leader.result()
    assert waited.value.status == 504


def test_failing_llm_degrades_to_structural_and_is_not_cached_as_llm(tmp_path: Path) -> None:
    engine = FakeEngine(fail=True)
    engine.release.set()
    service = _service(tmp_path, engine)
    first = service.analyze(_request())
    assert first.metadata["engine"] == "structural"
    assert "down" in first.metadata["degraded"]
    service.analyze(_request())
    assert engine.calls == 2  # the LLM is asked again, not shadowed by the fallback


def test_only_an_llm_analysis_takes_the_shared_lock(tmp_path: Path) -> None:
    # Coordinating with other processes costs shared-tier round trips; it is worth them
    # when the analysis costs money and seconds, not for the structural engine.
    def locks_taken(service: Service, engine: FakeEngine | None) -> int:
        taken = 0
        take = service.cache.try_lock

        def counting(key: str, ttl: float) -> str | None:
            nonlocal taken
            taken += 1
            return take(key, ttl)

        service.cache.try_lock = counting  # type: ignore[method-assign]
        if engine is not None:
            engine.release.set()
        answer = service.analyze(_request())
        assert answer.metadata["cache_hit"] == 0
        return taken

    fresh = Service(Settings.from_env({}, cache_dir=str(tmp_path / "s2"), engine="structural"))
    assert locks_taken(fresh, None) == 0
    assert fresh.analyze(_request()).metadata["cache_hit"] == 1  # stored all the same
    llm = FakeEngine()
    assert locks_taken(_service(tmp_path / "l", llm), llm) == 1
