"""The reusable checker of DESIGN.md's output invariants, used by every test suite."""

from __future__ import annotations

import re
from typing import Any

GENERIC_LABELS = {
    "misc",
    "miscellaneous",
    "helpers",
    "utilities",
    "utils",
    "other",
    "others",
    "everything else",
    "helper functions",
    "utility functions",
    "misc helpers",
}


def line_count(source: str) -> int:
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    if not source:
        return 0
    return source.count("\n") + (0 if source.endswith("\n") else 1)


# C0, DEL and C1: a terminal or an editor may act on any of them (DESIGN.md: "no answer
# field carries a control character").
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def assert_no_control_characters(body: dict[str, Any]) -> None:
    """Fail unless the intent and every block's label and description are free of controls."""
    fields = [("file_intent", body["file_intent"])]
    for number, block in enumerate(body["responsibility_blocks"], start=1):
        fields += [(f"block {number} label", block["label"])]
        fields += [(f"block {number} description", block["description"])]
    for name, text in fields:
        found = CONTROL_CHARACTERS.search(text)
        assert found is None, f"{name} carries control character {found.group()!r}: {text!r}"


def assert_valid_analysis(body: dict[str, Any], source: str) -> None:
    """Fail with a precise message unless ``body`` meets every output invariant for ``source``."""
    assert body.get("success") is True, body
    intent = body["file_intent"]
    blocks = body["responsibility_blocks"]
    assert_no_control_characters(body)
    assert isinstance(intent, str), "file_intent must be a string"
    assert intent.strip(), "file_intent must not be empty"
    assert "\n" not in intent, "file_intent must be one line"
    assert len(intent.split()) <= 20, f"file_intent over 20 words: {intent!r}"
    meta = body["metadata"]
    for key in ("engine", "cache_hit", "latency_ms"):
        assert key in meta, f"metadata lacks {key}"
    assert meta["cache_hit"] in (0, 1)
    if not source.strip():
        assert intent == "Empty file", intent
        assert blocks == []
        return
    assert_valid_blocks(blocks, line_count(source), None)


def assert_valid_blocks(
    blocks: list[dict[str, Any]], n: int, parent: set[int] | None, path: str = ""
) -> None:
    """One level of blocks: the invariants within it, and children inside their parent."""
    seen: set[int] = set()
    labels: list[str] = []
    for index, block in enumerate(blocks, 1):
        label = block["label"]
        where = f"{path}{index}"
        assert isinstance(block["description"], str)
        assert block["description"].strip(), f"block {where} {label!r} has no description"
        words = label.split()
        assert 2 <= len(words) <= 5, f"label not 2-5 words: {label!r}"
        assert label.lower() not in GENERIC_LABELS, f"generic label {label!r}"
        assert re.search(r"[A-Za-z]", label), f"label without words: {label!r}"
        labels.append(label.lower())
        ranges = block["ranges"]
        assert ranges, f"block {label!r} has no ranges"
        previous_end = -1
        own: set[int] = set()
        for pair in ranges:
            assert isinstance(pair, list), pair
            assert len(pair) == 2, pair
            start, end = pair
            assert isinstance(start, int), pair
            assert isinstance(end, int), pair
            assert 1 <= start <= end <= n, f"range {pair} outside 1..{n} in {label!r}"
            assert start > previous_end + 1, f"ranges unsorted, overlapping or touching: {ranges}"
            previous_end = end
            lines = set(range(start, end + 1))
            assert not (lines & seen), f"line(s) {sorted(lines & seen)[:5]} in two blocks"
            if parent is not None:
                assert lines <= parent, f"block {where} {label!r} reaches outside its parent"
            seen |= lines
            own |= lines
        children = block.get("children")
        if children is not None:
            assert isinstance(children, list), f"block {where}: children is not a list"
            assert len(children) >= 2, f"block {where}: fewer than two children"
            assert_valid_blocks(children, n, own, f"{where}.")
    assert len(labels) == len(set(labels)), f"duplicate labels: {labels}"
