"""Prompt building, answer reading, pricing and resilience parts of the LLM engine."""

from __future__ import annotations

import json

import pytest

from iris_codes.engines import llm_output, prompts
from iris_codes.engines.llm import paragraph_units, unit_list
from iris_codes.engines.pricing import Usage, cost_usd, parse_prices, price_for
from iris_codes.engines.resilience import (
    CircuitBreaker,
    Deadline,
    backoff_delay,
    retry_after_seconds,
)
from iris_codes.errors import ConfigError, LLMBadOutput
from iris_codes.syntax.units import Unit

SOURCE = "\n".join(
    [
        "import os",
        "",
        "LIMIT = 3",
        "",
        "def load(path):",
        "    return open(path).read()",
        "",
        "def main():",
        "    print(load(os.environ['P']))",
        "",
    ]
)
UNITS = [
    Unit(1, "import", "os", 1, 1, defines=frozenset({"os"})),
    Unit(2, "constant", "LIMIT", 3, 3, defines=frozenset({"LIMIT"})),
    Unit(3, "function", "load", 5, 6, defines=frozenset({"load"})),
    Unit(4, "function", "main", 8, 9, defines=frozenset({"main"}), uses=frozenset({"os", "load"})),
]


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


# -- prompts ---------------------------------------------------------------------------


def test_guided_prompt_marks_each_unit_once_with_its_number() -> None:
    prompt = prompts.guided_prompt(SOURCE, UNITS, "app.py", "python")
    assert prompt.mode == "guided"
    assert "U1> import os" in prompt.user
    assert "U3> def load(path):\n    return open(path).read()" in prompt.user
    assert prompt.user.count("U4> ") == 1
    assert "File: app.py (python, 9 lines)" in prompt.user


def test_ranges_prompt_numbers_every_line() -> None:
    prompt = prompts.ranges_prompt(SOURCE, "app.py", "python")
    assert "5| def load(path):" in prompt.user
    assert "9|     print(load(os.environ['P']))" in prompt.user
    assert "10|" not in prompt.user


def test_guided_prompt_is_smaller_than_ranges_prompt() -> None:
    body = "\n".join(f"def f{i}(x):\n    y = x + {i}\n    return y * 2\n" for i in range(60))
    units = [Unit(i + 1, "function", f"f{i}", 4 * i + 1, 4 * i + 3) for i in range(60)]
    guided = prompts.guided_prompt(body, units, "m.py", "python")
    ranges = prompts.ranges_prompt(body, "m.py", "python")
    assert guided.chars < ranges.chars


def test_guided_prompt_shows_only_unit_heads_for_big_files() -> None:
    lines = [f"    value_{n} = compute_something_long({n})" for n in range(3000)]
    body = "def big():\n" + "\n".join(lines) + "\n"
    units = [Unit(1, "function", "big", 1, 3001)]
    prompt = prompts.guided_prompt(body, units, "big.py", "python")
    assert "more lines" in prompt.user
    assert prompt.chars <= prompts.GUIDED_MAX_CHARS + len(prompts.SYSTEM_PROMPT) + 1000


def test_guided_prompt_is_capped_for_thousands_of_units() -> None:
    body = "\n".join(f"value_{n} = compute_something_long({n})  # note {n}" for n in range(20000))
    units = [Unit(n + 1, "statement", "", n + 1, n + 1) for n in range(20000)]
    prompt = prompts.guided_prompt(body, units, "data.py", "python")
    assert "not shown" in prompt.user
    assert len(prompt.user) <= prompts.GUIDED_HARD_CAP_CHARS + 200


def test_ranges_prompt_is_capped_for_huge_files() -> None:
    body = "\n".join(f"x_{n} = {n} * 2 + some_function_name(argument_{n})" for n in range(20000))
    prompt = prompts.ranges_prompt(body, "huge.py", "python")
    assert "not shown" in prompt.user
    assert len(prompt.user) <= prompts.RANGES_MAX_CHARS + 200


@pytest.mark.parametrize("mode", ["guided", "ranges"])
def test_output_schema_is_strict_everywhere(mode: str) -> None:
    schema = prompts.output_schema(mode)
    block = schema["properties"]["blocks"]["items"]
    for node in (schema, block):
        assert node["additionalProperties"] is False
        assert set(node["required"]) == set(node["properties"])
    assert ("unit_ids" in block["properties"]) == (mode == "guided")


def test_estimate_tokens_is_about_four_characters_each() -> None:
    assert prompts.estimate_tokens(400) == 100


# -- reading answers ----------------------------------------------------------------------


def test_parse_answer_rejects_malformed_json_without_echoing_it() -> None:
    with pytest.raises(LLMBadOutput, match="malformed JSON") as info:
        llm_output.parse_answer('{"file_intent": "secret-ish', "guided")
    assert "secret-ish" not in str(info.value)


def test_parse_answer_rejects_schema_invalid_output() -> None:
    with pytest.raises(LLMBadOutput, match="does not match the schema"):
        llm_output.parse_answer(json.dumps({"intent": "x", "blocks": "none"}), "guided")


def test_parse_answer_rejects_an_empty_answer() -> None:
    with pytest.raises(LLMBadOutput, match="empty"):
        llm_output.parse_answer("  ", "ranges")


def test_parse_answer_accepts_json_in_a_markdown_fence() -> None:
    text = '```json\n{"file_intent": "CLI tool", "blocks": []}\n```'
    assert llm_output.parse_answer(text, "guided").file_intent == "CLI tool"


def _guided(*blocks: list[int]) -> llm_output.GuidedAnswer:
    return llm_output.GuidedAnswer(
        file_intent="Tool",
        blocks=[
            llm_output.GuidedBlock(label=f"Block number {i}", description="d", unit_ids=ids)
            for i, ids in enumerate(blocks)
        ],
    )


def test_guided_blocks_take_ranges_from_units() -> None:
    blocks = llm_output.guided_blocks(_guided([4, 3], [1, 2]), UNITS)
    assert [b.ranges for b in blocks] == [((5, 6), (8, 9)), ((1, 1), (3, 3))]


def test_guided_blocks_ignore_out_of_range_ids() -> None:
    blocks = llm_output.guided_blocks(_guided([0, 3, 99, -2], [5, 6]), UNITS)
    assert [b.ranges for b in blocks] == [((5, 6),)]


def test_guided_blocks_give_a_duplicate_id_to_the_first_block() -> None:
    blocks = llm_output.guided_blocks(_guided([3, 4], [4, 1], [3]), UNITS)
    assert [b.ranges for b in blocks] == [((5, 6), (8, 9)), ((1, 1),)]


def _ranges(*blocks: list[tuple[int, int]]) -> llm_output.RangesAnswer:
    return llm_output.RangesAnswer(
        file_intent="Tool",
        blocks=[
            llm_output.RangesBlock(label=f"Block number {i}", description="d", ranges=r)
            for i, r in enumerate(blocks)
        ],
    )


def test_snapped_blocks_move_ranges_to_unit_boundaries() -> None:
    blocks = llm_output.snapped_blocks(_ranges([(2, 5)], [(6, 40)]), UNITS)
    # Unit 3 (5-6) is split 1:1; the earlier block wins the tie.
    assert [b.ranges for b in blocks] == [((3, 3), (5, 6)), ((8, 9),)]


def test_snapped_blocks_let_the_block_covering_most_of_a_unit_own_it() -> None:
    blocks = llm_output.snapped_blocks(_ranges([(1, 3), (6, 6)], [(4, 9)]), UNITS)
    assert [b.ranges for b in blocks] == [((1, 1), (3, 3)), ((5, 6), (8, 9))]


def test_snapped_blocks_accept_reversed_pairs() -> None:
    answer = llm_output.parse_answer(
        json.dumps(
            {
                "file_intent": "T",
                "blocks": [{"label": "A b", "description": "", "ranges": [[9, 8]]}],
            }
        ),
        "ranges",
    )
    assert isinstance(answer, llm_output.RangesAnswer)
    assert [b.ranges for b in llm_output.snapped_blocks(answer, UNITS)] == [((8, 9),)]


def test_leftover_imports_join_the_block_that_uses_them() -> None:
    blocks = llm_output.guided_blocks(_guided([3], [4]), UNITS)
    attached = llm_output.attach_leftovers(blocks, UNITS)
    assert [b.ranges for b in attached] == [((5, 6),), ((1, 1), (8, 9))]


def test_paragraph_units_cover_text_without_a_syntax_tree() -> None:
    text = "a\nb\n\nc\n" + "\n".join("x" for _ in range(10)) + "\n\nlast\n"
    units = paragraph_units(text)
    assert units[0].start == 1
    assert units[-1].end == text.count("\n")
    assert all(u.start <= u.end for u in units)


def test_unit_list_falls_back_to_paragraphs_for_unknown_languages() -> None:
    units = unit_list("alpha\nbeta\n", "no-such-language")
    assert units
    assert units[0].start == 1


# -- pricing ----------------------------------------------------------------------------


def test_cost_counts_cached_input_at_the_cached_price() -> None:
    usage = Usage(input_tokens=1_000_000, cached_input_tokens=400_000, output_tokens=100_000)
    assert cost_usd(usage, (1.0, 0.1, 10.0)) == pytest.approx(0.6 + 0.04 + 1.0)


def test_dated_model_names_use_the_base_model_price() -> None:
    table = parse_prices(None)
    assert price_for("gpt-4.1-mini-2025-04-14", table) == table["gpt-4.1-mini"]
    assert price_for("llama3:8b", table) is None


def test_unknown_model_costs_none() -> None:
    assert cost_usd(Usage(10, 0, 10), None) is None


def test_price_override_from_settings_json() -> None:
    table = parse_prices('{"llama3": [0, 0, 0], "gpt-4.1-mini": [1, 0.5, 2]}')
    assert table["llama3"] == (0.0, 0.0, 0.0)
    assert table["gpt-4.1-mini"] == (1.0, 0.5, 2.0)


def test_invalid_price_table_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="IRIS_LLM_PRICES"):
        parse_prices('{"m": [1, 2]}')


# -- resilience -------------------------------------------------------------------------


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    assert backoff_delay(1, rand=lambda lo, hi: 0.0) == pytest.approx(0.125)
    assert backoff_delay(3, rand=lambda lo, hi: hi) == pytest.approx(1.0)
    assert backoff_delay(30, rand=lambda lo, hi: hi) == pytest.approx(4.0)


def test_retry_after_reads_seconds_milliseconds_and_dates() -> None:
    assert retry_after_seconds({"Retry-After": "3"}) == 3.0
    assert retry_after_seconds({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    date = "Fri, 27 Nov 2026 12:00:10 GMT"
    now = 1_795_780_800.0  # 2026-11-27 12:00:00 UTC
    assert retry_after_seconds({"Retry-After": date}, now=now) == pytest.approx(10.0)
    assert retry_after_seconds({"Retry-After": "soon"}) is None
    assert retry_after_seconds({}) is None


def test_deadline_counts_down_to_zero() -> None:
    clock = _Clock()
    deadline = Deadline(5, clock)
    clock.now += 3
    assert deadline.remaining() == pytest.approx(2)
    clock.now += 10
    assert deadline.remaining() == 0
    assert deadline.expired


def test_breaker_opens_after_consecutive_failures_then_half_opens() -> None:
    clock = _Clock()
    breaker = CircuitBreaker(threshold=3, cooldown=30, clock=clock)
    for _ in range(3):
        assert breaker.allow()
        breaker.record_failure()
    assert breaker.state == "open"
    assert not breaker.allow()
    clock.now += 31
    assert breaker.state == "half_open"
    assert breaker.allow()
    assert not breaker.allow(), "only one trial call while half-open"
    breaker.record_success()
    assert breaker.state == "closed"


def test_breaker_reopens_when_the_trial_call_fails() -> None:
    clock = _Clock()
    breaker = CircuitBreaker(threshold=2, cooldown=10, clock=clock)
    breaker.record_failure()
    breaker.record_failure()
    clock.now += 11
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state == "open"
    assert breaker.retry_in() == pytest.approx(10)


def test_a_success_resets_the_failure_count() -> None:
    breaker = CircuitBreaker(threshold=2, cooldown=10)
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    assert breaker.state == "closed"
