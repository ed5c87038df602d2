"""The cheap answer past an engine's budget: the file cut into a few line slices.

Linear in the file's size and honest about what it is: labels say "Lines 1-400" and the
answer is marked degraded by the service. Cuts move to the next top-level line (one that
starts in column 0) near the slice boundary, so a slice rarely splits a definition.
"""

from __future__ import annotations

from ..analysis import Analysis, Block, Range
from ..postprocess import count_lines

MAX_SLICES = 12
MIN_SLICE_LINES = 40


def slice_ranges(source: str) -> list[Range]:
    """At most 12 contiguous ranges covering every line, cut at top-level lines."""
    lines = source.split("\n")
    total = count_lines(source)
    size = max(MIN_SLICE_LINES, -(-total // MAX_SLICES))
    ranges: list[Range] = []
    start = 1
    while start <= total:
        end = min(total, start + size - 1)
        end = _snap(lines, end, total, window=size // 4)
        ranges.append((start, end))
        start = end + 1
    return ranges


def _snap(lines: list[str], end: int, total: int, window: int) -> int:
    """``end`` moved forward to just before the next top-level line, within ``window``."""
    for candidate in range(end, min(total, end + window)):
        following = lines[candidate]  # line candidate + 1, 0-based
        if following and not following[0].isspace():
            return candidate
    return end


def sliced(source: str, language: str, engine: str) -> Analysis:
    """The line-slice outline of ``source``."""
    blocks = tuple(
        Block(f"Lines {start}-{end}", f"Lines {start} to {end} of the file.", ((start, end),))
        for start, end in slice_ranges(source)
    )
    intent = f"Outline of {count_lines(source)} lines by line ranges"
    return Analysis(intent, blocks, {"engine": engine, "language": language})
