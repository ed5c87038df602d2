"""Candidate labels for one section, each with the source it came from.

From the author's section marker, the class that owns the section, what its members do
(verbs and the object they share), the main member's docstring, the main definition's name,
and a role when the code shows evidence of one. ``naming`` scores and chooses among them.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from ...syntax.units import Unit
from . import intent, vocabulary
from .facts import (
    KIND_WORD,
    Candidate,
    Facts,
    FileWords,
    Weights,
    heaviest,
    key_of,
    main_definition,
    name_words,
    noun_like,
    plain_doc,
)

PARAMS = re.compile(r"\(([^()]*)")


WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")


PREDICATES = frozenset({"is", "has", "can", "should", "needs", "supports", "contains"})


def candidates(info: Facts, file: FileWords) -> list[Candidate]:
    """Every label candidate for one section."""
    found: list[Candidate] = []
    title = next((p.title for p in info.section.pieces if p.title and p.marker >= 1), "")
    if not title and info.section.pieces[0].title:
        title = info.section.pieces[0].title
    if intent.is_boilerplate(title):
        title = ""  # "-*- Mode: Python -*-" is an editor setting, not a section title
    all_ids = frozenset(key_of(u) for u in info.definitions)
    if title and len(title.split()) == 1:
        # A one-word heading ("Examples") says which part of what: "Buffer time examples".
        main = next((u for u in info.definitions if u.name), None)
        owner = name_words(main.name)[-2:] if main is not None else []
        title = " ".join([*owner, title.lower()]) if owner else title
    if title:
        source = (
            "marker"
            if info.section.pieces[0].marker >= 1 or not info.section.pieces[0].inside
            else "heading"
        )
        words = WORD.findall(title)[:6]
        found.append(Candidate(words, source, all_ids))
    found.extend(_role_candidates(info, file))
    if info.owner:
        owned = frozenset(key_of(u) for u in info.definitions if info.owner in (u.parent, u.name))
        words = name_words(info.owner)
        found.append(Candidate(words, "class_name", owned))
        if len(words) == 1:
            noun = _owner_noun(info)
            source = "owner_methods" if noun == "methods" else "class_name"
            found.append(Candidate([*words, noun], source, owned))
    found.extend(_activity_candidates(info))
    main = main_definition(info)
    if main is not None and main.kind == "paragraph":
        return found  # a function's later paragraphs: its name would mislabel them
    special = _special_candidate(main, info) if main is not None else None
    if special is not None:
        found.append(special)
    if main is not None:
        found.extend(_docstring_candidates(main, info))
        words = name_words(main.name)
        conversion = re.fullmatch(r"_*([a-z0-9]+)_?(?:to|2)_?([a-z0-9]+)", main.name.lower())
        if conversion and len(words) >= 2:
            # rgb_to_hsv, str2time: a conversion between two things.
            found.append(Candidate([*name_words(conversion.group(1)), "to",
                                    *name_words(conversion.group(2)), "conversion"],
                                   "main_name", frozenset({key_of(main)})))  # fmt: skip
        if words and words[0] in PREDICATES and len(words) > 1:
            words = [*words[1:], "checks"]
        elif words:
            if vocabulary.is_verb(words[0]) and len(words) > 1:
                words = [vocabulary.gerund(words[0]), *words[1:][-2:]]
            elif len(words) == 1:
                words = [words[0], KIND_WORD.get(main.kind, "definition")]
            found.append(Candidate(words, "main_name", frozenset({key_of(main)})))
    return found


def _special_candidate(unit: Unit, info: Facts) -> Candidate | None:
    """``__init__`` of ``Lock`` → "Lock initialisation"."""
    match = re.fullmatch(r"__(\w+?)__", unit.name)
    meaning = vocabulary.special_methods().get(match.group(1)) if match else None
    if meaning is None or not unit.parent:
        return None
    owner = name_words(unit.parent)[-2:]
    return Candidate([*owner, *meaning.split()], "special", frozenset({key_of(unit)}))


def _owner_noun(info: Facts) -> str:
    kinds = {u.kind for u in info.definitions if u.name == info.owner}
    if not kinds:
        return "methods"  # the owner is defined in another section
    return "type" if "type" in kinds else "class"


def _plural_tail(words: list[str]) -> list[str]:
    return [*words[:-1], vocabulary.plural(words[-1])] if words else words


def _activity_candidates(info: Facts) -> list[Candidate]:
    """What the members do: "Adding and removing tags", "Header parsing types"."""
    found: list[Candidate] = []
    verbs: Weights = defaultdict(float)
    objects: Weights = defaultdict(float)
    pairs: dict[str, Weights] = {}
    covers: dict[str, set[int]] = {}
    owner_words = name_words(info.owner) if info.owner else []
    for unit in info.definitions:
        if unit.kind in ("class", "type") and unit.name == info.owner:
            continue
        weight = info.weights[key_of(unit)]
        words = name_words(unit.name)
        if not words:
            continue
        if words[0] in PREDICATES and len(words) > 1:
            words = ["check", *words[1:]]  # hasToken, is_valid: checks
        verb = words[0] if vocabulary.is_verb(words[0]) else ""
        rest = [w for w in (words[1:] if verb else words) if noun_like(w)]
        obj = " ".join(vocabulary.singular(w) for w in rest[-2:]) if rest else ""
        if verb and not obj and owner_words and _acts_on(unit, owner_words[-1]):
            # A method named for its action alone acts on its object: "Acquiring the lock".
            phrase = [vocabulary.gerund(verb), "the", owner_words[-1]]
            found.append(Candidate(phrase, "owner_activity", frozenset({key_of(unit)})))
        if verb:
            verbs[verb] += weight
        if obj:
            objects[obj] += weight
            pairs.setdefault(obj, defaultdict(float))[verb] += weight
            covers.setdefault(obj, set()).add(key_of(unit))
        if verb:
            covers.setdefault(f"verb:{verb}", set()).add(key_of(unit))
    total = info.total
    topics: Weights = defaultdict(float)
    for unit in info.definitions:
        for word in {vocabulary.singular(w) for w in name_words(unit.name) if noun_like(w)}:
            if not vocabulary.is_verb(word):
                topics[word] += info.weights[key_of(unit)]
    noun = _kind_noun(Counter(u.kind for u in info.definitions))
    for word, weight in heaviest(topics, 2):
        # A word most members' names share: "Port constants" (POP3_PORT, POP3_SSL_PORT).
        ids = frozenset(key_of(u) for u in info.definitions if word in name_words(u.name))
        if noun and weight >= 0.3 * total and len(ids) >= 2:
            found.append(Candidate([word, noun], "activity", ids))
    for obj, weight in heaviest(objects, 3):
        if weight < 0.3 * total:
            break
        obj_words = obj.split()
        acts = [v for v, w in heaviest(pairs[obj], 3) if v and w >= 0.2 * weight]
        acts = [v for v in acts if v not in vocabulary.weak_verbs()] or acts
        covered = frozenset(covers[obj])
        if acts:
            gerunds = [vocabulary.gerund(v) for v in acts[:2]]
            head = [gerunds[0]] if len(gerunds) == 1 else [gerunds[0], "and", gerunds[1]]
            # A plural only when several members share the object ("Adding tags").
            tail = _plural_tail(obj_words) if len(covered) > 1 else obj_words
            found.append(Candidate([*head, *tail], "activity", covered))
        kinds = Counter(u.kind for u in info.definitions)
        noun = _kind_noun(kinds)
        if noun and len(obj_words) <= 3:
            found.append(Candidate([*obj_words, noun], "activity", covered))
    strong = [v for v, w in heaviest(verbs, 3) if w >= 0.2 * total]
    strong = [v for v in strong if v not in vocabulary.weak_verbs()]
    acting = [u for u in info.definitions if _acts_on(u, owner_words[-1])] if owner_words else []
    if len(strong) >= 2 and owner_words and len(acting) == len(info.definitions):
        # Methods acting on their object: "Acquiring and releasing the lock".
        ids = frozenset(k for v in strong[:2] for k in covers[f"verb:{v}"])
        head = [vocabulary.gerund(strong[0]), "and", vocabulary.gerund(strong[1])]
        found.append(Candidate([*head, "the", owner_words[-1]], "activity", ids))
    return found


def _acts_on(unit: Unit, noun: str) -> bool:
    """A method acts on its class's object unless its doc says it acts on something else
    (``Session.post``: "Sends a POST request" acts on a request, not the session)."""
    doc = unit.doc.lower()
    return not doc or noun in doc


def _kind_noun(kinds: Counter[str]) -> str:
    kind = kinds.most_common(1)[0][0] if kinds else ""
    return {"type": "types", "constant": "constants", "class": "classes"}.get(kind, "")


def _docstring_candidates(unit: Unit, info: Facts) -> list[Candidate]:
    """The main member's docstring as a label: "Translating shell patterns"."""
    clause = re.split(r"[.!?:;,(]", plain_doc(unit.doc), maxsplit=1)[0]
    words = WORD.findall(clause)[:14]
    if words and words[0].lower() in ("a", "an", "the") and len(words) > 2:
        words = words[1:]
    if len(words) > 1 and unit.name and words[0] == re.split(r"[.:]", unit.name)[-1]:
        words = words[1:]  # Go and Java docs open with the name: "NewReader returns..."
    if not words:
        return []
    verb = words[0].lower()
    base = _verb_base(verb)
    if not base:
        return []
    obj: list[str] = []
    plural = False
    for word in words[1:]:
        lower = word.lower()
        if lower in vocabulary.clause_words():
            break
        if lower in vocabulary.articles():
            if not obj:
                plural = plural or lower in ("a", "an", "each", "every", "all", "any")
                continue
            break
        if lower in vocabulary.filler():
            break  # "Serialize obj as ...": a placeholder, not an object
        obj.append(lower)
        if len(obj) == 3:
            break
    if not obj:
        return []
    ids = frozenset({key_of(unit)})
    if plural:
        obj = _plural_tail(obj)
    if base in vocabulary.weak_verbs():
        return [Candidate(obj, "docstring", ids)] if len(obj) >= 2 else []
    return [Candidate([vocabulary.gerund(base), *obj], "docstring", ids)]


def _verb_base(word: str) -> str:
    """The base form of a docstring's opening verb ("Returns" → return), or ""."""
    if word in vocabulary.articles() or word in vocabulary.clause_words():
        return ""
    for base in (
        word,
        word[:-1] if word.endswith("s") else "",
        word[:-2] if word.endswith("es") else "",
    ):
        if base and vocabulary.is_verb(base):
            return base
    base = word[:-1]
    if (
        word.endswith("s")
        and not word.endswith("ss")
        and len(base) >= 4
        and vocabulary.is_word(base)
    ):
        return word[:-1]  # third person, as docstrings write it: "Represents", "Emits"
    return ""


def _role_candidates(info: Facts, file: FileWords) -> list[Candidate]:
    language = file.language
    if language is None:
        return []
    found: list[Candidate] = []
    ids = frozenset(key_of(u) for u in info.definitions)
    entry = [
        u
        for u in info.definitions + [p.unit for p in info.section.pieces]
        if u.kind != "paragraph"
        and (u.name == "main" or re.match(r"^\s*if\s+__name__\s*==", u.signature))
    ]
    entry_weight = sum(info.weights.get(key_of(u), 0.0) for u in entry)
    if entry and entry_weight >= 0.4 * info.total:
        parses = bool(language.cli and re.search(language.cli, info.text, re.M))
        covered = frozenset(key_of(u) for u in entry)
        words = ["command-line", "entry", "point"] if parses else ["program", "entry", "point"]
        found.append(Candidate(words, "role", covered))
    if language.routes and re.search(language.routes, info.text, re.M):
        found.append(Candidate(["HTTP", "route", "handlers"], "role", ids))
    tests = [u for u in info.definitions if re.match(r"(?i)^test|^it$|^describe$", u.name)]
    if tests and len(tests) * 2 >= len(info.definitions):
        objects = Counter(w for u in tests for w in name_words(u.name)[1:][:1])
        topic = objects.most_common(1)[0][0] if objects else ""
        found.append(Candidate([topic, "tests"] if topic else ["test", "cases"], "role", ids))
    return found
