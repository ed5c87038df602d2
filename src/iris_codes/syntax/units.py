"""Syntactic units: the pieces of a file that engines group into blocks."""

from __future__ import annotations

import msgspec


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
