"""Descriptions: one sentence per section, from its main member's doc or its shape."""

from __future__ import annotations

import re
from collections import Counter

from . import intent, vocabulary
from .facts import KIND_WORD, Facts, key_of, main_definition, plain_doc


def describe(info: Facts, label: str, covers: frozenset[int] = frozenset()) -> str:
    """A sentence about the section: the doc of the member its label speaks for, else its
    main member's, else a short phrase of what it holds."""
    main = main_definition(info)
    named = sorted(
        (u for u in info.definitions if key_of(u) in covers and u.doc),
        key=lambda u: -info.weights.get(key_of(u), 0.0),
    )
    docs = [u.doc for u in named[:1]]
    docs += [main.doc] if main is not None and main.doc else []
    docs += [u.doc for u in info.section.units if u.doc]
    for doc in docs:
        sentence = clean_doc(doc)
        if len(sentence.split()) >= 3 and sentence.lower().rstrip(".") != label.lower():
            return sentence
    named = [u for u in info.definitions if u.name and u.kind in KIND_WORD]
    if not named:
        if info.section.preamble:
            return "Imports and module-level setup."
        return "Top-level statements."
    main = main if main is not None and main.name else named[0]
    count = len(named)
    kinds = Counter(u.kind for u in named)
    noun = KIND_WORD.get(kinds.most_common(1)[0][0], "definition")
    name = re.split(r"[.:]", main.name)[-1]
    if info.owner and main.name != info.owner:
        return f"Part of {info.owner}: {count} {_plural(noun, count)}, starting with {name}."
    if count == 1:
        return f"The {noun} {name}."
    return f"{count} {_plural(noun, count)}, starting with {name}."


def _plural(noun: str, count: int) -> str:
    return noun if count == 1 else vocabulary.plural(noun)


def clean_doc(doc: str) -> str:
    """A docstring's first sentence without markup, ending in a full stop."""
    text = intent.unmarked(plain_doc(doc)).lstrip(":;,.-| ")
    if not text or not re.search(r"[A-Za-z]{3}", text):
        return ""
    if _NOT_PROSE.search(text) or intent.is_boilerplate(text):
        return ""
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text.rstrip(",;:") + "."


_NOT_PROSE = re.compile(
    r"^-{2,}|-{3,}\.?$|^[/!]|^#!|copyright|licen[sc]e|spdx|-\*-|\bvim:|eslint|^go:|noqa|@ts-|pylint|"
    r"\bwarranty\b|[+|]\s*[+|]\s*[+|]|^\W*[\w.]+\s*=\s*\S+\W*$|^_|-{4,}|^\w+\([^)]*\)\s*->|^(?:XXX|TODO|FIXME|HACK)\b",
    re.I,
)
