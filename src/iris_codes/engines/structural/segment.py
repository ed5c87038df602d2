"""Segmentation: cut a file's units, in source order, into sections a reader can follow.

A file is a sequence of pieces (its units, and the comment-headed paragraphs of functions
too long to read as one). Every gap between neighbouring pieces gets a score from named
signals (``weights.SegmentWeights``): the author's section markers, blank-line runs,
changes of kind, shared names and references across the gap. Cuts are taken best first,
within a block count that follows the author's own groups in a small file and grows with
the size of a long one. The preamble (module docstring, licence header, imports,
module-level setup) is never cut: it opens the first section. A class's header stays with
its first member. A section longer than ``nest_lines`` is cut again into children the same
way, down to the paragraphs of one long function when it is nothing else.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import msgspec

from ...syntax.units import Unit
from .pieces import (
    FUNCTION_KINDS,
    PREAMBLE_KINDS,
    Piece,
    as_pieces,
    doc_sections,
    make_pieces,
    paragraphs,
    split_longest,
)
from .text import Text
from .weights import SEGMENT, SegmentWeights

_SETUP_KINDS = frozenset({"statement", "constant"})
_ENTRY = re.compile(r"^\s*if\s+__name__\s*==|^\s*(?:func|def|fn|public\s+static\s+void)\s+main\b")


class Section(msgspec.Struct):
    """Consecutive pieces; ``start``/``end`` are 1-based inclusive lines."""

    pieces: list[Piece]
    preamble: int = 0  # how many leading pieces are the file's preamble
    children: list[Section] = msgspec.field(default_factory=list)

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


def segment(units: Sequence[Unit], text: Text, weights: SegmentWeights = SEGMENT) -> list[Section]:
    """The file's sections in source order, long ones with children (module docstring)."""
    if not units:
        return []
    line_count = len(text.lines)
    low, high = block_count_range(line_count, text.reading_lines, weights)
    target = max(weights.min_block_lines, line_count / max(1, (low + high) / 2))
    pieces = make_pieces(units, text, target, weights)
    sections = cut(pieces, text, _preamble_length(pieces, text), weights)
    for section in sections:
        nest(section, text, weights, 1)
    return sections


def cut(
    pieces: list[Piece], text: Text, preamble: int, weights: SegmentWeights, nested: bool = False
) -> list[Section]:
    """``pieces`` (the first ``preamble`` of them a preamble) cut into sections
    (``nested``: a long section's children, which may part things that belong together)."""
    start, end = pieces[0].start, pieces[-1].end
    line_count = end - start + 1
    code_lines = text.reading(start, end)
    low, high = block_count_range(line_count, code_lines, weights)
    target = max(weights.min_block_lines, line_count / max(1, (low + high) / 2))
    # The author's own markers set the count when they ask for more sections, and in a
    # small file so do the author's groups.
    marked = sum(1 for p in pieces[preamble + 1 :] if p.marker >= 1)
    high = max(high, min(weights.max_blocks, marked + 1))
    small = code_lines <= weights.small_file_code
    if small:
        high = max(high, min(weights.max_blocks, _groups(pieces, preamble)))
    min_code = weights.min_block_code if small else max(
        weights.min_block_code, text.reading(start, end) / max(1, (low + high) / 2)
        * weights.min_block_share,
    )  # fmt: skip
    if nested or line_count > weights.table_lines:
        # Children, and the top of a long file, need their cuts even between like things.
        weights = msgspec.structs.replace(weights, forced_min=-math.inf)
    cuts = _choose_cuts(pieces, text, preamble, low, high, min_code, weights, nested)
    for _ in range(low):
        if len(cuts) + 1 >= low:
            break
        # Too few places to cut (a long table, one huge statement): cut the longest piece
        # that may be cut at its statements, then choose again.
        split = split_longest(pieces, text, target)
        if len(split) == len(pieces):
            break
        pieces = split
        cuts = _choose_cuts(pieces, text, preamble, low, high, min_code, weights, nested)
    sections: list[Section] = []
    first = 0
    for index in [*sorted(cuts), len(pieces)]:
        sections.append(Section(pieces[first:index]))
        first = index
    if len(sections) > low:
        sections = _merge_setup_scraps(sections, text, min_code, low, nested)
    sections[0].preamble = min(preamble, len(sections[0].pieces))
    return sections


def nest(section: Section, text: Text, weights: SegmentWeights, depth: int) -> None:
    """Give ``section`` children when it is longer than ``weights.nest_lines``."""
    if section.end - section.start + 1 <= weights.nest_lines or depth > weights.max_depth:
        return
    pieces = list(section.pieces)
    preamble = section.preamble
    # Cut open the pieces too long to read as one, longest first, until none is (or none
    # can be cut further).
    whole: set[int] = set()
    for _ in range(weights.max_blocks):
        longest = max(
            (i for i in range(len(pieces)) if id(pieces[i]) not in whole),
            key=lambda i: pieces[i].end - pieces[i].start,
            default=-1,
        )
        if longest < 0:
            break
        piece = pieces[longest]
        if len(pieces) - preamble >= 2 and piece.end - piece.start + 1 <= weights.nest_lines:
            break
        split = _split_for_children(piece, text)
        if len(split) < 2:
            whole.add(id(piece))
            continue
        if piece.unit.kind == "comment":
            # Documentation opens at its top headings here; a long part of it is cut at
            # its own headings one level down, as that part's children.
            whole.update(id(p) for p in split)
        pieces[longest : longest + 1] = split
    if len(pieces) - preamble < 2:
        if len(pieces) < 2:
            return
        preamble = 0  # inside a long block, its header and imports may be a part of their own
    children = cut(pieces, text, preamble, weights, nested=True)
    if len(children) < 2 and preamble:
        children = cut(pieces, text, 0, weights, nested=True)  # the header as a part
    if len(children) < 2:
        return
    section.children = children
    for child in children:
        nest(child, text, weights, depth + 1)


def _split_for_children(piece: Piece, text: Text) -> list[Piece]:
    """One long piece as its parts, finest last: a function's comment-headed paragraphs,
    then those after a blank line, then its statements every few lines; documentation at
    its own headings."""
    unit = piece.unit
    notes = text.reading(unit.start, unit.end) - text.code(unit.start, unit.end)
    if unit.kind in PREAMBLE_KINDS or notes * 2 > 0.7 * (unit.end - unit.start + 1):
        # Documentation, or a definition that is mostly its doc comment: the doc's headings.
        parts, titles = doc_sections(unit, text)
        if len(parts) >= 2 or unit.kind in PREAMBLE_KINDS:
            return as_pieces(piece, parts, text, titles) if len(parts) >= 2 else [piece]
    attempts: list[list[Unit]] = []
    if unit.kind in FUNCTION_KINDS:
        attempts.append(paragraphs(unit, text, headed=True))
    attempts.append(paragraphs(unit, text))
    attempts.append(paragraphs(unit, text, blank=False, chunk=20))
    for parts in attempts:
        if len(parts) >= 2:
            return as_pieces(piece, parts, text)
    return [piece]


def _groups(pieces: list[Piece], preamble: int) -> int:
    """How many groups the author made: runs of pieces apart by blank lines, and pieces
    headed by a marker or a comment of their own."""
    return 1 + sum(1 for p in pieces[preamble + 1 :] if p.blank_before > 0 or p.marker >= 0.5)


def _merge_setup_scraps(
    sections: list[Section], text: Text, limit: float, low: int, nested: bool = False
) -> list[Section]:
    """Short sections of nothing but statements (a closing ``#endif``, a ``main()`` call)
    join their neighbour: a section needs something to read."""
    merged: list[Section] = []
    left = len(sections)
    for section in sections:
        scrap = text.reading(section.start, section.end) < limit and all(
            p.unit.kind in ("comment", "import", "statement") and p.marker < 1
            for p in section.pieces
        )
        if scrap and merged and left > low:
            merged[-1].pieces.extend(section.pieces)
            left -= 1
        else:
            merged.append(section)
    if len(merged) > max(1, low) and not nested:  # a long block's header may stand alone
        first = merged[0]
        if text.reading(first.start, first.end) < limit and all(
            p.unit.kind in ("comment", "import", "statement") for p in first.pieces
        ):
            merged[1].pieces[:0] = first.pieces
            merged = merged[1:]
    return merged


def block_count_range(
    line_count: int, code_lines: float, weights: SegmentWeights = SEGMENT
) -> tuple[int, int]:
    """The fewest and most blocks a stretch of this size should get: about one per 20-40
    lines of code (``code_lines``: its reading weight, documentation at half)."""
    low = max(1, min(weights.max_blocks, math.ceil(code_lines / weights.lines_per_block_min)))
    high = max(
        low, min(weights.max_blocks, math.ceil(code_lines / weights.code_lines_per_block_max))
    )
    if code_lines <= weights.small_file_code:
        low = 1
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


def _gap_scores(pieces: list[Piece], weights: SegmentWeights, small: bool = False) -> list[float]:
    """``scores[i]``: how good a cut is just before ``pieces[i]`` (``scores[0]`` unused)."""
    top = [p.blank_before for p in pieces[1:] if p.unit.parent is None]
    member = [p.blank_before for p in pieces[1:] if p.unit.parent is not None]
    usual_top = _median(top)
    usual_member = _median(member)
    categories = [_category(p) for p in pieces]
    owners = _owners(pieces)
    scores = [0.0] * len(pieces)
    w = weights.window
    for i in range(1, len(pieces)):
        piece, before = pieces[i], pieces[i - 1]
        score = weights.marker * piece.marker if piece.marker >= 1 else 0.0
        score += weights.heading * piece.marker if piece.marker < 1 else 0.0
        usual = usual_member if piece.unit.parent is not None else usual_top
        if piece.blank_before > usual:
            score += weights.blank_run
        elif small and piece.blank_before and piece.unit.parent is None:
            score += weights.small_group  # in a small file each group of the author's counts
        if categories[i] != categories[i - 1]:
            score += weights.kind_change
        if owners[i] != owners[i - 1] and (owners[i] or owners[i - 1]):
            score += weights.parent_change
        if piece.unit.kind in ("class", "type") and piece.unit.parent is None:
            score += weights.class_start
        left, right = pieces[max(0, i - w) : i], pieces[i : i + w]
        if piece.unit.id == before.unit.id:
            # Parts of one unit share its names and references by birth: say nothing.
            if piece.inside:
                score -= weights.inside_unit
            scores[i] = score
            continue
        score -= weights.references * _references(left, right)
        score -= weights.shared_names * _overlap([p.words for p in left], [p.words for p in right])
        score -= weights.topic * _overlap([p.doc_words for p in left], [p.doc_words for p in right])
        if piece.inside:
            score -= weights.inside_unit
        scores[i] = score
    return scores


_PROTOTYPE = re.compile(r"^([\w$]+)\.prototype\.")


def _owners(pieces: list[Piece]) -> list[str | None]:
    """Whose member each piece is: its class, or the constructor whose prototype it is
    assigned to (``Decoder.prototype.write = function``: JavaScript's classes before
    ``class``), the constructor itself included."""
    constructors = {m.group(1) for p in pieces if (m := _PROTOTYPE.match(p.unit.name))}
    owners: list[str | None] = []
    for piece in pieces:
        unit = piece.unit
        match = _PROTOTYPE.match(unit.name)
        if unit.parent or not constructors:
            owners.append(unit.parent)
        elif match:
            owners.append(match.group(1))
        else:
            owners.append(unit.name if unit.name in constructors else None)
    return owners


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


def _preamble_length(pieces: list[Piece], text: Text) -> int:
    """Leading pieces that are docstring, licence, imports and short module setup.

    A file that is mostly imports (an index of re-exports) has no preamble beyond its
    opening comments: the imports are its content.
    """
    count = _leading_setup(pieces, text)
    if not any(p.unit.kind in PREAMBLE_KINDS for p in pieces[:count]):
        return 0  # setup with no imports or header before it is the file's content
    if count and pieces[count - 1].end > SEGMENT.preamble_share * pieces[-1].end:
        count = 0
        while count < len(pieces) and pieces[count].unit.kind == "comment":
            count += 1
    return count


def _leading_setup(pieces: list[Piece], text: Text) -> int:
    """Leading comments and imports, and module-level setup of at most a few lines of code
    in all (a licence comment over an ``#if`` line is still setup)."""
    count = 0
    setup = 0
    for piece in pieces:
        unit = piece.unit
        if (count or piece.title) and unit.kind in _SETUP_KINDS and piece.marker >= 0.5:
            break  # the author headed it as a part of its own: the preamble ends here
        if unit.kind in _SETUP_KINDS and not _ENTRY.match(unit.signature):
            setup += text.code(unit.start, unit.end)
            if setup >= SEGMENT.preamble_setup_lines:
                break
            count += 1
            continue
        if unit.kind in PREAMBLE_KINDS:
            count += 1
            continue
        break
    return count


def _header_of_next(pieces: list[Piece], i: int) -> bool:
    """``pieces[i - 1]`` is a class's header and ``pieces[i]`` its first member."""
    head, member = pieces[i - 1].unit, pieces[i].unit
    return (
        head.kind in ("class", "type")
        and member.parent is not None
        and (member.parent == head.name or head.name.endswith(member.parent))
    )


def _choose_cuts(
    pieces: list[Piece],
    text: Text,
    preamble: int,
    low: int,
    high: int,
    min_code: float,
    weights: SegmentWeights,
    nested: bool = False,
) -> set[int]:
    """Cut indices (a cut at ``i`` starts a section with ``pieces[i]``), best first
    (``nested``: children, which may part a function without starting at its head)."""
    small = text.reading(pieces[0].start, pieces[-1].end) <= weights.small_file_code
    scores = _gap_scores(pieces, weights, small)
    # The preamble opens the first section: no cut inside it or right after it.
    first_allowed = max(1, preamble + 1)
    allowed = [i for i in range(first_allowed, len(pieces)) if not _header_of_next(pieces, i)]
    # A function's later paragraph may start a section only once the function's own first
    # piece does: a function's head never ends the section before it.
    head_of = {}
    for i, piece in enumerate(pieces):
        if piece.inside:
            j = i
            while j > 0 and pieces[j].inside:
                j -= 1
            if pieces[j].unit.kind in FUNCTION_KINDS and not nested:
                head_of[i] = j
    if not allowed or high <= 1:
        return set()
    cuts: set[int] = set()
    ok = [False] * len(pieces)
    for i in allowed:
        ok[i] = True
    # Pieces cover the lines between them only with blanks: code in pieces a..b-1 is
    # upto[b] - upto[a].
    upto = [0.0]
    for piece in pieces:
        upto.append(upto[-1] + text.reading(piece.start, piece.end))
    balance = weights.balance * 2

    def best_in(left: int, right: int) -> tuple[float, int]:
        """The best cut inside the section ``pieces[left:right]``."""
        best, best_value = -1, -math.inf
        span = max(1, upto[right] - upto[left])
        for i in range(max(left + 1, first_allowed), right):
            if not ok[i]:
                continue
            head = head_of.get(i)
            if head is not None and head > preamble and head not in cuts:
                continue
            # The preamble does not count towards the first section's size.
            body_start = min(preamble, i - 1) if left == 0 else left
            shorter = min(upto[i] - upto[body_start], upto[right] - upto[i])
            if shorter < min_code and pieces[i].marker < 1:
                continue
            value = scores[i] + balance * shorter / span
            if value > best_value:
                best, best_value = i, value
        return best_value, best

    # Each section keeps its own best cut; only the two halves of a cut one are looked at
    # again.
    sections = {(0, len(pieces)): best_in(0, len(pieces))}
    while len(cuts) + 1 < high and sections:
        (left, right), (_, best) = max(sections.items(), key=lambda it: (it[1][0], -it[1][1]))
        if best < 0:
            break
        if len(cuts) + 1 >= low and scores[best] < weights.threshold:
            break
        inside = weights.inside_unit if pieces[best].inside else 0.0
        table = {pieces[best].unit.kind, pieces[best - 1].unit.kind} <= _SETUP_KINDS
        if table and scores[best] + inside <= weights.forced_min:
            # Even short of the fewest blocks, no cut between definitions that belong
            # together (a table of like entries); a long unit's paragraphs may still part.
            break
        cuts.add(best)
        del sections[(left, right)]
        sections[(left, best)] = best_in(left, best)
        sections[(best, right)] = best_in(best, right)
        # A cut at a function's head opens its paragraphs to cuts in other sections too.
        for key in [k for k, v in sections.items() if v[1] < 0 and k != (left, best)]:
            if any(head_of.get(i) == best for i in range(key[0] + 1, key[1])):
                sections[key] = best_in(*key)
    return cuts
