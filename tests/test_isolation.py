"""Parse processes: a grammar that crashes or hangs costs one parse, never this process."""

from __future__ import annotations

import os
import random
import signal
import sys
import time
from collections.abc import Iterator

import msgspec
import pytest

from iris_codes import deadlines
from iris_codes.config import Settings
from iris_codes.errors import ParserCrashed
from iris_codes.models import AnalyzeRequest
from iris_codes.service import Service
from iris_codes.syntax import extract, isolation
from iris_codes.syntax.languages import detect_language
from iris_codes.syntax.parsing import INPUT_GUARDS
from support import read_sample, sample_files

# The pack's grammars as shipped, without IRIS's input guards: the bash scanner's
# out-of-bounds read (docs/security.md) is reachable again.
UNGUARDED = (
    sys.executable,
    "-c",
    "import iris_codes.syntax.parsing as p; p.INPUT_GUARDS.clear(); "
    "from iris_codes.syntax.isolation import serve_child; serve_child()",
)
# And without the final newline parse() adds: tree-sitter-perl's scanner then loops for
# ever inside one C call at `foo#bar`.
RAW_PARSE = (
    sys.executable,
    "-c",
    "import iris_codes.syntax.extract as e, iris_codes.syntax.parsing as p; "
    "e.parse = lambda data, grammar: p.get_parser(grammar).parse(data); "
    "from iris_codes.syntax.isolation import serve_child; serve_child()",
)
# `{` then a code point past U+80000: isdigit() reads ~2 MiB past its table.
CRASH_INPUT = "{\U0010ffff\n"


@pytest.fixture
def unguarded() -> Iterator[isolation.ParsePool]:
    pool = isolation.ParsePool(size=1, command=UNGUARDED)
    yield pool
    pool.close()


def _in_process(source: str, language: str) -> list[object]:
    isolation._in_child = True  # this process parses, as a parse process does
    try:
        return list(extract.extract_units(source, language))
    finally:
        isolation._in_child = False


def _crash(pool: isolation.ParsePool, attempts: int = 40) -> tuple[ParserCrashed, int]:
    """Send the crash input, a fresh process each time, until one crashes (1 run in 2)."""
    for attempt in range(1, attempts + 1):
        try:
            pool.extract_units(CRASH_INPUT, "shellscript")
        except ParserCrashed as exc:
            return exc, attempt
        pool.close()  # the next attempt gets a new process, with a new address layout
        pool._closed = False
    pytest.fail(f"the unguarded bash grammar did not crash in {attempts} processes")


def test_units_from_a_parse_process_equal_those_parsed_in_process() -> None:
    pool = isolation.ParsePool(size=1)
    try:
        for path in sample_files():
            language = detect_language(path.name)
            assert language is not None
            source = read_sample(path).replace("\r\n", "\n")
            across = [msgspec.structs.asdict(u) for u in pool.extract_units(source, language.id)]
            here = [msgspec.structs.asdict(u) for u in _in_process(source, language.id)]
            assert across == here, path.name
    finally:
        pool.close()


def test_the_unguarded_bash_grammar_crashes_only_its_parse_process(
    unguarded: isolation.ParsePool,
) -> None:
    error, attempts = _crash(unguarded)
    assert "bash parser crashed" in error.message
    assert "SIGSEGV" in error.message
    assert unguarded.stats()["crashed"] == 1
    # This process is alive, and the next parse gets a new parse process.
    units = unguarded.extract_units("echo hello\n", "shellscript")
    assert [u.start for u in units] == [1]
    assert unguarded.stats()["started"] == attempts + 1


def test_the_bash_guard_keeps_the_crash_input_from_crashing() -> None:
    pool = isolation.ParsePool(size=1)
    try:
        for _ in range(12):  # unguarded, about 6 of these 12 processes would crash
            units = pool.extract_units(CRASH_INPUT + "echo {1..\U000fffff}\n", "shellscript")
            assert units
            pool.close()
            pool._closed = False
        assert pool.stats()["crashed"] == 0
    finally:
        pool.close()


def test_the_bash_guard_keeps_every_byte_offset() -> None:
    guard = INPUT_GUARDS["bash"]
    for text in ("{\U0010ffff}", "echo {1..中}", "x={12\u0100", "a{é} {}", "no brace ✓"):
        data = text.encode()
        guarded = guard(data)
        assert len(guarded) == len(data)
        assert guarded.count(b"\n") == data.count(b"\n")
    assert guard("a{é}".encode()) == "a{é}".encode()  # Latin-1 is in isdigit()'s table


def test_a_parse_stuck_inside_c_is_killed_at_its_deadline() -> None:
    pool = isolation.ParsePool(size=1, command=RAW_PARSE)
    try:
        started = time.monotonic()
        with (
            deadlines.until(time.monotonic() + 1.0),
            pytest.raises(deadlines.DeadlinePassed),
        ):
            pool.extract_units("foo#bar", "perl")
        assert time.monotonic() - started < 1.0 + isolation.GRACE_SECONDS + 3
        assert pool.stats()["killed"] == 1
        assert pool.extract_units("my $x = 1;\n", "perl")  # a new process answers
    finally:
        pool.close()


def test_a_parse_process_killed_while_idle_is_replaced() -> None:
    pool = isolation.ParsePool(size=1)
    try:
        pool.prestart()
        (child,) = pool._idle
        os.kill(child.pid, signal.SIGKILL)
        child.process.wait(timeout=5)
        assert pool.extract_units("x = 1\n", "python")
        assert pool.stats() == {"size": 1, "children": 1, "started": 2, "crashed": 0, "killed": 0}
    finally:
        pool.close()


def test_a_crashed_parse_is_answered_with_degraded_line_slices(
    monkeypatch: pytest.MonkeyPatch, unguarded: isolation.ParsePool
) -> None:
    monkeypatch.setattr(isolation, "_pool", unguarded)
    monkeypatch.setattr(isolation, "_pool_pid", os.getpid())
    service = Service(Settings(engine="structural", cache_url="memory://"))
    source = CRASH_INPUT + "".join(f"echo line {n}\n" for n in range(60))
    for attempt in range(40):
        request = AnalyzeRequest(filename=f"crash{attempt}.sh", source_code=source)
        answer = service.analyze(request)
        if "degraded" in answer.metadata:
            break
        unguarded.close()
        unguarded._closed = False
    else:
        pytest.fail("the unguarded bash grammar did not crash in 40 processes")
    assert answer.metadata["engine"] == "structural"
    assert "bash parser crashed" in answer.metadata["degraded"]
    ranges = [r for block in answer.blocks for r in block.ranges]
    assert ranges[0][0] == 1
    assert ranges[-1][1] == 61
    # Not cached: the same file asked again is parsed again.
    again = service.analyze(AnalyzeRequest(filename=f"crash{attempt}.sh", source_code=source))
    assert again.metadata["cache_hit"] == 0


def test_parse_processes_never_exceed_the_pool_size() -> None:
    import threading

    pool = isolation.ParsePool(size=2)
    rng = random.Random(5)
    sources = [
        "\n".join(f"def f{n}_{k}():\n    return {k}\n" for k in range(rng.randint(5, 50)))
        for n in range(12)
    ]
    results: list[int] = []
    try:
        threads = [
            threading.Thread(
                target=lambda s=s: results.append(len(pool.extract_units(s, "python")))
            )
            for s in sources
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert len(results) == len(sources)
        assert pool.stats()["started"] <= 2
    finally:
        pool.close()


def test_a_child_left_by_a_thread_stopped_mid_call_is_reclaimed() -> None:
    import threading

    pool = isolation.ParsePool(size=1)
    try:
        # As when the budget's stop lands after a child was taken, before it was given back.
        taker = threading.Thread(target=pool._acquire, args=(None,))
        taker.start()
        taker.join(30)
        assert pool.stats()["children"] == 1
        assert pool.extract_units("x = 1\n", "python")
        assert pool.stats()["started"] == 2
    finally:
        pool.close()
