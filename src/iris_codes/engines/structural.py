"""The offline structural engine: tree-sitter units, grouped by references, named from the code."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from ..errors import EngineError
from ..models import Analysis, Block, Range
from ..postprocess import count_lines, normalize_ranges
from ..syntax import comments
from ..syntax.extract import extract_units
from ..syntax.languages import LANGUAGES, get_language
from ..syntax.units import Unit
from . import naming
from .grouping import group_units
from .intent import file_intent

logger = logging.getLogger(__name__)

# Bump whenever the output for some input changes: it is part of the cache key.
VERSION = 15


class StructuralEngine:
    """Deterministic, offline analysis from the syntax tree; thread-safe."""

    name = "structural"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._analysed = 0
        self._fallbacks = 0

    def cache_identity(self) -> str:
        """Everything besides source and language that changes the answer."""
        return f"structural:{VERSION}"

    def health(self) -> dict[str, Any]:
        """Readiness: the engine needs nothing external."""
        with self._lock:
            return {
                "status": "ok",
                "languages": len(LANGUAGES),
                "analysed": self._analysed,
                "fallbacks": self._fallbacks,
            }

    def analyze(self, source: str, language: str, filename: str) -> Analysis:
        """Units → blocks → labels and reading order, as an Analysis."""
        if not source.strip():
            return Analysis("Empty file", (), {"engine": self.name})
        try:
            units = extract_units(source, language)
            analysis = self._analyse(source, language, filename, units)
        except EngineError:
            raise
        except Exception as exc:  # any surprise on odd input degrades to line sections
            logger.warning("structural analysis fell back (%s)", type(exc).__name__)
            with self._lock:
                self._fallbacks += 1
            return _fallback(source, language, filename, self.name)
        with self._lock:
            self._analysed += 1
        return analysis

    def _analyse(self, source: str, language: str, filename: str, units: list[Unit]) -> Analysis:
        lines = source.split("\n")
        line_count = count_lines(source)
        groups = group_units(units, line_count)
        infos = [
            naming.describe_block([units[i] for i in g], _group_text(units, g, lines))
            for g in groups
        ]
        infos = naming.settle_roles(infos)
        order = sorted(
            range(len(groups)),
            key=lambda k: (naming.reading_rank(infos[k], filename), units[groups[k][0]].start),
        )
        ordered = [infos[k] for k in order]
        labels = naming.label_blocks(ordered)
        blocks = []
        for info, label in zip(ordered, labels, strict=True):
            ranges = _ranges(info.units, line_count)
            blocks.append(Block(label, naming.describe(info, label), tuple(ranges)))
        intent = file_intent(
            units, ordered, module_doc(source, language), language, filename, source[:3000], labels
        )
        metadata = {"engine": self.name, "language": language, "units": len(units)}
        return Analysis(intent, tuple(blocks), metadata)


def _group_text(units: Sequence[Unit], group: list[int], lines: list[str]) -> str:
    parts: list[str] = []
    budget = 20_000
    for i in group:
        unit = units[i]
        text = "\n".join(lines[unit.start - 1 : unit.end])[:budget]
        parts.append(text)
        budget -= len(text)
        if budget <= 0:
            break
    return "\n".join(parts)


def _ranges(units: Sequence[Unit], line_count: int) -> list[Range]:
    return normalize_ranges([(u.start, u.end) for u in units], line_count)


def module_doc(source: str, language: str) -> str:
    """The first sentence of the module docstring or the file's opening comment."""
    head = source[:4000].split("\n")[:60]
    while head and (not head[0].strip() or head[0].startswith("#!")):
        head = head[1:]
    if not head:
        return ""
    lang = get_language(language)
    if lang and lang.grammar == "python" and head[0].lstrip()[:1] in ("'", '"', "r", "u"):
        doc = comments.docstring(head)
        if doc:
            return doc
    return comments.leading_comment(head)


def _fallback(source: str, language: str, filename: str, engine: str) -> Analysis:
    line_count = count_lines(source)
    step = max(1, -(-line_count // 3))
    blocks = []
    for start in range(1, line_count + 1, step):
        end = min(line_count, start + step - 1)
        blocks.append(Block(f"Code at lines {start}-{end}", "Part of the file.", ((start, end),)))
    intent = f"Source file {filename}".strip()
    return Analysis(intent, tuple(blocks), {"engine": engine, "language": language})
