"""Segmentation: cut a file's units, in source order, into sections a reader can follow.

A file is a sequence of pieces (its units, and the paragraphs of functions too long to
read as one). Every gap between neighbouring pieces gets a score from named signals
(``weights.SegmentWeights``): the author's section markers, blank-line runs, changes of
kind, shared names and references across the gap. Cuts are taken best first, within a
block count that grows with the file. The preamble (module docstring, licence header,
imports, module-level setup) is never cut: it opens the first section.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Sequence

import msgspec

from ...syntax import comments
from ...syntax.units import Unit
from .pieces import PREAMBLE_KINDS, Piece, make_pieces, split_longest
from .weights import SEGMENT, SegmentWeights

_SETUP_KINDS = frozenset({"statement", "constant"})


_PREAMBLE_SETUP_LINES = 6


_ENTRY = re.compile(r"^\s*if\s+__name__\s*==|^\s*(?:func|def|fn|public\s+static\s+void)\s+main\b")


class Section(msgspec.Struct):
    """Consecutive pieces; ``start``/``end`` are 1-based inclusive lines."""

    pieces: list[Piece]
    preamble: int = 0  # how many leading pieces are the file's preamble

    @property
    def start(self) -> int:
        return self.pieces[0].start

    @property
    def end(self) -> int:
        return self.pieces[-1].end

    @property
    def units(self) -> list[Unit]:
        return [p.unit for p in self.pieces]

    @property
    def body(self) -> list[Piece]:
        """The pieces after the preamble (all of them when there is none)."""
        return self.pieces[self.preamble :] or self.pieces


def segment(
    units: Sequence[Unit], lines: Sequence[str], weights: SegmentWeights = SEGMENT
) -> list[Section]:
    """The file's sections in source order (see the module docstring)."""
    if not units:
        return []
    line_count = len(lines)
    code_lines = sum(1 for line in lines if line.strip() and not comments.is_comment_line(line))
    low, high = block_count_range(line_count, code_lines, weights)
    target = max(weights.min_block_lines, line_count / max(1, (low + high) / 2))
    pieces = make_pieces(units, lines, target, weights)
    preamble = _preamble_length(pieces)
    # The author's own markers set the count when they ask for more sections.
    marked = sum(1 for p in pieces[preamble + 1 :] if p.marker >= 1)
    cap = weights.small_file_blocks if line_count < weights.small_file_lines else weights.max_blocks
    high = max(high, min(cap, marked + 1))
    min_lines = max(weights.min_block_lines, target * weights.min_block_share)
    cuts = _choose_cuts(pieces, lines, preamble, low, high, min_lines, weights)
    for _ in range(low):
        if len(cuts) + 1 >= low:
            break
        # Too few places to cut (a long table, one huge function): cut the longest piece
        # at its statements, then choose again.
        split = split_longest(pieces, lines, target)
        if len(split) == len(pieces):
            break
        pieces = split
        cuts = _choose_cuts(pieces, lines, preamble, low, high, min_lines, weights)
    sections: list[Section] = []
    start = 0
    for cut in [*sorted(cuts), len(pieces)]:
        sections.append(Section(pieces[start:cut]))
        start = cut
    if len(sections) > low:
        sections = _merge_setup_scraps(sections, min_lines, low)
    sections[0].preamble = min(preamble, len(sections[0].pieces))
    return sections


def _merge_setup_scraps(sections: list[Section], limit: float, low: int) -> list[Section]:
    """Short sections of nothing but statements (a closing ``#endif``, a ``main()`` call)
    join their neighbour: a section needs something to read."""
    merged: list[Section] = []
    left = len(sections)
    for section in sections:
        scrap = section.end - section.start + 1 < limit and all(
            p.unit.kind in ("comment", "import", "statement") and p.marker < 1
            for p in section.pieces
        )
        if scrap and merged and left > low:
            merged[-1].pieces.extend(section.pieces)
            left -= 1
        else:
            merged.append(section)
    if len(merged) > max(1, low):
        first = merged[0]
        if first.end - first.start + 1 < limit and all(
            p.unit.kind in ("comment", "import", "statement") for p in first.pieces
        ):
            merged[1].pieces[:0] = first.pieces
            merged = merged[1:]
    return merged


def block_count_range(
    line_count: int, code_lines: int, weights: SegmentWeights = SEGMENT
) -> tuple[int, int]:
    """The fewest and most blocks a file of this size should get."""
    low = max(1, min(weights.max_blocks, math.ceil(line_count / weights.lines_per_block_min)))
    high = max(
        low, min(weights.max_blocks, math.ceil(code_lines / weights.code_lines_per_block_max))
    )
    if line_count < weights.small_file_lines:
        low, high = 1, max(1, min(weights.small_file_blocks, high))
    return low, high


def _category(piece: Piece) -> str:
    unit = piece.unit
    if _ENTRY.match(unit.signature) or unit.name == "main":
        return "entry"
    if unit.kind in ("comment", "import", "statement"):
        return "setup"
    if unit.kind in ("class", "type"):
        return "type"
    if unit.kind in ("method", "paragraph"):
        return f"member:{unit.parent}"
    return unit.kind


def _gap_scores(pieces: list[Piece], lines: Sequence[str], weights: SegmentWeights) -> list[float]:
    """``scores[i]``: how good a cut is just before ``pieces[i]`` (``scores[0]`` unused)."""
    top = [p.blank_before for p in pieces[1:] if p.unit.parent is None]
    member = [p.blank_before for p in pieces[1:] if p.unit.parent is not None]
    usual_top = _median(top)
    usual_member = _median(member)
    scores = [0.0] * len(pieces)
    w = weights.window
    for i in range(1, len(pieces)):
        piece, before = pieces[i], pieces[i - 1]
        score = weights.marker * piece.marker if piece.marker >= 1 else 0.0
        score += weights.heading * piece.marker if piece.marker < 1 else 0.0
        usual = usual_member if piece.unit.parent is not None else usual_top
        if piece.blank_before > usual:
            score += weights.blank_run
        if _category(piece) != _category(before):
            score += weights.kind_change
        if piece.unit.parent != before.unit.parent and (piece.unit.parent or before.unit.parent):
            score += weights.parent_change
        if piece.unit.kind in ("class", "type") and piece.unit.parent is None:
            score += weights.class_start
        left, right = pieces[max(0, i - w) : i], pieces[i : i + w]
        score -= weights.references * _references(left, right)
        score -= weights.shared_names * _overlap([p.words for p in left], [p.words for p in right])
        score -= weights.topic * _doc_overlap(left, right)
        if piece.inside:
            score -= weights.inside_unit
        scores[i] = score
    return scores


def _median(values: list[int]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return float(ordered[len(ordered) // 2])


def _references(left: list[Piece], right: list[Piece]) -> float:
    links = 0
    for a in left:
        for b in right:
            if (a.unit.defines & b.unit.uses) or (b.unit.defines & a.unit.uses):
                links += 1
    return links / max(1, len(left) * len(right))


def _overlap(left: list[frozenset[str]], right: list[frozenset[str]]) -> float:
    a = frozenset().union(*left) if left else frozenset()
    b = frozenset().union(*right) if right else frozenset()
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _doc_overlap(left: list[Piece], right: list[Piece]) -> float:
    return _overlap([p.doc_words for p in left], [p.doc_words for p in right])


def _preamble_length(pieces: list[Piece]) -> int:
    """Leading pieces that are docstring, licence, imports and short module setup.

    A file that is mostly imports (an index of re-exports) has no preamble beyond its
    opening comments: the imports are its content.
    """
    count = _leading_setup(pieces)
    if count and pieces[count - 1].end > 0.5 * pieces[-1].end:
        count = 0
        while count < len(pieces) and pieces[count].unit.kind == "comment":
            count += 1
    return count


def _leading_setup(pieces: list[Piece]) -> int:
    count = 0
    for piece in pieces:
        unit = piece.unit
        short_setup = (
            unit.kind in _SETUP_KINDS
            and unit.end - unit.start < _PREAMBLE_SETUP_LINES
            and not _ENTRY.match(unit.signature)
        )
        if unit.kind in PREAMBLE_KINDS or short_setup:
            count += 1
            continue
        break
    return count


def _choose_cuts(
    pieces: list[Piece],
    lines: Sequence[str],
    preamble: int,
    low: int,
    high: int,
    min_lines: float,
    weights: SegmentWeights,
) -> set[int]:
    """Cut indices (a cut at ``i`` starts a section with ``pieces[i]``), best first."""
    scores = _gap_scores(pieces, lines, weights)
    # The preamble opens the first section: no cut inside it or right after it.
    first_allowed = max(1, preamble + 1)
    allowed = list(range(first_allowed, len(pieces)))
    if not allowed or high <= 1:
        return set()
    cuts: list[int] = []
    bounds = [0, len(pieces)]  # kept sorted
    starts = [p.start for p in pieces]
    ends = [p.end for p in pieces]
    while len(cuts) + 1 < high:
        best, best_value = -1, -math.inf
        for i in allowed:
            edge = bisect.bisect_left(bounds, i)
            if bounds[edge] == i:
                continue  # already a cut
            left_edge, right_edge = bounds[edge - 1], bounds[edge]
            seg_start = starts[left_edge]
            seg_end = ends[right_edge - 1]
            # The preamble does not count towards the first section's size.
            body_start = starts[min(preamble, i - 1)] if left_edge == 0 else seg_start
            left_len = ends[i - 1] - body_start + 1
            right_len = seg_end - starts[i] + 1
            short = min(left_len, right_len) < min_lines
            if short and pieces[i].marker < 1:
                continue
            span = max(1, seg_end - seg_start + 1)
            value = scores[i] + weights.balance * 2 * min(left_len, right_len) / span
            if value > best_value:
                best, best_value = i, value
        if best < 0:
            break
        if len(cuts) + 1 >= low and scores[best] < weights.threshold:
            break
        cuts.append(best)
        bisect.insort(bounds, best)
    return set(cuts)
