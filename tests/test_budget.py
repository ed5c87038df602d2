"""Bounded work: every structural analysis ends within its budget, degraded past it."""

from __future__ import annotations

import contextlib
import itertools
import random
import threading
import time
from pathlib import Path

import pytest

from invariants import assert_valid_analysis
from iris_codes.config import Settings
from iris_codes.engines.budget import BudgetExceeded, run_within
from iris_codes.engines.slices import MAX_SLICES, slice_ranges
from iris_codes.models import AnalyzeRequest
from iris_codes.service import Service
from iris_codes.testing import ServerProcess
from support import post_analyze

GENEROUS_SECONDS = 10.0


def test_run_within_returns_the_value_in_time() -> None:
    assert run_within(lambda: 41 + 1, 5.0) == 42


def test_run_within_passes_the_call_s_own_error_on() -> None:
    def fail() -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        run_within(fail, 5.0)


def test_a_runaway_call_is_stopped_after_its_budget() -> None:
    spinning = threading.Event()

    def spin() -> None:
        spinning.set()
        while True:
            # An engine's own `except Exception` must not keep it alive.
            with contextlib.suppress(Exception):
                sum(range(1000))

    before = {t.ident for t in threading.enumerate()}
    with pytest.raises(BudgetExceeded):
        run_within(spin, 0.2, "spin")
    assert spinning.is_set()
    runaway = [t for t in threading.enumerate() if t.ident not in before]
    for thread in runaway:
        thread.join(GENEROUS_SECONDS)
        assert not thread.is_alive(), "the abandoned call kept running"


def test_a_parse_that_would_run_for_minutes_halts_at_the_budget() -> None:
    from iris_codes.engines.structural import StructuralEngine

    rng = random.Random(12)
    noise = "".join(chr(rng.randrange(32, 127)) for _ in range(600_000))
    before = {t.ident for t in threading.enumerate()}
    with pytest.raises(BudgetExceeded):
        run_within(lambda: StructuralEngine().analyze(noise, "scala", "r.scala"), 0.5, "parse")
    for thread in [t for t in threading.enumerate() if t.ident not in before]:
        thread.join(GENEROUS_SECONDS)
        assert not thread.is_alive(), "the parse kept its core after the budget"


@pytest.mark.parametrize("lines", [1, 39, 40, 41, 479, 480, 481, 60_000, 100_001])
def test_slices_cover_every_line_in_at_most_twelve_ranges(lines: int) -> None:
    source = "\n".join(("def f():" if i % 7 == 0 else "    x = 1") for i in range(lines))
    ranges = slice_ranges(source)
    assert len(ranges) <= MAX_SLICES
    assert ranges[0][0] == 1
    assert ranges[-1][1] == lines
    for (_, end), (start, _) in itertools.pairwise(ranges):
        assert start == end + 1


def test_slices_cut_before_a_top_level_line() -> None:
    source = "\n".join(("def f():" if i % 50 == 0 else "    x = 1") for i in range(1200))
    for _, end in slice_ranges(source)[:-1]:
        assert source.split("\n")[end].startswith("def")  # line end + 1 opens a definition


def test_a_service_past_its_budget_answers_degraded_line_slices(tmp_path: Path) -> None:
    settings = Settings(cache_dir=str(tmp_path), engine="structural", structural_budget=0.0)
    service = Service(settings)
    source = "".join(f"h{i}=1\n" for i in range(2000))
    started = time.monotonic()
    answer = service.analyze(AnalyzeRequest(filename="h.py", source_code=source)).to_dict()
    assert time.monotonic() - started < GENEROUS_SECONDS
    assert_valid_analysis(answer, source)
    assert "budget" in answer["metadata"]["degraded"]
    assert answer["responsibility_blocks"][0]["label"].startswith("Lines 1-")
    again = service.analyze(AnalyzeRequest(filename="h.py", source_code=source)).to_dict()
    assert again["metadata"]["cache_hit"] == 0, "a degraded answer is not cached"
    service.close()


def _worst_inputs() -> dict[str, tuple[str, str]]:
    rng = random.Random(12)
    noise = bytes(rng.randrange(32, 127) for _ in range(600_000)).decode()
    return {
        "one-line statements": ("h.py", "".join(f"h{i}=1\n" for i in range(60_000))),
        "100,000 short lines": ("s.js", "x;\n" * 100_000),
        "long lines": ("long.py", ("a" * 90_000 + "\n") * 9),
        "random bytes as Julia": ("r.jl", noise),
        # The Scala grammar spends minutes in one C call on this: the parse must halt itself.
        "random bytes as Scala": ("r.scala", noise),
        "deep nesting": ("deep.js", "(" * 40_000 + ")" * 40_000),
    }


@pytest.mark.parametrize("name", list(_worst_inputs()))
def test_worst_inputs_under_the_body_limit_answer_within_the_budget(
    shared_server: ServerProcess, name: str
) -> None:
    filename, source = _worst_inputs()[name]
    started = time.monotonic()
    reply = post_analyze(shared_server, {"filename": filename, "source_code": source})
    elapsed = time.monotonic() - started
    assert reply.status_code == 200, reply.text
    assert elapsed < GENEROUS_SECONDS, f"{name}: {elapsed:.1f} s"
    assert_valid_analysis(reply.json(), source)


def test_the_60000_line_file_answers_degraded(shared_server: ServerProcess) -> None:
    source = "".join(f"g{i}=1\n" for i in range(60_000))
    reply = post_analyze(shared_server, {"filename": "g.py", "source_code": source})
    assert reply.status_code == 200
    assert "budget" in reply.json()["metadata"]["degraded"]


def test_gunicorn_s_worker_timeout_outlasts_every_budget() -> None:
    from iris_codes.deploy.gunicorn import gunicorn_options

    assert gunicorn_options(Settings())["timeout"] > Settings().llm_deadline
    long = Settings(structural_budget=40.0, llm_deadline=12.0)
    assert gunicorn_options(long)["timeout"] > 40
