"""Naming: one label per section, chosen among candidates by a score with named weights.

Candidates (``candidates``) are scored for where they came from, how much of the section
they speak for, how specific their words are and their shape (``weights.NamingWeights``);
hard rules drop candidates with words that are not words (raw identifiers), parameter names,
a repeated word, or a kind word glued to one token. Labels are assigned best first across
all the sections of a level, so a label goes to the section it fits best and no two
sections share one. When no candidate holds, the section is named by what it is (imports
and setup, the script's body) or by its most distinctive words.
"""

from __future__ import annotations

import re

import msgspec

from ...syntax.references import split_words
from . import vocabulary
from .candidates import PARAMS, candidates, name_phrase
from .facts import Candidate, Facts, FileWords, key_of, name_words
from .weights import NAMING, NamingWeights

JOINERS = frozenset({"and", "the", "to", "of", "for"})


def _valid(candidate: Candidate, info: Facts, file: FileWords) -> bool:
    words = candidate.words
    if not 2 <= len(words) <= 5:
        return False
    content = [w.lower() for w in words if w.lower() not in JOINERS]
    if len(content) == 2 and content[1] in vocabulary.kind_words():
        return False  # "Octet methods": a kind word glued to one token says nothing
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
    return any(w not in vocabulary.generic() for w in content)


def _parameters(info: Facts) -> frozenset[str]:
    """Parameter names of the section's functions that are not also in their names."""
    if info.parameters is not None:
        return info.parameters
    names = {w for u in info.definitions for w in split_words(u.name)}
    params: set[str] = set()
    for unit in info.definitions:
        match = PARAMS.search(unit.signature)
        if match:
            for token in re.findall(r"[A-Za-z_]\w*", match.group(1)):
                params.update(w for w in split_words(token) if w not in names)
    info.parameters = frozenset(params)
    return info.parameters


def score(
    candidate: Candidate, info: Facts, file: FileWords, index: int, weights: NamingWeights = NAMING
) -> float:
    """How good ``candidate`` is as the label of section ``index``."""
    value = float(getattr(weights, candidate.source))
    covered = sum(info.weights.get(k, 0.0) for k in candidate.covers)
    value += weights.coverage * covered / info.total
    content = [vocabulary.singular(w.lower()) for w in candidate.words if w.lower() not in JOINERS]
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
    infos: list[Facts],
    file: FileWords,
    weights: NamingWeights = NAMING,
    taken: frozenset[str] = frozenset(),
) -> list[Label]:
    """One distinct label per section, each going where it fits best (``taken``: labels
    already used around this level, such as the parent's)."""
    options: list[list[tuple[float, str, Candidate]]] = []
    for index, info in enumerate(infos):
        scored: dict[str, tuple[float, str, Candidate]] = {}
        for candidate in candidates(info, file):
            if not _valid(candidate, info, file):
                continue
            text = candidate.text(file.acronyms)
            value = score(candidate, info, file, index, weights)
            if text.lower() not in scored or scored[text.lower()][0] < value:
                scored[text.lower()] = (value, text, candidate)
        options.append(sorted(scored.values(), key=lambda o: -o[0]))
    best_for: dict[str, float] = {}
    for ranked in options:
        for value, text, _ in ranked:
            best_for[text.lower()] = max(best_for.get(text.lower(), value), value)
    chosen: dict[int, Label] = {}
    used = {t.lower() for t in taken}
    # Sections whose best candidate is strongest choose first.
    order = sorted(range(len(infos)), key=lambda i: -(options[i][0][0] if options[i] else -99))
    for index in order:
        for value, text, candidate in options[index]:
            key = text.lower()
            if key in used or best_for[key] > value + weights.neighbour:
                continue
            chosen[index] = Label(text, candidate.source, candidate.covers)
            used.add(key)
            break
    labels = []
    for index, info in enumerate(infos):
        if index not in chosen:
            chosen[index] = Label(fallback_label(info, file, used), "fallback")
            used.add(chosen[index].text.lower())
        labels.append(chosen[index])
    return labels


def fallback_label(info: Facts, file: FileWords, taken: set[str]) -> str:
    """A plain label when no candidate holds: what the section is (imports and setup, the
    script's body), else its main member's name as words; else "" (post-processing then
    names the lines)."""
    kinds_here = {p.unit.kind for p in info.section.pieces}
    if kinds_here <= {"comment", "import", "statement"}:
        for plain, fits in (
            ("Imports and module setup", "import" in kinds_here),
            ("File header", kinds_here == {"comment"}),
            ("Script body", "statement" in kinds_here),
        ):
            if fits and plain.lower() not in taken:
                return plain
    named = [u for u in info.definitions if u.name]
    if len(named) == 1 and len(words := name_words(named[0].name)) == 1:
        # One definition named by one word: the word and what it is ("The usage function").
        kind = {"method": "method", "class": "class", "type": "type"}.get(named[0].kind, "")
        kind = kind or ("constant" if named[0].kind == "constant" else "function")
        label = f"The {words[0]} {kind}"
        if file.accepts(words[0]) and label.lower() not in taken:
            return label
    # The main member's own name, read as words, when it holds two or more.
    for unit in sorted(info.definitions, key=lambda u: -info.weights.get(key_of(u), 0.0))[:3]:
        candidate = Candidate(name_phrase(unit.name, file), "fallback")
        label = candidate.text(file.acronyms)
        if _valid(candidate, info, file) and label.lower() not in taken:
            return label
    # What the members are about, in their own words: "Mapping, repeating and titles".
    weights: dict[str, float] = {}
    for unit in info.definitions:
        for word in name_words(unit.name):
            if (
                len(word) > 2
                and file.accepts(word)
                and word not in vocabulary.generic()
                and word not in vocabulary.kind_words()
                and word not in vocabulary.clause_words()
            ):
                weights[word] = weights.get(word, 0.0) + info.weights.get(key_of(unit), 1.0)
    top = sorted(weights, key=lambda w: -weights[w])[:3]
    order = [w for w in dict.fromkeys(w for u in info.definitions for w in name_words(u.name))]
    top = sorted(top, key=order.index)
    shown = [vocabulary.gerund(w) if vocabulary.is_verb(w) else w for w in top]
    if len(shown) >= 2:
        words = [*[f"{w}," for w in shown[:-2]], shown[-2], "and", shown[-1]]
        label = " ".join(words)
        label = label[:1].upper() + label[1:]
        if label.lower() not in taken:
            return label
    return ""
