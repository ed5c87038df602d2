"""Naming: one label per section, chosen among candidates by a score with named weights.

Candidates (``candidates``) are scored for where they came from, how much of the section
they speak for, how specific their words are and their shape (``weights.NamingWeights``);
hard rules drop candidates with words that are not words (raw identifiers), parameter names
or a repeated word. When none holds, a fallback names the section by its commonest word.
"""

from __future__ import annotations

import re
from collections import Counter

import msgspec

from ...syntax.references import split_words
from . import vocabulary
from .candidates import PARAMS, candidates
from .facts import Candidate, Facts, FileWords, noun_like
from .weights import NAMING, NamingWeights

JOINERS = frozenset({"and", "the", "to", "of", "for"})


def _valid(candidate: Candidate, info: Facts, file: FileWords) -> bool:
    words = candidate.words
    if not 2 <= len(words) <= 5:
        return False
    seen: set[str] = set()
    params = _parameters(info)
    for word in words:
        lower = word.lower()
        for part in lower.split("-"):
            if not part or not (part in JOINERS or file.accepts(part)):
                return False
        stem = vocabulary.singular(lower)
        if stem in seen:
            return False
        seen.add(stem)
        if candidate.source in ("docstring", "main_name", "activity") and lower in params:
            return False
    content = [w.lower() for w in words if w.lower() not in JOINERS]
    return any(w not in vocabulary.generic() for w in content)


def _parameters(info: Facts) -> frozenset[str]:
    """Parameter names of the section's functions that are not also in their names."""
    names = {w for u in info.definitions for w in split_words(u.name)}
    params: set[str] = set()
    for unit in info.definitions:
        match = PARAMS.search(unit.signature)
        if match:
            for token in re.findall(r"[A-Za-z_]\w*", match.group(1)):
                params.update(w for w in split_words(token) if w not in names)
    return frozenset(params)


def score(
    candidate: Candidate, info: Facts, file: FileWords, index: int, weights: NamingWeights = NAMING
) -> float:
    """How good ``candidate`` is as the label of section ``index``."""
    value = float(getattr(weights, candidate.source))
    covered = sum(info.weights.get(k, 0.0) for k in candidate.covers)
    value += weights.coverage * covered / info.total
    content = [
        vocabulary.singular(w.lower()) for w in candidate.words if w.lower() not in ("and", "the")
    ]
    others = [c for j, c in enumerate(file.block_words) if j != index]
    if others and content:
        spread = sum(sum(1 for c in others if w in c) / len(others) for w in content) / len(content)
        value += weights.specificity * (1 - spread)
    value -= weights.per_word_over_four * max(0, len(candidate.words) - 4)
    value -= weights.generic_word * sum(1 for w in content if w in vocabulary.generic())
    return value


class Label(msgspec.Struct, frozen=True):
    """A chosen label and the candidate source it came from ("fallback" when none held)."""

    text: str
    source: str
    covers: frozenset[int] = frozenset()  # the members it speaks for (``facts.key_of``)


def choose_labels(
    infos: list[Facts], file: FileWords, weights: NamingWeights = NAMING
) -> list[Label]:
    """One label per section, distinct, best candidates first."""
    labels: list[Label] = []
    taken: set[str] = set()
    for index, info in enumerate(infos):
        options = [c for c in candidates(info, file) if _valid(c, info, file)]
        ranked = sorted(
            options,
            key=lambda c: (
                score(c, info, file, index, weights)
                - (weights.taken if c.text(file.acronyms).lower() in taken else 0.0)
            ),
            reverse=True,
        )
        best = ranked[0] if ranked else None
        if best is not None and best.text(file.acronyms).lower() not in taken:
            label = Label(best.text(file.acronyms), best.source, best.covers)
        else:
            label = Label(fallback_label(info, file, taken), "fallback")
        taken.add(label.text.lower())
        labels.append(label)
    return labels


_FALLBACK_NOUN = {
    "type": "types",
    "class": "classes",
    "constant": "settings",
    "import": "imports",
    "comment": "notes",
    "statement": "steps",
    "paragraph": "steps",
    "function": "functions",
    "method": "methods",
}


_PROSE_LINE = re.compile(r"^\s*(?:#|//|/\*|\*|--|;|%)|^=[a-z]")


def fallback_label(info: Facts, file: FileWords, taken: set[str] | None = None) -> str:
    """A plain label when no candidate holds: the word the section uses most and no other
    section does as much (tf-idf over sections), with what kind of code it is."""
    kinds = Counter(u.kind for u in info.definitions)
    noun = _FALLBACK_NOUN.get(kinds.most_common(1)[0][0] if kinds else "", "code")
    index = next((i for i, w in enumerate(file.block_words) if w is info.words), -1)
    others = [w for i, w in enumerate(file.block_words) if i != index]
    counts: Counter[str] = Counter()
    code = "\n".join(line for line in info.text.split("\n") if not _PROSE_LINE.match(line))
    for token in re.findall(r"[A-Za-z][A-Za-z0-9]*", code):
        for word in split_words(token):
            noise = word in vocabulary.script_noise() or word in vocabulary.filler()
            if len(word) > 3 and not noise:
                counts[vocabulary.singular(word)] += 1

    def rank(item: tuple[str, int]) -> float:
        word, count = item
        spread = sum(1 for c in others if word in c) / max(1, len(others))
        return count * (1.5 - spread)

    for word, _ in sorted(counts.items(), key=rank, reverse=True)[:12]:
        if word in vocabulary.generic() or not noun_like(word):
            continue
        candidate = Candidate([vocabulary.expand(word), noun], "main_name")
        label = candidate.text(file.acronyms)
        if _valid(candidate, info, file) and (not taken or label.lower() not in taken):
            return label
    kinds_here = {p.unit.kind for p in info.section.pieces}
    if kinds_here <= {"comment", "import", "statement"}:
        plain = "Imports and module setup" if "import" in kinds_here else "Module header"
        fits = "import" in kinds_here or kinds_here == {"comment"}
        if fits and (not taken or plain.lower() not in taken):
            return plain
    ordinal = _ORDINALS[min(index, len(_ORDINALS) - 1)] if index >= 0 else "next"
    return f"{ordinal.capitalize()} section"


_ORDINALS = (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "last",
)  # fmt: skip
