"""The offline structural engine: sections in source order, named in the code's own words.

The pipeline is small measured steps: syntax units and their facts (``syntax.extract``,
``syntax.facts``) → segmentation (``segment``: scored cuts, children for long sections) →
naming (``naming``: scored candidates, assigned where each fits best) → descriptions
(``describe``: the author's doc or what the code does) → intent (``intent``: the author's
summary, else ``roles``). Every number it decides with is in ``weights``; every word list
in ``vocabulary.toml``.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from typing import Any

import msgspec

from ...analysis import Analysis, Block
from ...deadlines import DeadlinePassed
from ...errors import EngineError
from ...postprocess import count_lines
from ...syntax.extract import extract_units
from ...syntax.languages import LANGUAGES, Language, get_language
from ...syntax.units import Unit
from ...textsafe import blank_escapes
from . import describe, facts, intent, naming, phrases, roles, segment, vocabulary
from .text import Text

logger = logging.getLogger(__name__)

# Bump whenever the output for some input changes: it is part of the cache key.
VERSION = 21

__all__ = ["VERSION", "StructuralEngine", "vocabulary"]


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
        source = blank_escapes(source)  # a terminal command is not words (the lines stay)
        try:
            units = extract_units(source, language)
            analysis = analyse(source, language, units, self.name, filename)
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


def analyse(
    source: str, language: str, units: list[Unit], engine: str = "structural", filename: str = ""
) -> Analysis:
    """The table of contents of ``source`` from its units."""
    lang = get_language(language)
    lines = source.split("\n")
    if source.endswith("\n"):
        lines.pop()
    text = Text.of(lines, [span for unit in units for span in unit.facts.comments])
    sections = segment.segment(units, text)
    infos = [facts.facts(section, text) for section in sections]
    file = facts.file_words(text, units, lang, [info.words for info in infos])
    prose = intent.header_fields(lines) or intent.from_prose(intent.module_text(lines, lang))
    avoid = frozenset({prose.lower()}) if prose else frozenset()
    blocks, labels = _blocks(sections, infos, file, text, frozenset(), avoid)
    intent_text = prose or file_intent(source, lines, lang, infos, labels, file, filename)
    if not prose and any(b.description.lower() == intent_text.lower() for b in blocks):
        # The intent came from a member's doc: its block says something else.
        avoid = frozenset({intent_text.lower()})
        blocks = tuple(
            msgspec.structs.replace(
                block,
                description=describe.describe(info, block.label, frozenset(), file, avoid)
                or block.description,
            )
            if block.description.lower() == intent_text.lower()
            else block
            for block, info in zip(blocks, infos, strict=True)
        )
    metadata = {"engine": engine, "language": language, "units": len(units)}
    return Analysis(intent_text, blocks, metadata)


def _blocks(
    sections: list[segment.Section],
    infos: list[facts.Facts],
    file: facts.FileWords,
    text: Text,
    taken: frozenset[str],
    avoid: frozenset[str] = frozenset(),
) -> tuple[tuple[Block, ...], list[tuple[str, str]]]:
    """Blocks for one level of sections (children recursively), in file order, with each
    label and the source it came from."""
    chosen = naming.choose_labels(infos, file, taken=taken)
    blocks = []
    labels = [label.text for label in chosen]
    used = {label.lower() for label in labels} | {t.lower() for t in taken}
    for index, (section, info, label) in enumerate(zip(sections, infos, chosen, strict=True)):
        description = describe.describe(info, label.text, label.covers, file, avoid)
        children: tuple[Block, ...] = ()
        if section.children:
            inner = [facts.facts(child, text) for child in section.children]
            words = msgspec.structs.replace(file, block_words=[i.words for i in inner])
            others = frozenset(used - {label.text.lower()})
            children, _ = _blocks(section.children, inner, words, text, others, avoid)
            renamed = _parent_label(label.text, children, used)
            if renamed != label.text:
                used.add(renamed.lower())
                labels[index] = renamed
            elif any(c.label.lower() == label.text.lower() for c in children):
                children, _ = _blocks(
                    section.children, inner, words, text, others | {label.text}, avoid
                )
            used |= _all_labels(children)  # no later section, at any depth, says them again
            description = _parent_description(description, info, children)
        blocks.append(Block(labels[index], description, ((section.start, section.end),), children))
    return tuple(blocks), [(text, label.source) for text, label in zip(labels, chosen, strict=True)]


def _all_labels(blocks: tuple[Block, ...]) -> set[str]:
    return {b.label.lower() for b in blocks} | {
        label for b in blocks for label in _all_labels(b.children)
    }


def _parent_description(description: str, info: facts.Facts, children: tuple[Block, ...]) -> str:
    """A parent is said by its parts, unless its own doc speaks for all of it: a doc of one
    member, or what one child does, would describe a part as the whole."""
    if any(description == child.description for child in children) or not _speaks_for_all(
        description, info
    ):
        parts = [c.label for c in children if c.label and not _placeholder(c.label)]
        if len(parts) >= 2:
            shown = [parts[0], *(phrases.inner(p) for p in parts[1:])]
            return phrases.sentence(phrases.and_list(shown))
    return description


def _placeholder(label: str) -> bool:
    return label.startswith("Code at lines") or bool(re.search(r", lines \d+-\d+$", label))


def _speaks_for_all(description: str, info: facts.Facts) -> bool:
    """The description is the doc of the section's owner, or of a member most of it is."""
    for unit in info.definitions:
        if unit.doc and describe.clean_doc(unit.doc).startswith(description[:40]):
            share = (unit.end - unit.start + 1) / max(1, info.section.end - info.section.start + 1)
            owner = info.owner is not None and unit.name == info.owner
            return owner or share >= 0.5
    return True


def _parent_label(label: str, children: tuple[Block, ...], used: set[str]) -> str:
    """A parent named like one of its children is named for its first two instead
    ("Manual page and usage"), when that fits a label; else it keeps its name."""
    if not any(child.label.lower() == label.lower() for child in children):
        return label
    first, second = children[0].label, children[1].label
    if not first or not second:
        return label
    combined = f"{first} and {phrases.inner(second)}"
    overlap = {vocabulary.singular(w.lower()) for w in first.split()} & {
        vocabulary.singular(w.lower()) for w in second.split()
    }
    short = len(combined.split()) <= 5 and " and " not in first
    if short and not overlap and combined.lower() not in used:
        return combined
    return label


def file_intent(
    source: str,
    lines: Sequence[str],
    lang: Language | None,
    infos: list[facts.Facts],
    labels: list[tuple[str, str]],
    file: facts.FileWords,
    filename: str = "",
) -> str:
    """For a file without a module summary: its declared description, else what its role
    makes it (``roles``: its main definition's doc among them)."""
    declared = intent.declared_description(source, lang) or intent.usage_summary(source)
    if declared:
        return declared
    role = roles.role_intent(infos, labels, file, lang, source, filename)
    if role:
        return role
    # Nothing to go by: say what kind of file it is, and nothing it is not.
    names = [u.name for info in infos for u in info.definitions if u.name][:3]
    kind = lang.name if lang is not None and lang.name else "Source"
    if names:
        listed = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
        return f"{kind} file setting {listed}."
    return f"{kind} file of top-level code."


def _fallback(source: str, language: str, filename: str, engine: str) -> Analysis:
    line_count = count_lines(source)
    step = max(1, -(-line_count // 3))
    blocks = []
    for start in range(1, line_count + 1, step):
        end = min(line_count, start + step - 1)
        blocks.append(Block(f"Lines {start}-{end}", "Part of the file.", ((start, end),)))
    return Analysis("Source file.", tuple(blocks), {"engine": engine, "language": language})
