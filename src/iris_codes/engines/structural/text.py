"""The file's lines, read once: which are blank, which are comments, how much code lies
between two lines. Every step of the engine asks these questions many times."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from ...syntax import comments


class Text(msgspec.Struct):
    """``lines[n - 1]`` is line ``n``; ``code_upto[n]`` counts the code lines in ``1..n``
    (lines inside block comments are no code, though ``comment`` marks only lines that
    open with a comment marker)."""

    lines: list[str]
    blank: list[bool]
    comment: list[bool]
    code_upto: list[int]
    notes_upto: list[int]  # comment lines in 1..n, likewise
    indents: list[int]  # leading white space of each line
    layouts: dict[tuple[int, int, int], Any] = msgspec.field(default_factory=dict)  # pieces'

    @classmethod
    def of(cls, lines: Sequence[str], spans: Sequence[tuple[int, int]] = ()) -> Text:
        """``spans``: (first, last) lines of block comments, whose inner lines carry no
        comment marker of their own."""
        blank = [not line.strip() for line in lines]
        comment = [
            not empty and comments.is_comment_line(line)
            for line, empty in zip(lines, blank, strict=True)
        ]
        # Lines inside a block comment are prose for counting code, though they carry no
        # comment marker of their own (headings are read from marked lines only).
        prose = list(comment)
        for first, last in spans:
            for n in range(max(1, first), min(last, len(lines)) + 1):
                prose[n - 1] = not blank[n - 1]
        upto = [0] * (len(lines) + 1)
        notes = [0] * (len(lines) + 1)
        count = said = 0
        for n, (empty, note) in enumerate(zip(blank, prose, strict=True), 1):
            count += not (empty or note)
            said += note
            upto[n] = count
            notes[n] = said
        indents = [len(line) - len(line.lstrip()) for line in lines]
        return cls(list(lines), blank, comment, upto, notes, indents)

    def code(self, start: int, end: int) -> int:
        """Lines of code (neither blank nor comment) in ``start..end``."""
        end = min(end, len(self.lines))
        return self.code_upto[end] - self.code_upto[max(0, start - 1)] if end >= start else 0

    def reading(self, start: int, end: int) -> float:
        """What ``start..end`` gives a reader: its code, and its comments at half weight
        (a declaration under twenty lines of documentation is no scrap)."""
        end = min(end, len(self.lines))
        if end < start:
            return 0.0
        first = max(0, start - 1)
        notes = self.notes_upto[end] - self.notes_upto[first]
        return self.code_upto[end] - self.code_upto[first] + 0.5 * notes

    @property
    def reading_lines(self) -> float:
        return self.reading(1, len(self.lines))

    @property
    def code_lines(self) -> int:
        return self.code_upto[-1]

    def is_comment(self, n: int) -> bool:
        return 1 <= n <= len(self.lines) and self.comment[n - 1]

    def is_blank(self, n: int) -> bool:
        return not 1 <= n <= len(self.lines) or self.blank[n - 1]
