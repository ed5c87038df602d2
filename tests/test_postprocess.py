"""Post-processing enforces the output invariants whatever an engine returns."""

from __future__ import annotations

from invariants import assert_valid_analysis
from iris_codes.models import Analysis, Block
from iris_codes.postprocess import (
    count_lines,
    enforce,
    normalize_ranges,
    subtract_ranges,
)

SOURCE = "\n".join(f"line {n}" for n in range(1, 21)) + "\n"


def _body(analysis: Analysis) -> dict[str, object]:
    body = analysis.to_dict()
    body["metadata"] = {"engine": "test", "cache_hit": 0, "latency_ms": 0}
    return body


def test_counts_lines_as_editors_do() -> None:
    assert count_lines("") == 0
    assert count_lines("a") == 1
    assert count_lines("a\n") == 1
    assert count_lines("a\nb") == 2
    assert count_lines("a\n\n") == 2


def test_clamps_sorts_and_merges_touching_ranges() -> None:
    assert normalize_ranges([(15, 30), (0, 2), (3, 4), (8, 6)], 20) == [(1, 4), (15, 20)]


def test_subtracts_lines_claimed_earlier() -> None:
    assert subtract_ranges([(1, 10)], [(3, 4), (8, 12)]) == [(1, 2), (5, 7)]
    assert subtract_ranges([(5, 6)], [(1, 10)]) == []


def test_first_block_wins_and_empty_blocks_are_dropped() -> None:
    raw = Analysis(
        "Fixture file",
        (
            Block("Request parsing", "Parses.", ((1, 10),)),
            Block("Response rendering", "Renders.", ((5, 12), (30, 40))),
            Block("Shadowed block", "Gone.", ((2, 3),)),
        ),
    )
    result = enforce(raw, SOURCE)
    assert [b.label for b in result.blocks] == ["Request parsing", "Response rendering"]
    assert result.blocks[1].ranges == ((11, 12),)
    assert_valid_analysis(_body(result), SOURCE)


def test_generic_labels_are_replaced_with_located_ones() -> None:
    raw = Analysis("x", (Block("Misc helpers", "Stuff.", ((3, 5),)), Block("utils", "", ((7, 7),))))
    labels = [b.label for b in enforce(raw, SOURCE).blocks]
    assert labels == ["Code at lines 3-5", "Code at lines 7-7"]


def test_labels_are_trimmed_to_two_to_five_words() -> None:
    raw = Analysis(
        "x",
        (
            Block("Parser", "One word.", ((1, 2),)),
            Block("A very long label that keeps on going forever", "Long.", ((3, 4),)),
        ),
    )
    result = enforce(raw, SOURCE)
    assert result.blocks[0].label == "Parser definitions"
    assert result.blocks[1].label == "A very long label that"
    assert_valid_analysis(_body(result), SOURCE)


def test_duplicate_labels_are_told_apart() -> None:
    raw = Analysis(
        "x", (Block("Route handlers", "a", ((1, 2),)), Block("Route handlers", "b", ((5, 6),)))
    )
    labels = [b.label for b in enforce(raw, SOURCE).blocks]
    assert len(set(labels)) == 2


def test_intent_is_one_line_of_at_most_twenty_words() -> None:
    long_intent = "word " * 40 + "\nsecond line"
    result = enforce(Analysis(long_intent, ()), SOURCE)
    assert len(result.file_intent.split()) == 20
    assert "\n" not in result.file_intent


def test_blank_file_is_an_empty_file_with_no_blocks() -> None:
    result = enforce(Analysis("Something", (Block("Real block", "x", ((1, 1),)),)), "  \n\n")
    assert result.file_intent == "Empty file"
    assert result.blocks == ()
