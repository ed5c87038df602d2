"""Intents for files whose author wrote no summary: what the file is, from its role.

Each role is a scored candidate with the evidence it needs: a class the file is built
around, a command-line program and its commands, a header's API and what its functions do,
a test suite, a script and its steps, a module of functions and what they do, a table of
settings and its groups. The best candidate with evidence wins; a file with none is named
by its main definitions ("Defines X, Y and Z.") — never "A, with B and C".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import msgspec

from ...syntax.languages import Language
from ...syntax.units import Unit
from . import vocabulary
from .facts import Facts, FileWords, name_words, noun_like, short_name
from .phrases import and_list, article, base_names, inner, sentence
from .weights import ROLES, RoleWeights

_ERROR_NAME = re.compile(r"(?:Error|Exception|Warning)$")
_TEST_NAME = re.compile(r"(?i)^test|^it$|^describe$|_test$")
# Calls that register a command-line subcommand or option group, by name.
_SUBCOMMAND_CALLS = re.compile(r"(?:^|\.)(?:add_parser|add_command|command|subcommand)$")


class Role(msgspec.Struct, frozen=True):
    text: str
    source: str
    score: float


def role_intent(
    infos: Sequence[Facts],
    labels: Sequence[tuple[str, str]],
    file: FileWords,
    lang: Language | None,
    source: str,
    filename: str,
    weights: RoleWeights = ROLES,
) -> str:
    """The best intent the file's role supports (``labels``: (text, source) per section)."""
    units = [u for info in infos for u in info.definitions]
    if not units:
        return ""
    options = [
        *_doc_roles(units, source, filename, weights),
        *_class_role(units, infos, source, weights),
        *_cli_role(units, lang, source, file, weights),
        *_test_role(units, weights),
        *_header_role(units, lang, filename, weights),
        *_settings_role(units, labels, weights),
        *_script_role(units, labels, weights),
        *_functions_role(units, weights),
        *_doings_role(units, file, weights),
        *_definitions_role(units, weights),
    ]
    options = [o for o in options if o.text and len(o.text.split()) <= weights.max_words]
    if not options:
        return ""
    return max(options, key=lambda o: o.score).text


def _doc_roles(units: list[Unit], source: str, filename: str, weights: RoleWeights) -> list[Role]:
    """The doc of the definition the file is about: the one named like the file, the only
    public one, the one that is most of the file, or the one the others use most."""
    line_count = max(1, source.count("\n"))
    top = [u for u in units if u.kind in ("class", "type", "function", "constant") and u.name]
    stem = _normal(re.split(r"[\\/]", filename)[-1].split(".")[0])
    found: list[Role] = []
    for unit in top:
        text = _doc_sentence(unit)
        if not text:
            continue
        name = _normal(short_name(unit.name))
        if stem and name and (name == stem or name == stem.rstrip("s")):
            found.append(Role(text, "named doc", weights.named_doc))
        elif (
            unit.kind != "constant"
            and not unit.parent
            and (_lines(unit) >= weights.main_share * line_count)
        ):
            found.append(Role(text, "main doc", weights.main_doc))
    exported = [u for u in top if u.exported and not u.parent]
    if len(exported) == 1 and (text := _doc_sentence(exported[0])):
        found.append(Role(text, "main doc", weights.main_doc))
    used: Counter[int] = Counter()
    for unit in top:
        for other in units:
            if other is not unit and unit.defines & other.uses:
                used[id(unit)] += 1
    # A type the others are built on speaks for the file; a much-used helper does not.
    central = [u for u in exported if u.kind in ("class", "type") and used[id(u)] >= 2 and u.doc]
    if central:
        best = max(central, key=lambda u: (used[id(u)], -u.start))
        found.append(Role(_doc_sentence(best), "central doc", weights.central_doc))
    return found


def _normal(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _doc_sentence(unit: Unit) -> str:
    from . import intent
    from .facts import plain_doc

    return intent.sentence(plain_doc(unit.doc)) if unit.doc else ""


def _definitions(units: list[Unit]) -> list[Unit]:
    return [u for u in units if u.kind in ("class", "type", "function", "method", "constant")]


def _lines(unit: Unit) -> int:
    return unit.end - unit.start + 1


def _class_role(
    units: list[Unit], infos: Sequence[Facts], source: str, weights: RoleWeights
) -> list[Role]:
    """A file built around one class: the class, what it derives from, its public methods."""
    line_count = max(1, source.count("\n"))
    classes = [u for u in units if u.kind in ("class", "type") and u.name]
    if not classes:
        return []
    size: Counter[str] = Counter()
    for unit in units:
        owner = unit.parent or (unit.name if unit.kind in ("class", "type") else "")
        if owner:
            size[owner] += _lines(unit)
    name, lines = size.most_common(1)[0]
    if lines < weights.main_share * line_count or _ERROR_NAME.search(name):
        return []
    header = next((u for u in classes if u.name == name), None)
    kind = "class"
    if header is not None:
        for word in ("interface", "protocol", "struct", "enum", "trait", "record"):
            if re.search(rf"\b{word}\b", header.signature.lower()):
                kind = word
    bases = base_names([short_name(b) for _, b in header.facts.bases])[:2] if header else []
    own = short_name(name)
    methods = [
        u
        for u in units
        if u.parent == name
        and u.kind in ("method", "function")
        and _public(u)
        and not re.fullmatch(r"__\w+__|constructor", short_name(u.name))
        and short_name(u.name) != own
    ]
    # Its three largest public methods, in file order: what a reader meets first.
    biggest = sorted(sorted(methods, key=lambda u: -_lines(u))[:3], key=lambda u: u.start)
    what = f"the {own} {kind}"
    if bases:
        noun = "subclass" if kind == "class" else kind
        what += f", {article(bases[0])} {and_list(bases)} {noun},"
    text = f"Defines {what}"
    if biggest:
        text += f" and its methods {and_list([short_name(u.name) for u in biggest])}"
    return [Role(sentence(text), "class", weights.class_role + (0.5 if methods else 0.0))]


def _public(unit: Unit) -> bool:
    return not short_name(unit.name).startswith("_") or bool(
        re.fullmatch(r"__\w+__", short_name(unit.name))
    )


def _cli_role(
    units: list[Unit], lang: Language | None, source: str, file: FileWords, weights: RoleWeights
) -> list[Role]:
    """A program that parses its command line: its subcommands, or what its main does."""
    if lang is None or not lang.cli or not re.search(lang.cli, source[:200_000], re.M):
        return []
    entry = [
        u for u in units if u.name == "main" or re.match(r"^\s*if\s+__name__\s*==", u.signature)
    ]
    statements = sum(_lines(u) for u in units if u.kind == "statement")
    if not entry and statements < weights.main_share * sum(_lines(u) for u in units):
        return []
    commands: list[str] = []
    for unit in units:
        for _, callee, literal in unit.facts.literals:
            if _SUBCOMMAND_CALLS.search(callee) and re.fullmatch(r"[\w-]{2,30}", literal):
                commands.append(literal)
        for _, decorator in unit.facts.decorators:
            match = re.search(r"\.command\(\s*[\"']([\w-]{2,30})[\"']", decorator)
            if match:
                commands.append(match.group(1))
    if commands:
        text = f"Command-line program with the commands {and_list(commands, limit=5)}"
        return [Role(sentence(text), "cli", weights.cli_role + 0.5)]
    from .describe import actions

    steps = [a for a in actions(entry, file) if not a.startswith("calls ")]
    if len(steps) < 2:
        return []
    text = f"Command-line program that {and_list(steps[:3])}"
    return [Role(sentence(text), "cli", weights.cli_role)]


def _test_role(units: list[Unit], weights: RoleWeights) -> list[Role]:
    tests = [u for u in units if _TEST_NAME.search(short_name(u.name) or "-")]
    if len(tests) < 2 or len(tests) * 2 < len(_definitions(units)):
        return []
    topics: Counter[str] = Counter()
    for unit in tests:
        words = [w for w in name_words(unit.name) if w != "test" and noun_like(w)]
        topics.update(words[:2])
    subjects = [w for w, _ in topics.most_common(3)]
    if not subjects:
        return []
    return [Role(sentence(f"Tests of {and_list(subjects)}"), "tests", weights.test_role)]


def _header_role(
    units: list[Unit], lang: Language | None, filename: str, weights: RoleWeights
) -> list[Role]:
    """A header of declarations: its API's name prefix and what its functions do."""
    if not re.search(r"\.(?:h|hh|hpp|hxx|h\+\+|d\.ts)$", filename.lower()):
        return []
    functions = [short_name(u.name) for u in units if u.kind == "function" and u.name]
    if len(functions) < 2:
        return []
    prefix = _prefix(functions)
    verbs = _verbs(functions)
    api = f"the {prefix.rstrip('_')} API" if prefix else "an API"
    if verbs:
        text = f"Declarations of {api}: functions to {and_list(verbs)}"
    else:
        text = f"Declarations of {api}: {and_list(functions, limit=4)}"
    return [Role(sentence(text), "header", weights.header_role)]


def _prefix(names: list[str]) -> str:
    """The name prefix most of ``names`` share (``BZ2_bz``, ``png_``), or ""."""
    heads: Counter[str] = Counter()
    for name in names:
        match = re.match(r"^([A-Za-z0-9]+_)|^([a-z]+)(?=[A-Z])", name)
        if match:
            heads[match.group(0)] += 1
    if not heads:
        return ""
    head, count = heads.most_common(1)[0]
    return head if count >= max(2, 0.6 * len(names)) else ""


def _verbs(names: list[str]) -> list[str]:
    """The commonest verbs opening ``names``, as a reader says them."""
    counts: Counter[str] = Counter()
    for name in names:
        for word in name_words(name):
            if vocabulary.is_verb(word) and word not in vocabulary.weak_verbs():
                counts[word] += 1
                break
    return [w for w, _ in counts.most_common(4)]


def _settings_role(
    units: list[Unit], labels: Sequence[tuple[str, str]], weights: RoleWeights
) -> list[Role]:
    """A table of settings: the groups its author made."""
    constants = [u for u in units if u.kind in ("constant", "statement")]
    if len(constants) < 4 or len(constants) < weights.settings_share * len(_definitions(units)):
        return []
    groups = [text for text, source in labels if source in ("marker", "heading")]
    if len(groups) < 2:
        return []
    text = f"Settings for {and_list([inner(g) for g in groups], limit=6)}"
    return [Role(sentence(text), "settings", weights.settings_role)]


def _script_role(
    units: list[Unit], labels: Sequence[tuple[str, str]], weights: RoleWeights
) -> list[Role]:
    """A script of top-level statements: the steps its author headed with comments."""
    statements = sum(_lines(u) for u in units if u.kind in ("statement", "paragraph"))
    if statements < weights.main_share * sum(_lines(u) for u in units):
        return []
    steps = [text for text, source in labels if source in ("marker", "heading", "activity")]
    if len(steps) < 2:
        return []
    text = f"Script that goes through {and_list([inner(s) for s in steps], limit=4)}"
    return [Role(sentence(text), "script", weights.script_role)]


def _functions_role(units: list[Unit], weights: RoleWeights) -> list[Role]:
    """A module of functions: what its public functions do, by their verbs and objects."""
    functions = [u for u in units if u.kind == "function" and _public(u) and u.name]
    if len(functions) < 2 or len(functions) * 2 < len(_definitions(units)):
        return []
    verbs = _verbs([short_name(u.name) for u in functions])
    objects: Counter[str] = Counter()
    for unit in functions:
        words = name_words(unit.name)
        rest = [w for w in words[1:] if _noun(w)]
        if rest:
            objects[vocabulary.singular(rest[-1])] += 1
    # A thing only one function acts on is that function's, not the module's.
    things = [vocabulary.plural(w) for w, n in objects.most_common(3) if n >= 2]
    if not verbs or not things:
        return []
    text = f"Functions to {and_list(verbs[:3])} {and_list(things[:2])}"
    return [Role(sentence(text), "functions", weights.functions_role)]


def _noun(word: str) -> bool:
    """A common word that can stand as a thing: no verb, no participle ("initialized")."""
    return (
        noun_like(word)
        and not vocabulary.is_verb(word)
        and not word.endswith(("ed", "ing", "ly"))
        and word in vocabulary.common()
    )


def _doings_role(units: list[Unit], file: FileWords, weights: RoleWeights) -> list[Role]:
    """What the main functions do, read from their names ("Builds the connector and sets
    up the connect timeout"), when most of them are named for an action."""
    from .describe import _own_doings

    functions = [u for u in units if u.kind in ("function", "method") and u.name and not u.parent]
    biggest = sorted(sorted(functions, key=lambda u: -_lines(u))[:3], key=lambda u: u.start)
    doings = _own_doings(biggest, file) if len(biggest) >= 2 else ""
    if not doings:
        return []
    return [Role(sentence(doings), "doings", weights.doings_role)]


def _definitions_role(units: list[Unit], weights: RoleWeights) -> list[Role]:
    """The main definitions, by size: the least that is true about any file."""
    named = [u for u in _definitions(units) if u.name and not u.parent]
    named = [u for u in named if not u.signature.lstrip().startswith("namespace")]
    named = [u for u in named if re.match(r"[A-Za-z_$]", short_name(u.name))]  # no "0"
    named = [u for u in named if not re.fullmatch(r"__\w+__", short_name(u.name))]
    if not named:
        return []
    biggest = sorted(named, key=lambda u: -_lines(u))[:3]
    names = [short_name(u.name) for u in sorted(biggest, key=lambda u: u.start)]
    return [Role(sentence(f"Defines {and_list(names)}"), "definitions", weights.definitions_role)]
