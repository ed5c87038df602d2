"""The offline structural engine: sections in source order, named in the code's own words.

The pipeline is small measured steps: syntax units (``syntax.extract``) → segmentation
(``segment``: scored cuts) → naming (``naming``: scored candidates) → intent (``intent``).
Every number it decides with is in ``weights``; every word list in ``vocabulary.toml``.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Sequence
from typing import Any

from ...analysis import Analysis, Block
from ...deadlines import DeadlinePassed
from ...errors import EngineError
from ...postprocess import count_lines
from ...syntax.extract import extract_units
from ...syntax.languages import LANGUAGES, Language, get_language
from ...syntax.units import Unit
from . import describe, facts, intent, naming, segment, vocabulary

logger = logging.getLogger(__name__)

# Bump whenever the output for some input changes: it is part of the cache key.
VERSION = 18

__all__ = ["VERSION", "StructuralEngine"]


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
        """Units → sections → labels, descriptions and reading order, as an Analysis."""
        if not source.strip():
            return Analysis("Empty file", (), {"engine": self.name})
        try:
            units = extract_units(source, language)
            analysis = analyse(source, language, units, self.name)
        except (EngineError, DeadlinePassed):
            raise
        except Exception as exc:  # any surprise on odd input degrades to line sections
            logger.warning("structural analysis fell back (%s)", type(exc).__name__)
            with self._lock:
                self._fallbacks += 1
            return _fallback(source, language, filename, self.name)
        with self._lock:
            self._analysed += 1
        return analysis


def analyse(source: str, language: str, units: list[Unit], engine: str = "structural") -> Analysis:
    """The table of contents of ``source`` from its units."""
    lang = get_language(language)
    lines = source.split("\n")
    if source.endswith("\n"):
        lines.pop()
    sections = segment.segment(units, lines)
    infos = [facts.facts(section, lines) for section in sections]
    file = facts.file_words(lines, lang, [info.words for info in infos])
    chosen = naming.choose_labels(infos, file)
    labels = [label.text for label in chosen]
    descriptions = [
        describe.describe(info, label.text, label.covers)
        for info, label in zip(infos, chosen, strict=True)
    ]
    order = sorted(range(len(sections)), key=lambda k: (_reading_rank(infos[k], labels[k]), k))
    blocks = tuple(
        Block(labels[k], descriptions[k], ((sections[k].start, sections[k].end),)) for k in order
    )
    strong = [label.text for label in chosen if label.source != "fallback"]
    text = file_intent(source, lines, lang, infos, strong, file)
    metadata = {"engine": engine, "language": language, "units": len(units)}
    return Analysis(text, blocks, metadata)


def _reading_rank(info: facts.Facts, label: str) -> int:
    """A program's command-line entry point first; the rest follow the file."""
    if label.lower() == "command-line entry point" and any(
        u.name == "main" for u in info.definitions
    ):
        return 0
    return 1


def file_intent(
    source: str,
    lines: Sequence[str],
    lang: Language | None,
    infos: list[facts.Facts],
    labels: list[str],
    file: facts.FileWords,
) -> str:
    """The module's own sentence, its declared description, or a phrase of its definitions."""
    sentence = intent.from_prose(intent.module_text(lines, lang))
    if sentence:
        return sentence
    declared = intent.declared_description(source, lang)
    if declared:
        return declared
    main_doc = _main_doc(infos, len(lines))
    if main_doc:
        return main_doc
    framework = ""
    if lang is not None and lang.framework and re.search(lang.framework_evidence, source[:50_000]):
        framework = lang.framework
    main = _main_phrase(infos, file)
    others = [label for label in labels if label != main and "entry point" not in label.lower()]
    if not main and not others and labels:
        return intent.from_definitions(labels[0], [], framework)
    phrase = intent.from_definitions(
        main or (others[0] if others else ""), others[1:] if not main else others, framework
    )
    return phrase or _shape(infos)


def _shape(infos: list[facts.Facts]) -> str:
    """What the file holds, by kind, when nothing names it ("Top-level statements and 3
    functions.")."""
    kinds = Counter(u.kind for info in infos for u in info.definitions)
    parts = []
    for kind, singular, plural in (
        ("class", "a class", "classes"),
        ("type", "a type", "types"),
        ("function", "a function", "functions"),
        ("method", "a method", "methods"),
        ("constant", "a setting", "settings"),
    ):
        if kinds[kind]:
            parts.append(singular if kinds[kind] == 1 else f"{kinds[kind]} {plural}")
    if kinds["statement"] or kinds["paragraph"] or not parts:
        parts.insert(0, "top-level statements")
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return text[:1].upper() + text[1:] + "."


def _main_doc(infos: list[facts.Facts], line_count: int) -> str:
    """The doc of a definition the file is about: the only exported one, or most of it."""
    units = [
        u for info in infos for u in info.definitions if u.kind in ("class", "type", "function")
    ]
    exported = [u for u in units if u.exported]
    main = exported[0] if len(exported) == 1 else None
    if main is None and units:
        largest = max(units, key=lambda u: u.end - u.start)
        if largest.end - largest.start + 1 >= 0.4 * line_count:
            main = largest
    if main is None or not main.doc:
        return ""
    return intent.sentence(facts.plain_doc(main.doc))


def _main_phrase(infos: list[facts.Facts], file: facts.FileWords) -> str:
    """The words of the file's main definition: exported, used by the others, large."""
    units = [u for info in infos for u in info.definitions]
    definitions = [
        u
        for u in units
        if u.kind in ("class", "type", "function") and u.name and not _ERROR_NAME.search(u.name)
    ]
    if not definitions:
        return ""

    def importance(unit: Unit) -> tuple[int, int, int]:
        used = sum(1 for other in units if other is not unit and unit.defines & other.uses)
        return (int(unit.exported), used, unit.end - unit.start)

    for unit in sorted(definitions, key=importance, reverse=True)[:3]:
        words = facts.name_words(unit.name)
        if not words:
            continue
        if vocabulary.is_verb(words[0]) and len(words) > 1:
            words = [vocabulary.gerund(words[0]), *words[1:]]
        distinct = len(set(words)) == len(words) >= 2
        if distinct and all(vocabulary.is_word(w) or w in file.acronyms for w in words):
            return facts.Candidate(words, "main_name").text(file.acronyms)
    return ""


# An exception class is rarely what a file is for.
_ERROR_NAME = re.compile(r"(?:Error|Exception|Warning)$")


def _fallback(source: str, language: str, filename: str, engine: str) -> Analysis:
    line_count = count_lines(source)
    step = max(1, -(-line_count // 3))
    blocks = []
    for start in range(1, line_count + 1, step):
        end = min(line_count, start + step - 1)
        blocks.append(Block(f"Lines {start}-{end}", "Part of the file.", ((start, end),)))
    return Analysis("Source file.", tuple(blocks), {"engine": engine, "language": language})
