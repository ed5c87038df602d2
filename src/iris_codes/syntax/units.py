"""Syntactic units: the pieces of a file that engines group into blocks."""

from __future__ import annotations

from typing import Any

import msgspec


class UnitFacts(msgspec.Struct, frozen=True):
    """What the syntax tree says a unit does (``syntax.facts``): each entry starts with the
    1-based line where it first occurs; lists are in source order, without repeats."""

    calls: list[tuple[int, str]] = msgspec.field(default_factory=list)  # callee as written
    literals: list[tuple[int, str, str]] = msgspec.field(default_factory=list)  # callee, 1st str
    raises: list[tuple[int, str]] = msgspec.field(default_factory=list)  # X() / new X / name
    returns: list[tuple[int, str]] = msgspec.field(default_factory=list)  # X() / name / <str>
    decorators: list[tuple[int, str]] = msgspec.field(default_factory=list)
    bases: list[tuple[int, str]] = msgspec.field(default_factory=list)
    # Multi-line strings (docstrings, heredocs, templates): (first, last) line; no cut inside.
    strings: list[tuple[int, int]] = msgspec.field(default_factory=list)
    # Multi-line block comments: (first, last) line; their inner lines are prose.
    comments: list[tuple[int, int]] = msgspec.field(default_factory=list)

    def within(self, start: int, end: int) -> UnitFacts:
        """The facts of lines ``start..end`` only (a paragraph of a long unit)."""

        def keep(items: list[Any]) -> list[Any]:
            return [item for item in items if start <= item[0] <= end]

        return UnitFacts(
            keep(self.calls),
            keep(self.literals),
            keep(self.raises),
            keep(self.returns),
            keep(self.decorators),
            keep(self.bases),
            keep(self.strings),
            keep(self.comments),
        )


_NO_FACTS = UnitFacts()


class Unit(msgspec.Struct, frozen=True):
    """One top-level definition (or member of a large class), with its names.

    ``start``/``end`` are 1-based inclusive lines. ``defines`` and ``uses`` hold the
    identifiers the unit introduces and refers to; engines link units through them.
    """

    id: int
    kind: str  # import | constant | type | class | function | method | statement | comment
    name: str
    start: int
    end: int
    defines: frozenset[str] = frozenset()
    uses: frozenset[str] = frozenset()
    parent: str | None = None
    doc: str = ""
    signature: str = ""
    exported: bool = False  # part of the file's public surface (export, pub, capitalised...)
    facts: UnitFacts = _NO_FACTS
