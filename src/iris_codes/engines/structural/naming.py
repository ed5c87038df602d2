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

from ...syntax import comments
from ...syntax.references import split_words
from ...syntax.units import Unit
from . import intent, vocabulary
from .candidates import PARAMS, candidates, name_phrase
from .facts import Candidate, Facts, FileWords, is_package_clause, key_of, name_words
from .weights import NAMING, NamingWeights

JOINERS = frozenset({"and", "the", "to", "of", "for"})


def _valid(candidate: Candidate, info: Facts, file: FileWords) -> bool:
    words = candidate.words
    if not 2 <= len(words) <= 5:
        return False
    content = [w.lower() for w in words if w.lower() not in JOINERS]
    authored = candidate.source in ("marker", "heading")
    if len(content) == 2 and content[1] in vocabulary.kind_words() and not authored:
        return False  # "Octet methods": a kind word glued to a token of ours says nothing
    seen: set[str] = set()
    params = _parameters(info)
    for word in words:
        lower = word.lower().rstrip(":")
        for part in re.split(r"[- ]", lower):
            if not part or not (part in JOINERS or file.accepts(part)):
                return False
        stem = vocabulary.singular(lower)
        if stem in seen:
            return False
        seen.add(stem)
        if candidate.source in ("docstring", "main_name", "activity") and lower in params:
            return False
    return any(w not in vocabulary.generic() for w in content)


def _without_parameters(candidate: Candidate, info: Facts) -> Candidate:
    """A candidate read from a doc or a name, its parameter words left out ("converts the
    address ip" names an address); unchanged when too little would be left."""
    if candidate.source not in ("docstring", "main_name", "activity"):
        return candidate
    params = _parameters(info)
    words = [w for w in candidate.words if w.lower() not in params]
    if len(words) == len(candidate.words) or len(words) < 2 or words[-1].lower() in JOINERS:
        return candidate
    return msgspec.structs.replace(candidate, words=words)


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
        asked = (id(file), index, weights)
        if asked not in info.ranked:
            info.ranked[asked] = _ranked(info, file, index, weights)
        options.append(info.ranked[asked])  # type: ignore[arg-type]
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


def _ranked(
    info: Facts, file: FileWords, index: int, weights: NamingWeights
) -> list[tuple[float, str, Candidate]]:
    """The section's valid candidates, best first, each text once at its best score."""
    scored: dict[str, tuple[float, str, Candidate]] = {}
    for candidate in candidates(info, file):
        candidate = _without_parameters(candidate, info)
        if not _valid(candidate, info, file):
            continue
        text = candidate.text(file.acronyms)
        value = score(candidate, info, file, index, weights)
        if text.lower() not in scored or scored[text.lower()][0] < value:
            scored[text.lower()] = (value, text, candidate)
    return sorted(scored.values(), key=lambda o: -o[0])


def _statements_label(units: list[Unit]) -> str:
    """Top-level statements by what they are: preprocessor lines, a BEGIN/END block."""
    heads = [u.signature.strip() for u in units if u.kind in ("statement", "constant")]
    if heads and all(h.startswith("#") for h in heads):
        return "Preprocessor directives"
    block = re.match(r"^([A-Z]{3,10})\s*\{", heads[0]) if heads else None
    if block:
        return f"{block.group(1)} block"
    return "Top-level statements"


def documentation_share(info: Facts) -> float:
    """How much of the section is documentation units (POD after ``__END__``, a long
    comment closing the file), by lines."""
    lines = info.section.end - info.section.start + 1
    said = sum(p.end - p.start + 1 for p in info.section.pieces if p.unit.kind == "comment")
    # A docstring opening a unit (the module's, above its first assignment) is prose too.
    said += sum(
        last - first + 1
        for p in info.section.pieces
        if p.unit.kind != "comment"
        for first, last in [
            *(span for span in p.unit.facts.strings if span[0] == p.unit.start),
            *p.unit.facts.comments,
        ]
    )
    return said / max(1, lines)


def setup_label(info: Facts) -> str:
    """What a section of licence, imports and setup holds: "Licence, includes and setup"."""
    units = [p.unit for p in info.section.pieces]
    lines = [line for line in info.text.split("\n") if line.strip()]
    prose = sum(1 for line in lines if comments.is_comment_line(line) or line.startswith("="))
    licence = any(intent.is_boilerplate(u.doc or "") for u in units)
    if (prose > 0.8 * max(1, len(lines)) or documentation_share(info) > 0.8) and not licence:
        return "Module documentation"
    parts: list[str] = []
    notes = [u for u in units if u.kind == "comment"]
    if notes and any(intent.is_boilerplate(u.doc or "") for u in notes):
        parts.append("licence")
    elif notes and not any(u.kind != "comment" for u in units):
        parts.append("documentation")
    imports = [u for u in units if u.kind == "import" and not is_package_clause(u)]
    if any(is_package_clause(u) for u in units) and not imports:
        parts.append("package declaration")
    if imports:
        include = any(u.signature.lstrip().startswith("#") for u in imports)
        parts.append("includes" if include else "imports")
    if any(u.kind in ("statement", "constant") for u in units):
        parts.append("setup" if imports or notes else "top-level code")
    if not parts:
        return ""
    if parts == ["documentation"]:
        return "Module documentation"
    if parts == ["top-level code"]:
        return _statements_label(units)
    if len(parts) == 1:
        alone = {
            "licence": "Licence header",
            "includes": "Included headers",
            "package declaration": "Package declaration",
        }
        return alone.get(parts[0], {"imports": "Module imports"}.get(parts[0], "Module setup"))
    text = f"{', '.join(parts[:-1])} and {parts[-1]}"
    return text[:1].upper() + text[1:]


def fallback_label(info: Facts, file: FileWords, taken: set[str]) -> str:
    """A plain label when no candidate holds: what the section is (imports and setup, the
    script's body), else its main member's name as words; else "" (post-processing then
    names the lines)."""
    kinds_here = {p.unit.kind for p in info.section.pieces}
    ids = {p.unit.id for p in info.section.pieces}
    if len(ids) == 1 and info.section.pieces[0].inside:
        # A stretch of one table or statement by its entries, of one function by what
        # that stretch does.
        part = _part_label(info, file, by_lines=False) or _doing_label(info, file, taken)
        if part and part.lower() not in taken:
            return part
    if kinds_here <= {"comment", "import", "statement", "constant"}:
        plain = setup_label(info)
        if plain == "Top-level statements":
            # Statements by the names they set: "Version, usage and escape".
            assigned = [(n, 1.0) for p in info.section.pieces for n in sorted(p.unit.defines)]
            plain = (
                _words_label(assigned, info, file, taken)
                or _doing_label(info, file, taken)
                or plain
            )
        if plain and plain.lower() not in taken:
            return plain
    # The main member's own name, read as words, when it holds two or more.
    for unit in sorted(info.definitions, key=lambda u: -info.weights.get(key_of(u), 0.0))[:3]:
        noun = unit.kind in ("constant", "type", "class")
        candidate = Candidate(name_phrase(unit.name, file, noun), "fallback")
        label = candidate.text(file.acronyms)
        if _valid(candidate, info, file) and label.lower() not in taken:
            return label
    # What the members are about, in their own words: "Mapping, repeating and titles".
    members = [(u.name, info.weights.get(key_of(u), 1.0)) for u in info.definitions]
    label = _words_label(members, info, file, taken) or _names_label(info, taken)
    if label:
        return label
    doing = _doing_label(info, file, taken)
    if doing:
        return doing
    part = _part_label(info, file)
    return part if part.lower() not in taken else ""


def _verb_of(word: str) -> str:
    """The verb of a third-person form ("matches" → match, "reads" → read), or ""."""
    if word.endswith("ies") and vocabulary.is_verb(word[:-3] + "y"):
        return word[:-3] + "y"  # "verifies" → verify
    for cut in (1, 2):
        if word.endswith("s") and vocabulary.is_verb(word[:-cut]):
            return word[:-cut]
    return ""


def _doing_label(info: Facts, file: FileWords, taken: set[str]) -> str:
    """What the section's code does, as its description's first verb phrase reads
    ("Updates MIME database…" → "Updating MIME database"); "" when it opens with none."""
    from .describe import fact_sentence

    text, _ = fact_sentence(info, file)
    text = re.sub(r"^(?:In [\w.:$]+, this|This) part (\w)", lambda m: m.group(1).upper(), text)
    clause = re.split(r",|;|\.$| each | with ", text, maxsplit=1)[0].split()
    for i, word in enumerate(clause[1:-1], 1):
        following = clause[i + 1].lower()
        if word == "and" and _verb_of(following):
            clause = clause[:i]  # "… and exits": the next clause's verb
            break
    if len(clause) < 2 or not clause[0][:1].isupper():
        return ""
    verb = _verb_of(clause[0].lower())
    if not verb or verb == "call":
        return ""  # "calls X" says which code runs, not what the section does
    rest = [w for w in clause[1:] if w.lower() not in ("the", "a", "an")]
    verbs = [i for i, w in enumerate(rest) if _verb_of(w.lower())]
    rest = rest[: verbs[0]] if verbs else rest  # "logs cert matches key": a clause inside
    words = [w for w in rest if re.fullmatch(r"[A-Za-z][\w-]*", w) and file.accepts(w.lower())]
    if len(words) < len(rest):
        words = words[-1:]  # options, paths or code among the words: the thing alone
    words = words[-3:]
    if not words:
        return ""
    candidate = Candidate([vocabulary.gerund(verb).capitalize(), *words], "fallback")
    label = candidate.text(file.acronyms)
    return label if _valid(candidate, info, file) and label.lower() not in taken else ""


_NAMED_KINDS = frozenset({"function", "method", "class", "type"})
_PLAIN_NAME = re.compile(r"_{0,2}[A-Za-z][\w$]{1,29}")


def _words_label(
    names: list[tuple[str, float]], info: Facts, file: FileWords, taken: set[str]
) -> str:
    """The words ``names`` (with their weights) share most, as a list: "Mapping, repeating
    and titles"; "" when fewer than two words hold."""
    weights: dict[str, float] = {}
    for name, weight in names:
        for word in name_words(name):
            if (
                len(word) > 2
                and file.accepts(word)
                and word not in vocabulary.generic()
                and word not in vocabulary.kind_words()
                and word not in vocabulary.clause_words()
            ):
                weights[word] = weights.get(word, 0.0) + weight
    top = sorted(weights, key=lambda w: -weights[w])[:3]
    order = list(dict.fromkeys(w for name, _ in names for w in name_words(name)))
    top = sorted(top, key=order.index)
    shown = [vocabulary.gerund(w) if vocabulary.is_verb(w) else w for w in top]
    if len(shown) < 2:
        return ""
    words = [*[f"{w}," for w in shown[:-2]], shown[-2], "and", shown[-1]]
    label = " ".join(words)
    label = label[:1].upper() + label[1:]
    return label if label.lower() not in taken else ""


def _names_label(info: Facts, taken: set[str]) -> str:
    """The members' own names, first and last ("The exec function", "handler_30 to
    handler_44"): what is left when their names read as no words, still drawn from the
    file."""
    names: dict[str, tuple[str, str]] = {}
    for unit in info.definitions:
        # Plain names of things one calls or makes: "_Expr<_Clos, _Tp>::shift" or a
        # script's "r" would be noise.
        if unit.kind in _NAMED_KINDS and _PLAIN_NAME.fullmatch(unit.name):
            names.setdefault(vocabulary.singular(unit.name.lower()), (unit.name, unit.kind))
    spelled = list(names.values())
    if not spelled:
        return ""
    if len(spelled) == 1:
        # A label is a phrase, never a bare identifier: the name with what it is.
        name, kind = spelled[0]
        label = f"The {name} {kind}"
        return label if label.lower() not in taken else ""
    if any(name.startswith("_") for name, _ in (spelled[0], spelled[-1])):
        return ""  # "_a to b": the label's edges would lose the underscore
    first, last = spelled[0][0], spelled[-1][0]
    label = (" and " if len(spelled) == 2 else " to ").join((first, last))
    return label if len(label) <= 60 and label.lower() not in taken else ""


def _part_label(info: Facts, file: FileWords, by_lines: bool = True) -> str:
    """The part of one named thing: its entries from first to last ("Build time variables
    ABIFLAGS–CXX"), or (``by_lines``) its lines."""
    owners = {u.name for u in info.definitions if u.name}
    if len(owners) != 1:
        return ""
    words = [w for w in name_words(owners.pop()) if file.accepts(w)][-3:]
    if not words:
        return ""
    keys = entry_keys(info.text, quoted_only=True)
    if not keys and not by_lines:
        return ""
    span = f" {keys[0]}–{keys[1]}" if keys else f", lines {info.section.start}-{info.section.end}"
    label = " ".join(words) + span
    return label[:1].upper() + label[1:]


_ENTRY_KEY = re.compile(
    r"""^\s*[\[({]?\s*(?:'([^'\s]{1,16})'|"([^"\s]{1,16})"|([A-Za-z_][\w.]{0,24}))"""
    r"""\s*(?:[,:=)\]}#]|$)"""
)


def entry_keys(text: str, quoted_only: bool = False) -> tuple[str, str] | None:
    """The keys of the first and last entries of a stretch of a table, when its lines are
    entries (``'CC': …``, ``'\\x80'  # …``, ``NAME = …``; ``quoted_only``: string keys,
    data rather than the code's names)."""
    lines = [line for line in text.split("\n") if line.strip()]
    matches = [m for m in map(_ENTRY_KEY.match, lines) if m]
    if quoted_only:
        matches = [m for m in matches if m.group(1) or m.group(2)]
    keys = [m.group(1) or m.group(2) or m.group(3) for m in matches]
    if len(keys) < max(3, len(lines) // 2) or keys[0] == keys[-1]:
        return None
    return keys[0], keys[-1]
