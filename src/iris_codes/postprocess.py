"""Enforces the output invariants of DESIGN.md on any engine's answer.

Ranges are clamped to the file, sorted, merged when they touch, and a line claimed
by an earlier block is removed from later ones (first block wins). Blocks left with
no ranges are dropped. The same holds within each level of ``children``, whose ranges are
also kept inside their parent's; a block left with one child keeps none. Labels become
2–5 word phrases that are never generic; the intent is at most 20 words. An empty file
gives "Empty file" and no blocks. No text field keeps a control character (``clean_text``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .analysis import Analysis, Block, Range
from .textsafe import strip_controls

EMPTY_FILE_INTENT = "Empty file"
MAX_INTENT_WORDS = 20
MAX_LABEL_WORDS = 5
# Characters: a word can be any length (a 200,000-character identifier), so words alone
# do not bound what a client has to show.
MAX_LABEL_CHARS = 80
MAX_DESCRIPTION_CHARS = 300
MAX_INTENT_CHARS = 200
GENERIC_WORDS = frozenset(
    {
        "misc", "miscellaneous", "helper", "helpers", "utility", "utilities", "util", "utils",
        "other", "others", "everything", "else", "stuff", "various", "general", "common",
        "remaining", "rest", "code", "functions", "function", "methods", "things", "bits", "and",
    }
)  # fmt: skip
_SPACE = re.compile(r"\s+")
_EDGE_PUNCT = " \t.,;:!?-–—*_`'\"#/\\|"


def count_lines(source: str) -> int:
    """Lines as editors number them (``\\n`` endings; a trailing newline adds none)."""
    if not source:
        return 0
    return source.count("\n") + (0 if source.endswith("\n") else 1)


def is_blank(source: str) -> bool:
    return not source.strip()


def normalize_ranges(ranges: Iterable[Range], line_count: int) -> list[Range]:
    """Clamp to ``1..line_count``, drop empty ones, sort, and merge touching ranges."""
    clamped = sorted(
        (max(1, int(start)), min(line_count, int(end)))
        for start, end in ranges
        if max(1, int(start)) <= min(line_count, int(end))
    )
    merged: list[Range] = []
    for start, end in clamped:
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def subtract_ranges(ranges: list[Range], taken: list[Range]) -> list[Range]:
    """``ranges`` minus the lines in ``taken`` (both sorted and merged)."""
    result: list[Range] = []
    for start, end in ranges:
        cursor = start
        for t_start, t_end in taken:
            if t_end < cursor or t_start > end:
                continue
            if t_start > cursor:
                result.append((cursor, t_start - 1))
            cursor = max(cursor, t_end + 1)
            if cursor > end:
                break
        if cursor <= end:
            result.append((cursor, end))
    return result


def clean_text(text: str) -> str:
    """One line of text: controls (escape sequences from a docstring) out, spaces collapsed."""
    return _SPACE.sub(" ", strip_controls(text)).strip()


def cut(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, cut at a word when one ends late enough."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space >= limit // 2:
        head = head[:space]
    return head.rstrip(_EDGE_PUNCT) + "…"


def is_generic_label(label: str) -> bool:
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", label)]
    return not words or all(word in GENERIC_WORDS for word in words)


def clean_label(label: str, ranges: list[Range]) -> str:
    """A 2–5 word noun phrase; a generic or empty label gets a located fallback."""
    words = clean_text(label).strip(_EDGE_PUNCT).split(" ")
    words = [w for w in words if w][:MAX_LABEL_WORDS]
    text = " ".join(words).rstrip(_EDGE_PUNCT)
    if is_generic_label(text):
        start, end = ranges[0][0], ranges[-1][1]
        return f"Code at lines {start}-{end}"
    text = cut(text, MAX_LABEL_CHARS)
    if len(text.split(" ")) == 1:  # also after a cut left one very long word
        suffix = " definitions" if text[:1].isupper() else " code"
        text = cut(text, MAX_LABEL_CHARS - len(suffix)) + suffix
    return text[:1].upper() + text[1:]


def clean_intent(intent: str, fallback: str) -> str:
    """One line of at most 20 words."""
    words = clean_text(intent).split(" ")
    text = " ".join(w for w in words if w)
    if not text:
        text = fallback
    words = text.split(" ")
    if len(words) > MAX_INTENT_WORDS:
        text = " ".join(words[:MAX_INTENT_WORDS]).rstrip(_EDGE_PUNCT)
    return cut(text, MAX_INTENT_CHARS)


def intersect_ranges(ranges: list[Range], within: list[Range]) -> list[Range]:
    """The lines of ``ranges`` that are also in ``within`` (both sorted and merged)."""
    result: list[Range] = []
    for start, end in ranges:
        for w_start, w_end in within:
            low, high = max(start, w_start), min(end, w_end)
            if low <= high:
                result.append((low, high))
    return result


def enforce(analysis: Analysis, source: str, filename: str = "") -> Analysis:
    """Return ``analysis`` with every output invariant holding for ``source``."""
    if is_blank(source):
        return Analysis(EMPTY_FILE_INTENT, (), analysis.metadata)
    line_count = count_lines(source)
    blocks = _level(analysis.blocks, line_count, None)
    fallback = f"Source file {filename}".strip() if filename else "Source file"
    return Analysis(clean_intent(analysis.file_intent, fallback), blocks, analysis.metadata)


def _level(
    level: tuple[Block, ...], line_count: int, within: list[Range] | None
) -> tuple[Block, ...]:
    """One level of blocks with the invariants holding, children inside ``within``."""
    taken: list[Range] = []
    blocks: list[Block] = []
    labels: set[str] = set()
    for block in level:
        ranges = normalize_ranges(block.ranges, line_count)
        if within is not None:
            ranges = intersect_ranges(ranges, within)
        ranges = subtract_ranges(ranges, taken)
        if not ranges:
            continue
        label = clean_label(block.label, ranges)
        if label.lower() in labels:
            # Three words and the lines: the first block claims a line, so the start differs.
            head = " ".join(label.split(" ")[:3])
            label = clean_label(f"{cut(head, 50)} lines {ranges[0][0]}-{ranges[-1][1]}", ranges)
        labels.add(label.lower())
        description = cut(clean_text(block.description) or f"{label}.", MAX_DESCRIPTION_CHARS)
        children = _level(block.children, line_count, ranges) if block.children else ()
        if len(children) < 2:
            children = ()  # one sub-block is the block itself again
        blocks.append(Block(label, description, tuple(ranges), children))
        taken = normalize_ranges([*taken, *ranges], line_count)
    return tuple(blocks)
