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
import dataclasses
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from ...syntax import comments
from ...syntax.references import identifiers, split_words
from ...syntax.units import Unit
from . import intent, vocabulary
from .weights import SEGMENT, SegmentWeights

_RULE = re.compile(r"^[\s\-=*#~_+/<>.]{3,}$")
_RULE_TEXT = re.compile(r"^[\-=*#~_+/<>.]{2,}\s*(.*?)\s*[\-=*#~_+/<>.]*$")
_EXPLICIT = re.compile(
    r"^\s*(?:(?://|#|--|;+)\s*)?(?:MARK:\s*-?\s*|#?pragma\s+region\b\s*|#?region\b\s*|"
    r"<editor-fold\b[^>]*?desc=\"?|\{\{\{\s*)(.*)$",
    re.I,
)
_POD = re.compile(r"^=head[1-4]\s+(.*)$")
_PREAMBLE_KINDS = frozenset({"comment", "import"})
_HTML_HEADING = re.compile(r"^<h[1-6][^>]*>(.*?)</h[1-6]>", re.I)
_CLOSER = re.compile(r"^\s*(?:[}\])]|#|end\b|fi\b|done\b|esac\b)")
_SPLITTABLE = frozenset({"function", "method", "statement", "constant", "type"})
_SETUP_KINDS = frozenset({"statement", "constant"})
_PREAMBLE_SETUP_LINES = 6
_ENTRY = re.compile(r"^\s*if\s+__name__\s*==|^\s*(?:func|def|fn|public\s+static\s+void)\s+main\b")


@dataclass
class Piece:
    """A unit, or a paragraph of a long unit, with what precedes it in the source."""

    unit: Unit
    blank_before: int = 0
    marker: float = 0.0  # strength of the section marker heading this piece
    title: str = ""  # the marker's or heading comment's words, if any
    inside: bool = False  # a paragraph after the first of a long unit
    words: frozenset[str] = field(default_factory=frozenset)
    doc_words: frozenset[str] = field(default_factory=frozenset)

    @property
    def start(self) -> int:
        return self.unit.start

    @property
    def end(self) -> int:
        return self.unit.end


@dataclass
class Section:
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
    pieces = _pieces(units, lines, target, weights)
    preamble = _preamble_length(pieces)
    # The author's own markers set the count when they ask for more sections.
    marked = sum(1 for p in pieces[preamble + 1 :] if p.marker >= 1)
    cap = weights.small_file_blocks if line_count < weights.small_file_lines else weights.max_blocks
    high = max(high, min(cap, marked + 1))
    min_lines = max(weights.min_block_lines, target * weights.min_block_share)
    cuts = _cuts(pieces, lines, preamble, low, high, min_lines, weights)
    for _ in range(low):
        if len(cuts) + 1 >= low:
            break
        # Too few places to cut (a long table, one huge function): cut the longest piece
        # at its statements, then choose again.
        split = _split_longest(pieces, lines, target)
        if len(split) == len(pieces):
            break
        pieces = split
        cuts = _cuts(pieces, lines, preamble, low, high, min_lines, weights)
    sections: list[Section] = []
    start = 0
    for cut in [*sorted(cuts), len(pieces)]:
        sections.append(Section(pieces[start:cut]))
        start = cut
    if len(sections) > low:
        sections = _merge_setup_scraps(sections, min_lines, low)
    sections[0].preamble = min(preamble, len(sections[0].pieces))
    return sections


def _cuts(
    pieces: list[Piece],
    lines: Sequence[str],
    preamble: int,
    low: int,
    high: int,
    min_lines: float,
    weights: SegmentWeights,
) -> set[int]:
    scores = _gap_scores(pieces, lines, weights)
    return _choose_cuts(pieces, scores, preamble, low, high, min_lines, weights)


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


# --- pieces ------------------------------------------------------------------------


def _pieces(
    units: Sequence[Unit], lines: Sequence[str], target: float, weights: SegmentWeights
) -> list[Piece]:
    pieces: list[Piece] = []
    previous_end = 0
    long_unit = max(weights.long_unit_lines, 1.5 * target)
    for unit in units:
        blank = sum(1 for n in range(previous_end + 1, unit.start) if not lines[n - 1].strip())
        if unit.kind in _SPLITTABLE and unit.end - unit.start > long_unit:
            parts = _paragraphs(unit, lines)
        else:
            parts = [unit]
        for index, part in enumerate(parts):
            before = blank if index == 0 else _blanks_before(part.start, lines)
            piece = Piece(part, before, inside=index > 0)
            piece.marker, piece.title = _heading(part, lines, index > 0)
            piece.words = frozenset(_name_words(part))
            piece.doc_words = _doc_words(part)
            pieces.append(piece)
        previous_end = unit.end
    return pieces


def _blanks_before(line: int, lines: Sequence[str]) -> int:
    count = 0
    while line - 1 - count >= 1 and not lines[line - 2 - count].strip():
        count += 1
    return count


def _name_words(unit: Unit) -> list[str]:
    names = [unit.name, *(n for n in unit.defines if len(unit.defines) <= 8)]
    return [
        vocabulary.singular(w)
        for name in names
        for w in split_words(name)
        if len(w) > 2 and w not in vocabulary.filler()
    ]


def _split_longest(pieces: list[Piece], lines: Sequence[str], target: float) -> list[Piece]:
    """The pieces with the longest one cut at its statement starts (or unchanged)."""
    longest = max(range(len(pieces)), key=lambda i: pieces[i].end - pieces[i].start)
    piece = pieces[longest]
    if piece.end - piece.start + 1 < 2 * max(8.0, target / 2):
        return pieces
    parts: list[Unit] = [piece.unit]
    if piece.unit.kind not in _PREAMBLE_KINDS:  # documentation is cut at its headings only
        parts = _paragraphs(piece.unit, lines, blank=False, chunk=max(8, int(target)))
    titles: dict[int, str] = {}
    if len(parts) < 2:
        parts, titles = _doc_sections(piece.unit, lines)
    if len(parts) < 2:
        return pieces
    replacement = []
    for index, part in enumerate(parts):
        blank = piece.blank_before if index == 0 else 0
        new = Piece(part, blank, inside=piece.inside or index > 0)
        new.marker, new.title = _heading(part, lines, index > 0)
        if part.start in titles:
            new.marker, new.title = 1.0, titles[part.start]
        new.words = frozenset(_name_words(part))
        replacement.append(new)
    return [*pieces[:longest], *replacement, *pieces[longest + 1 :]]


def _doc_sections(unit: Unit, lines: Sequence[str]) -> tuple[list[Unit], dict[int, str]]:
    """A long doc comment cut at its own headings (``<h2>``, ``## Examples``): the author's
    sections of the documentation, each with its title."""
    starts = [unit.start]
    titles: dict[int, str] = {}
    for n in range(unit.start + 1, unit.end + 1):
        line = lines[n - 1]
        if not comments.is_comment_line(line) and not _POD.match(line):
            continue  # headings live in the unit's doc comments (and Perl's POD)
        title = _doc_heading(line)
        if title and n - starts[-1] >= 3:
            starts.append(n)
            titles[n] = title
    if len(starts) == 1:
        return [unit], {}
    parts = []
    for index, start in enumerate(starts):
        end = starts[index + 1] - 1 if index + 1 < len(starts) else unit.end
        prose = all(
            not lines[n - 1].strip() or comments.is_comment_line(lines[n - 1])
            for n in range(start, end + 1)
        )
        kind = "comment" if prose else unit.kind
        parts.append(dataclasses.replace(unit, kind=kind, start=start, end=end, doc=""))
    return parts, titles


def _doc_heading(line: str) -> str:
    pod = _POD.match(line.strip())
    if pod:
        return _short(pod.group(1))
    text = re.sub(r"^\s*(?:/\*\*?|\*|//+|#+(?=\s))\s?", "", line).strip()
    html = _HTML_HEADING.match(text)
    if html:
        return _short(re.sub(r"<[^>]+>|\{@\w+\s+([^}]*)\}", r"\1", html.group(1)))
    markdown = re.match(r"^#{1,4}\s+(\S.*)$", text)
    return _short(markdown.group(1)) if markdown else ""


def _paragraphs(unit: Unit, lines: Sequence[str], blank: bool = True, chunk: int = 3) -> list[Unit]:
    """The unit cut where code starts again at its body's indentation: after a blank line,
    or (``blank=False``) every ``chunk`` lines or so."""
    code_start = _code_start(unit, lines)
    body = [n for n in range(code_start + 1, unit.end) if lines[n - 1].strip()]
    # The statement level: the shallowest line that is not a closing bracket or a
    # preprocessor line (namespaces and #if blocks sit shallower than their statements).
    code = [n for n in body if not comments.is_comment_line(lines[n - 1])]
    levels = Counter(_indent(lines[n - 1]) for n in code if not _CLOSER.match(lines[n - 1]))
    if not levels:
        return [unit]
    # ... where paragraphs start: a level with several lines after a blank line (a
    # wrapped signature or a namespace's opening line has none).
    opening = Counter(
        _indent(lines[n - 1])
        for n in body
        if not lines[n - 2].strip() and not _CLOSER.match(lines[n - 1])
    )
    indent = min(
        (level for level in levels if opening[level] >= 3),
        default=max(levels, key=lambda level: (levels[level], -level)),
    )
    starts = [unit.start]
    for n in body:
        opens = not lines[n - 2].strip() if blank else True
        at_level = _indent(lines[n - 1]) == indent and n - starts[-1] >= chunk
        if opens and at_level and not comments.is_comment_line(lines[n - 2]):
            starts.append(n)
    if len(starts) == 1:
        return [unit]
    parts = []
    for index, start in enumerate(starts):
        end = starts[index + 1] - 1 if index + 1 < len(starts) else unit.end
        while end > start and not lines[end - 1].strip():
            end -= 1
        text = "\n".join(lines[start - 1 : end])[:20_000]
        if index == 0:
            uses = identifiers(text)
            parts.append(dataclasses.replace(unit, start=start, end=end, uses=frozenset(uses)))
        else:
            parts.append(
                Unit(
                    unit.id,
                    "paragraph",
                    unit.name,
                    start,
                    end,
                    frozenset(),
                    frozenset(identifiers(text)),
                    unit.name,
                    "",
                    lines[start - 1].strip()[:160],
                    unit.exported,
                )
            )
    return parts


def _code_start(unit: Unit, lines: Sequence[str]) -> int:
    """The unit's first line of code, past its leading comments and docstrings."""
    if unit.signature:
        for n in range(unit.start, unit.end + 1):
            if lines[n - 1].strip()[:160] == unit.signature:
                return n
    n = unit.start
    while n < unit.end and (not lines[n - 1].strip() or comments.is_comment_line(lines[n - 1])):
        n += 1
    return n


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _heading(unit: Unit, lines: Sequence[str], paragraph: bool) -> tuple[float, str]:
    """How strongly the comment lines opening ``unit`` mark a section, and their words."""
    head: list[str] = []
    for n in range(unit.start, min(unit.end, unit.start + 12) + 1):
        line = lines[n - 1]
        if line.strip() and not comments.is_comment_line(line):
            break
        head.append(line)
    if not head:
        return 0.0, ""
    if intent.is_boilerplate(" ".join(h.strip() for h in head[:3])):
        return (0.5 if not head[-1].strip() else 0.0), ""  # a licence or editor setting
    for index, line in enumerate(head):
        title = marker_title(line)
        if title is not None:
            if not title:
                # A rule line: the title is the comment text right after it.
                title = comments.clean_comment(
                    [
                        h
                        for h in head[index + 1 : index + 3]
                        if h.strip() and marker_title(h) is None
                    ][:1]
                )
            return 1.0, _short(title)
    # A one-line comment standing apart from the code (a blank follows), or heading a
    # paragraph of a long function; one that ends in a colon heads what follows.
    texts = _last_paragraph(head)
    detached = bool(head) and not head[-1].strip()
    if len(texts) == 1 and detached and texts[0].rstrip().endswith(":"):
        title = _short(comments.clean_comment(texts))
        if title:
            return 1.0, title
    if len(texts) == 1 and (detached or paragraph):
        return 0.5, _short(comments.clean_comment(texts))
    first = _first_paragraph(head)
    if len(first) == 1 and len(first) < len([h for h in head if h.strip()]):
        # A short comment line standing alone above the rest: a title ("Backbone.Model").
        title = comments.clean_comment(first).strip()
        if 0 < len(title.split()) <= 6 and not title.endswith((".", ",", ";")):
            return 0.8, _short(title)
    if detached or _comment_paragraphs(head) >= 2:
        # A comment block standing apart from the code introduces what follows rather
        # than documenting one definition: a section opening without a title.
        return 0.5, ""
    return 0.0, ""


def _first_paragraph(head: list[str]) -> list[str]:
    paragraph: list[str] = []
    for line in head:
        if line.strip():
            paragraph.append(line)
        elif paragraph:
            break
    return paragraph


def _comment_paragraphs(head: list[str]) -> int:
    count, inside = 0, False
    for line in head:
        if line.strip() and not inside:
            count += 1
        inside = bool(line.strip())
    return count


def _last_paragraph(head: list[str]) -> list[str]:
    """The comment lines of the last paragraph of ``head`` (the one nearest the code)."""
    paragraphs: list[list[str]] = [[]]
    for line in head:
        if line.strip():
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    filled = [p for p in paragraphs if p]
    return filled[-1] if filled else []


def marker_title(line: str) -> str | None:
    """The title of an author's section marker on ``line`` ("" for a bare rule), else None."""
    stripped = line.strip()
    if not stripped:
        return None
    explicit = _EXPLICIT.match(stripped)
    if explicit and re.search(r"MARK:|region|editor-fold|\{\{\{", stripped, re.I):
        return explicit.group(1).strip(' -*/>"')
    pod = _POD.match(stripped)
    if pod:
        return pod.group(1).strip()
    if not comments.is_comment_line(line) and not stripped.startswith(("/*", "*/")):
        return None
    if _RULE.match(stripped) and not re.search(r"[A-Za-z0-9]", stripped):
        return ""
    titled = _RULE_TEXT.match(stripped.lstrip("#/;%*").lstrip())
    if (
        titled
        and re.search(r"[-=*#~_+]{2,}\s+\S", stripped)
        and re.search(r"\S\s+[-=*#~_+]{2,}", stripped)
    ):
        return titled.group(1).strip(" -=*#~_+/")
    return None


def _short(text: str) -> str:
    text = " ".join(text.split()).strip(" :.-")
    return text if 0 < len(text.split()) <= 8 else ""


# --- scoring gaps ------------------------------------------------------------------


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


def _doc_words(unit: Unit) -> frozenset[str]:
    return frozenset(
        vocabulary.singular(w)
        for w in re.findall(r"[a-z]{4,}", unit.doc.lower())
        if w not in vocabulary.clause_words() and w not in vocabulary.filler()
    )


# --- choosing cuts -----------------------------------------------------------------


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
        if unit.kind in _PREAMBLE_KINDS or short_setup:
            count += 1
            continue
        break
    return count


def _choose_cuts(
    pieces: list[Piece],
    scores: list[float],
    preamble: int,
    low: int,
    high: int,
    min_lines: float,
    weights: SegmentWeights,
) -> set[int]:
    """Cut indices (a cut at ``i`` starts a section with ``pieces[i]``), best first."""
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
