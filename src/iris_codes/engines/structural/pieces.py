"""Pieces: a file's units, and the paragraphs of units too long to read as one, each with
what opens it in the source (blank lines, the author's section marker or heading).

Segmentation (``segment``) cuts between pieces; this module decides what the pieces are.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import msgspec

from ...syntax import comments
from ...syntax.references import identifiers, split_words
from ...syntax.units import Unit
from . import intent, vocabulary
from .text import Text
from .weights import SegmentWeights

_RULE = re.compile(r"^[\s\-=*#~_+/<>.]{3,}$")


_RULE_TEXT = re.compile(r"^[\-=*#~_+/<>.]{2,}\s*(.*?)\s*[\-=*#~_+/<>.]*$")


_EXPLICIT = re.compile(
    r"^\s*(?:(?://|#|--|;+)\s*)?(?:MARK:\s*-?\s*|#?pragma\s+region\b\s*|#?region\b\s*|"
    r"<editor-fold\b[^>]*?desc=\"?|\{\{\{\s*)(.*)$",
    re.I,
)


_POD = re.compile(r"^=head[1-4]\s+(.*)$")


PREAMBLE_KINDS = frozenset({"comment", "import"})


_HTML_HEADING = re.compile(r"^<h[1-6][^>]*>(.*?)</h[1-6]>", re.I)


_CLOSER = re.compile(r"^\s*(?:[}\])]|#|end\b|fi\b|done\b|esac\b)")
_CLOSER_FIRST = frozenset("}])#efd")


_SPLITTABLE = frozenset({"function", "method", "statement", "constant", "type"})


# A function is cut only where its author headed a paragraph with a comment; other long
# units (top-level script code, tables) wherever a paragraph opens after a blank line.
FUNCTION_KINDS = frozenset({"function", "method"})


class Piece(msgspec.Struct):
    """A unit, or a paragraph of a long unit, with what precedes it in the source."""

    unit: Unit
    blank_before: int = 0
    marker: float = 0.0  # strength of the section marker heading this piece
    title: str = ""  # the marker's or heading comment's words, if any
    inside: bool = False  # a paragraph after the first of a long unit
    words: frozenset[str] = msgspec.field(default_factory=frozenset)
    doc_words: frozenset[str] = msgspec.field(default_factory=frozenset)

    @property
    def start(self) -> int:
        return self.unit.start

    @property
    def end(self) -> int:
        return self.unit.end


def make_pieces(
    units: Sequence[Unit], text: Text, target: float, weights: SegmentWeights
) -> list[Piece]:
    """The file's pieces: its units, long ones cut at their paragraphs."""
    pieces: list[Piece] = []
    previous_end = 0
    long_unit = max(weights.long_unit_lines, weights.long_unit_share * target)
    for unit in units:
        blank = sum(text.blank[previous_end : unit.start - 1])
        # A function stays whole at this level: its paragraphs become its children.
        if unit.kind in _SPLITTABLE - FUNCTION_KINDS and unit.end - unit.start > long_unit:
            parts = paragraphs(unit, text)
        else:
            parts = [unit]
        # A form feed between units is a page break: the author's own section boundary.
        page = any("\f" in line for line in text.lines[previous_end : unit.start - 1])
        for index, part in enumerate(parts):
            before = blank if index == 0 else _blanks_before(part.start, text)
            piece = make_piece(part, before, index > 0, text)
            if page and index == 0 and piece.marker < 1.0:
                piece.marker = 1.0
            pieces.append(piece)
        previous_end = unit.end
    return pieces


def make_piece(unit: Unit, blank_before: int, inside: bool, text: Text) -> Piece:
    """A piece for ``unit``, with its heading, name words and doc words."""
    piece = Piece(unit, blank_before, inside=inside)
    piece.marker, piece.title = _heading(unit, text, inside)
    piece.words = frozenset(_name_words(unit))
    piece.doc_words = _doc_words(unit)
    return piece


def _blanks_before(line: int, text: Text) -> int:
    count = 0
    while line - 1 - count >= 1 and text.blank[line - 2 - count]:
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


def split_longest(pieces: list[Piece], text: Text, target: float) -> list[Piece]:
    """The pieces with the longest one that may be cut here cut at its statements, or a
    long function at the paragraphs its author headed with a comment (or unchanged).
    Documentation is cut only into children."""
    cuttable = [
        i for i, p in enumerate(pieces) if p.unit.kind not in PREAMBLE_KINDS and not p.inside
    ]
    if not cuttable:
        return pieces
    for longest in sorted(cuttable, key=lambda i: pieces[i].start - pieces[i].end):
        piece = pieces[longest]
        if piece.end - piece.start + 1 < 2 * max(8.0, target / 2):
            return pieces
        if piece.unit.kind in FUNCTION_KINDS:
            parts = paragraphs(piece.unit, text, headed=True)
        else:
            parts = paragraphs(piece.unit, text, blank=False, chunk=max(8, int(target)))
        if len(parts) >= 2:
            return [*pieces[:longest], *as_pieces(piece, parts, text), *pieces[longest + 1 :]]
    return pieces


def as_pieces(
    piece: Piece, parts: list[Unit], text: Text, titles: dict[int, str] | None = None
) -> list[Piece]:
    """``piece`` replaced by pieces for its ``parts`` (``titles``: headings by line)."""
    replacement = []
    for index, part in enumerate(parts):
        blank = piece.blank_before if index == 0 else 0
        new = make_piece(part, blank, piece.inside or index > 0, text)
        if titles and part.start in titles:
            # A heading of the documentation opens a part of it: no cut inside a body here.
            new.marker, new.title, new.inside = 1.0, titles[part.start], False
        replacement.append(new)
    return replacement


def doc_sections(unit: Unit, text: Text) -> tuple[list[Unit], dict[int, str]]:
    """A long doc comment cut at its own headings (``<h2>``, ``## Examples``, POD's
    ``=head2``): the author's sections of the documentation, each with its title."""
    return _doc_sections(unit, text)


def _doc_sections(unit: Unit, text: Text) -> tuple[list[Unit], dict[int, str]]:
    """A long doc comment cut at its own headings (``<h2>``, ``## Examples``): the author's
    sections of the documentation, each with its title."""
    lines = text.lines
    found: list[tuple[int, int, str]] = []  # (line, level, title)
    for n in range(unit.start + 1, unit.end + 1):
        line = lines[n - 1]
        if not text.comment[n - 1] and not line.startswith("="):
            continue  # headings live in the unit's doc comments (and Perl's POD)
        title = _doc_heading(line)
        if title:
            found.append((n, _heading_level(line), title))
    # The author's top level of headings cuts the doc; the ones under it cut its parts.
    levels = sorted({level for _, level, _ in found})
    top = next((lv for lv in levels if sum(1 for f in found if f[1] <= lv) >= 2), None)
    starts = [unit.start]
    titles: dict[int, str] = {}
    for n, level, title in found:
        if top is not None and level <= top and n - starts[-1] >= 3:
            starts.append(n)
            titles[n] = title
    if len(starts) == 1:
        return [unit], {}
    parts = []
    for index, start in enumerate(starts):
        end = starts[index + 1] - 1 if index + 1 < len(starts) else unit.end
        prose = all(text.blank[n - 1] or text.comment[n - 1] for n in range(start, end + 1))
        kind = "comment" if prose else unit.kind
        facts = unit.facts.within(start, end)
        doc = _section_doc(text, start + 1 if start in titles else start, end)
        parts.append(
            msgspec.structs.replace(unit, kind=kind, start=start, end=end, doc=doc, facts=facts)
        )
    return parts, titles


def _section_doc(text: Text, start: int, end: int) -> str:
    """The first sentence of a documentation section's prose, past directives and code."""
    paragraph: list[str] = []
    for n in range(start, min(end, start + 40) + 1):
        line = text.lines[n - 1]
        stripped = comments.clean_comment([line]) if text.comment[n - 1] else line.strip()
        if not stripped or stripped.startswith("=") or line.startswith(("    ", "\t")):
            if paragraph:
                break
            continue
        paragraph.append(stripped)
    return comments.first_sentence(" ".join(paragraph)) if paragraph else ""


_POD_ITEM = re.compile(r"^=item\s+(.*)$")


def _heading_level(line: str) -> int:
    """How deep a doc heading is: POD's =head1 is 1, an =item under them 5; Markdown's
    count of ``#``; HTML's h1-h6."""
    stripped = line.strip()
    pod = re.match(r"^=head([1-4])", stripped)
    if pod:
        return int(pod.group(1))
    if stripped.startswith("=item"):
        return 5
    text = re.sub(r"^\s*(?:/\*\*?|\*|//+)\s?", "", line).strip()
    html = re.match(r"^<h([1-6])", text, re.I)
    if html:
        return int(html.group(1))
    markdown = re.match(r"^(#{1,4})\s", text)
    return len(markdown.group(1)) if markdown else 6


def _doc_heading(line: str) -> str:
    pod = _POD.match(line.strip()) or _POD_ITEM.match(line.strip())
    if pod:
        return _short(pod.group(1))
    text = re.sub(r"^\s*(?:/\*\*?|\*|//+|#+(?=\s))\s?", "", line).strip()
    html = _HTML_HEADING.match(text)
    if html:
        return _short(re.sub(r"<[^>]+>|\{@\w+\s+([^}]*)\}", r"\1", html.group(1)))
    markdown = re.match(r"^#{1,4}\s+(\S.*)$", text)
    return _short(markdown.group(1)) if markdown else ""


def paragraphs(
    unit: Unit, text: Text, blank: bool = True, chunk: int = 3, headed: bool = False
) -> list[Unit]:
    """The unit cut where code starts again at its body's indentation: after a blank line
    (``headed``: only where a comment opens the paragraph), or (``blank=False``) every
    ``chunk`` lines or so; never inside a multi-line string."""
    lines = text.lines
    layout = _layout(unit, text)
    if layout is None:
        return [unit]
    body, levels, indent = layout
    if headed:
        indent = min(levels)  # a comment heads a paragraph of the body itself
    sealed = _sealed(unit)
    starts = [unit.start]
    for n in body:
        opens = text.blank[n - 2] if blank else True
        at_level = text.indents[n - 1] == indent and n - starts[-1] >= chunk
        if not (opens and at_level) or n in sealed:
            continue
        if headed and not (text.comment[n - 1] and _heads_code(n, text)):
            continue
        starts.append(n)
    if len(starts) == 1:
        return [unit]
    parts = []
    for index, start in enumerate(starts):
        end = starts[index + 1] - 1 if index + 1 < len(starts) else unit.end
        while end > start and text.blank[end - 1]:
            end -= 1
        body_text = "\n".join(lines[start - 1 : end])[:20_000]
        facts = unit.facts.within(start, end)
        if index == 0:
            uses = identifiers(body_text)
            parts.append(
                msgspec.structs.replace(
                    unit, start=start, end=end, uses=frozenset(uses), facts=facts
                )
            )
        else:
            parts.append(
                Unit(
                    unit.id,
                    # A function's later paragraphs are steps of it; a table's are entries.
                    "paragraph" if unit.kind in FUNCTION_KINDS else unit.kind,
                    unit.name,
                    start,
                    end,
                    frozenset(),
                    frozenset(identifiers(body_text)),
                    unit.name,
                    "",
                    lines[start - 1].strip()[:160],
                    unit.exported,
                    facts,
                )
            )
    return parts


def _layout(unit: Unit, text: Text) -> tuple[list[int], Counter[int], int] | None:
    """A unit's body lines, the indents of its statements, and the level its paragraphs
    open at; worked out once per unit and file (nesting asks again)."""
    key = (unit.id, unit.start, unit.end)
    if key in text.layouts:
        return text.layouts[key]  # type: ignore[no-any-return]
    lines = text.lines
    indents = text.indents
    code_start = _code_start(unit, text)
    body = [n for n in range(code_start + 1, unit.end) if not text.blank[n - 1]]
    # The statement level: the shallowest line that is not a closing bracket or a
    # preprocessor line (namespaces and #if blocks sit shallower than their statements).
    closers = {
        n
        for n in body
        if lines[n - 1].lstrip()[:1] in _CLOSER_FIRST and _CLOSER.match(lines[n - 1])
    }
    levels = Counter(indents[n - 1] for n in body if not text.comment[n - 1] and n not in closers)
    found: tuple[list[int], Counter[int], int] | None = None
    if levels:
        # ... where paragraphs start: a level with several lines after a blank line (a
        # wrapped signature or a namespace's opening line has none).
        opening = Counter(indents[n - 1] for n in body if text.blank[n - 2] and n not in closers)
        indent = min(
            (level for level in levels if opening[level] >= 3),
            default=max(levels, key=lambda level: (levels[level], -level)),
        )
        found = (body, levels, indent)
    text.layouts[key] = found
    return found


def _heads_code(line: int, text: Text) -> bool:
    """The comment on ``line`` runs into code with no blank line between: it heads it."""
    n = line
    while n <= len(text.lines) and text.comment[n - 1]:
        n += 1
    return n <= len(text.lines) and not text.blank[n - 1]


def _sealed(unit: Unit) -> frozenset[int]:
    """Lines inside the unit's multi-line strings and block comments, past their first: no
    piece starts there."""
    spans = [*unit.facts.strings, *unit.facts.comments]
    return frozenset(n for first, last in spans for n in range(first + 1, last + 1))


def _code_start(unit: Unit, text: Text) -> int:
    """The unit's first line of code, past its leading comments and docstrings."""
    if unit.signature:
        for n in range(unit.start, unit.end + 1):
            if text.lines[n - 1].strip()[:160] == unit.signature:
                return n
    n = unit.start
    while n < unit.end and (text.blank[n - 1] or text.comment[n - 1]):
        n += 1
    return n


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _heading(unit: Unit, text: Text, paragraph: bool) -> tuple[float, str]:
    """How strongly the comment lines opening ``unit`` mark a section, and their words."""
    head: list[str] = []
    for n in range(unit.start, min(unit.end, unit.start + 12) + 1):
        if not text.blank[n - 1] and not text.comment[n - 1]:
            break
        head.append(text.lines[n - 1])
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
        # A short comment line standing alone above the rest: a title.
        title = comments.clean_comment(first).strip()
        if 0 < len(title.split()) <= 6 and not title.endswith((".", ",", ";")):
            return 0.8, _short(title)
    if len(texts) == 1 and len(head) == 1:
        # One short line right over the code that reads as a name, not a sentence ("#
        # Database"): the author's title for the group below it.
        title = comments.clean_comment(texts).strip()
        if 0 < len(title.split()) <= 4 and not title.endswith((".", ",", ";", ":")):
            return 0.5, _short(title)
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


def _doc_words(unit: Unit) -> frozenset[str]:
    return frozenset(
        vocabulary.singular(w)
        for w in re.findall(r"[a-z]{4,}", unit.doc.lower())
        if w not in vocabulary.clause_words() and w not in vocabulary.filler()
    )
