"""Candidate labels for one section, each with the source it came from.

From the author's section marker, the class that owns the section, the theme its members
share (the callee they all call, the decorator they carry, the words their names share,
their verbs and the object they act on, a protocol of special methods), the main member's
docstring and name, and a role when the code shows evidence of one. ``naming`` scores and
chooses among them.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from ...syntax.units import Unit
from . import intent, vocabulary
from .facts import (
    Candidate,
    Facts,
    FileWords,
    Weights,
    action_words,
    heaviest,
    key_of,
    main_definition,
    name_words,
    noun_like,
    plain_doc,
    short_name,
)

PARAMS = re.compile(r"\(([^()]*)")


WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")


PREDICATES = frozenset({"is", "has", "can", "should", "needs", "supports", "contains"})


def candidates(info: Facts, file: FileWords) -> list[Candidate]:
    """Every label candidate for one section."""
    found: list[Candidate] = []
    found.extend(_title_candidates(info))
    found.extend(_role_candidates(info, file))
    if info.owner:
        found.extend(_class_candidates(info))
    found.extend(_theme_candidates(info))
    found.extend(_activity_candidates(info))
    found.extend(_action_candidates(info, file))
    main = main_definition(info)
    if main is not None and main.kind == "paragraph":
        return found  # a function's later paragraphs: its name would mislabel them
    protocol = _protocol_candidate(info)
    if protocol is not None:
        found.append(protocol)
    if main is not None:
        found.extend(_docstring_candidates(main, info))
    # The docs of the section's other large members speak for their part of it too.
    heavy = sorted(info.definitions, key=lambda u: -info.weights.get(key_of(u), 0.0))[:3]
    for unit in heavy:
        if unit is not main and unit.doc and unit.kind != "paragraph":
            found.extend(_docstring_candidates(unit, info))
    if main is not None:
        words = name_phrase(main.name, file, main.kind in ("constant", "type", "class"))
        if len(words) >= 2:
            found.append(Candidate(words, "main_name", frozenset({key_of(main)})))
    return found


def name_phrase(name: str, file: FileWords, noun: bool = False) -> list[str]:
    """A name read as a label: its words that are words, a verb first as a gerund
    (``CPyImport_AcquireLock`` → "Acquiring import lock", ``is_valid`` → "Valid checks");
    ``noun``: a constant's or type's name, read as it is ("Cache URL")."""
    every = name_words(name)
    words = [w for w in every if file.accepts(w)]
    if any(w in vocabulary.negations() for w in every if w not in words):
        return []  # "requireNonNull" without its "non" would say the opposite
    if noun:
        return words[-4:]
    if len(words) > 1 and words[0] in PREDICATES:
        return [*words[1:], "checks"]
    if len(words) > 1 and vocabulary.is_verb(words[0]):
        return [vocabulary.gerund(words[0]), *words[1:][-3:]]
    # A verb inside the name reads first only with its object after it ("CPyImport_
    # AcquireLock" → "Acquiring lock"); "autoFlush" is no "Flushing auto".
    verb = next((i for i, w in enumerate(words) if vocabulary.is_verb(w)), -1)
    if 0 < verb < len(words) - 1:
        return [vocabulary.gerund(words[verb]), *words[verb + 1 :][-3:]]
    return words[-4:]


def _topic(info: Facts) -> list[str]:
    """Words naming what the section is about: its owner class, else its members' commonest
    noun (empty when nothing stands out)."""
    if info.owner:
        return name_words(info.owner)[-2:]
    counts: Counter[str] = Counter()
    for unit in info.definitions:
        for word in dict.fromkeys(vocabulary.singular(w) for w in name_words(unit.name)):
            if noun_like(word) and not vocabulary.is_verb(word):
                counts[word] += 1
    if not counts:
        return []
    word, count = counts.most_common(1)[0]
    return [word] if count >= max(2, len(info.definitions) / 2) else []


def _action_candidates(info: Facts, file: FileWords) -> list[Candidate]:
    """What the section's code does, read from the names of what it calls: the file's own
    functions first ("Reading RSA key")."""
    own = {short_name(u.name) for u in info.definitions}
    found: list[tuple[int, int, str, list[str], int]] = []
    for unit in info.definitions:
        for line, callee in unit.facts.calls:
            short = short_name(callee)
            if short in own or callee.lower() in vocabulary.trivial_calls():
                continue
            verb, objects = action_words(callee, file)
            if verb and verb not in vocabulary.weak_verbs():
                local = short.lower() in file.defined
                found.append((-int(local), line, verb, objects, key_of(unit)))
    if not found:
        return []
    _, _, verb, objects, key = min(found)
    return [Candidate([vocabulary.gerund(verb), *objects], "action", frozenset({key}))]


def _title_candidates(info: Facts) -> list[Candidate]:
    pieces = info.section.pieces
    title = next((p.title for p in pieces if p.title and p.marker >= 1), "")
    if not title and pieces[0].title:
        title = pieces[0].title
    title = plain_doc(title).strip()  # "@addtogroup x" is Doxygen's, not a title
    if not title or intent.is_boilerplate(title):
        return []  # an editor setting is no section title
    words = WORD.findall(title)
    if not words or len(words) > 6 or words[-1].lower() in vocabulary.dangling():
        return []  # a sentence, not a title: it may describe the section, not name it
    if len(words) > 1 and all(w.isupper() for w in words if w.isalpha()):
        # "SEE ALSO", "ABOUT LANGUAGE TAGS": a heading set in capitals, said in words
        # (its acronyms kept).
        words = [w if w.lower() in vocabulary.known_acronyms() else w.lower() for w in words]
        words[0] = words[0][:1].upper() + words[0][1:]
    if len(words) == 1:
        # A one-word heading ("Examples") says which part of what the section is about;
        # in documentation, which part of the documentation.
        topic = [w for w in _topic(info) if w.lower() != words[0].lower()]
        if all(p.unit.kind == "comment" for p in pieces):
            words = [words[0].capitalize(), "documentation"]
        elif all(u.kind == "constant" for u in info.definitions):
            words = [
                words[0],
                "settings",
            ]  # the author named the group: "# Cache" → "Cache settings"
        elif not topic:
            return []
        else:
            words = [*topic, words[0].lower()]
    all_ids = frozenset(key_of(u) for u in info.definitions)
    source = "marker" if pieces[0].marker >= 1 or not pieces[0].inside else "heading"
    return [Candidate(words, source, all_ids)]


def _class_candidates(info: Facts) -> list[Candidate]:
    """The owner class by its name, with a noun of its doc or base when one word alone."""
    assert info.owner is not None
    owned = frozenset(key_of(u) for u in info.definitions if info.owner in (u.parent, u.name))
    words = name_words(info.owner)
    if len(words) >= 2:
        return [Candidate(words, "class_name", owned)]
    header = next(
        (u for u in info.definitions if u.name == info.owner and u.kind in ("class", "type")),
        None,
    )
    nouns: list[str] = []
    if header is not None:
        nouns = _doc_nouns(header.doc)
        for _, base in header.facts.bases:
            nouns += [w for w in name_words(base) if w not in words][-1:]
    return [Candidate([*words, noun], "class_name", owned) for noun in nouns[:2] if words]


def _doc_nouns(doc: str) -> list[str]:
    """Nouns a class's doc calls it by: "A POP3 client class" → client."""
    clause = re.split(r"[.;:,(]", plain_doc(doc), maxsplit=1)[0].lower()
    match = re.match(
        r"^(?:an?|the|this)\s+(?:[\w-]+\s+){0,3}?([a-z]{3,})(?:\s+(?:class|type|object))?\b", clause
    )
    if not match or match.group(1) in ("class", "type", "object", "this"):
        return []
    word = match.group(1)
    return [word] if vocabulary.is_word(word) and not vocabulary.is_verb(word) else []


def _noun_of(name: str) -> tuple[list[str], str]:
    """A callee or decorator read as words: (leading verb or "", its last noun)."""
    words = name_words(name)
    if not words:
        return [], ""
    verb = words[0] if vocabulary.is_verb(words[0]) and len(words) > 1 else ""
    nouns = [w for w in words[1:] if noun_like(w)] if verb else [w for w in words if noun_like(w)]
    return ([verb] if verb else []), (nouns[-1] if nouns else "")


def _theme_candidates(info: Facts) -> list[Candidate]:
    """What the members share: "POP3 commands" (all call ``_shortcmd``), "Session
    properties" (all carry ``@property``)."""
    found: list[Candidate] = []
    theme = info.theme
    topic = _topic(info)
    for name, keys, source in (
        (theme.callee, theme.callers, "callee"),
        (theme.decorator, theme.decorated, "decorator"),
    ):
        if not name or len(keys) < 2:
            continue
        verb, noun = _noun_of(name.split(".")[-1])
        if noun and vocabulary.is_verb(noun) and not verb:
            continue  # a callee named by a bare verb (make, send) names no theme
        if verb and noun:
            words = [vocabulary.gerund(verb[0]), vocabulary.plural(noun)]
        elif noun and topic and noun not in topic:
            words = [*topic, vocabulary.plural(noun)]
        else:
            continue
        found.append(Candidate(words, source, keys))
    # Words most members' names share, with what sets them apart: "Cookie domain and path".
    tokens = _shared_tokens(info)
    if tokens:
        shared, tails, ids = tokens
        if len(tails) >= 2:
            found.append(Candidate([*shared, tails[0], "and", tails[1]], "shared_words", ids))
    return found


def _shared_tokens(info: Facts) -> tuple[list[str], list[str], frozenset[int]] | None:
    units = [u for u in info.definitions if u.kind != "paragraph" and u.name]
    if len(units) < 2:
        return None
    words = {key_of(u): [vocabulary.singular(w) for w in name_words(u.name)] for u in units}
    counts = Counter(w for ws in words.values() for w in dict.fromkeys(ws))
    shared = [
        w
        for w, n in counts.most_common(3)
        if n >= max(2, 0.6 * len(units)) and noun_like(w) and not vocabulary.is_verb(w)
    ][:1]
    if not shared:
        return None
    tails: list[str] = []
    ids: set[int] = set()
    for key, ws in words.items():
        if shared[0] not in ws:
            continue
        ids.add(key)
        rest = [w for w in ws if w not in shared and noun_like(w) and not vocabulary.is_verb(w)]
        if rest and rest[-1] not in tails:
            tails.append(rest[-1])
    return shared, tails, frozenset(ids)


def _protocol_candidate(info: Facts) -> Candidate | None:
    """Special methods read for what they give their class: ``__enter__``/``__exit__`` of a
    class → its context management."""
    if not info.owner:
        return None
    meanings: Counter[str] = Counter()
    ids: set[int] = set()
    for unit in info.definitions:
        match = re.fullmatch(r"__(\w+?)__", unit.name.split(".")[-1])
        meaning = vocabulary.special_methods().get(match.group(1)) if match else None
        if meaning:
            meanings[meaning] += 1
            ids.add(key_of(unit))
    if not meanings:
        return None
    meaning = meanings.most_common(1)[0][0]
    owner = name_words(info.owner)[-2:]
    return Candidate([*owner, *meaning.split()], "protocol", frozenset(ids))


def _plural_tail(words: list[str]) -> list[str]:
    return [*words[:-1], vocabulary.plural(words[-1])] if words else words


def _activity_candidates(info: Facts) -> list[Candidate]:
    """What the members do: "Adding and removing tags", "Parsing headers"."""
    found: list[Candidate] = []
    verbs: Weights = defaultdict(float)
    objects: Weights = defaultdict(float)
    pairs: dict[str, Weights] = {}
    covers: dict[str, set[int]] = {}
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
        if verb:
            verbs[verb] += weight
            covers.setdefault(f"verb:{verb}", set()).add(key_of(unit))
        if obj:
            objects[obj] += weight
            pairs.setdefault(obj, defaultdict(float))[verb] += weight
            covers.setdefault(obj, set()).add(key_of(unit))
    total = info.total
    for obj, weight in heaviest(objects, 3):
        if weight < 0.3 * total:
            break
        acts = [v for v, w in heaviest(pairs[obj], 3) if v and w >= 0.2 * weight]
        acts = [v for v in acts if v not in vocabulary.weak_verbs()] or acts
        covered = frozenset(covers[obj])
        if acts:
            gerunds = [vocabulary.gerund(v) for v in acts[:2]]
            head = [gerunds[0]] if len(gerunds) == 1 else [gerunds[0], "and", gerunds[1]]
            # A plural only when several members share the object ("Adding tags").
            tail = _plural_tail(obj.split()) if len(covered) > 1 else obj.split()
            found.append(Candidate([*head, *tail], "activity", covered))
    strong = [v for v, w in heaviest(verbs, 3) if w >= 0.2 * total]
    strong = [v for v in strong if v not in vocabulary.weak_verbs()]
    topic = _topic(info)
    if len(strong) >= 2:
        # Members that act on one thing: "Opening and closing connections"; or just what
        # they do: "Reading and writing".
        ids = frozenset(k for v in strong[:2] for k in covers[f"verb:{v}"])
        head = [vocabulary.gerund(strong[0]), "and", vocabulary.gerund(strong[1])]
        found.append(Candidate([*head, *_plural_tail(topic)], "activity", ids))
    return found


def _docstring_candidates(unit: Unit, info: Facts) -> list[Candidate]:
    """The main member's docstring as a label: "Translating shell patterns"."""
    clause = re.split(r"[.!?:;,(]", plain_doc(unit.doc), maxsplit=1)[0]
    words = WORD.findall(clause)[:14]
    if words and words[0].lower() in ("a", "an", "the") and len(words) > 2:
        words = words[1:]
    while len(words) > 2 and words[0].lower().endswith("ly"):
        words = words[1:]  # "Asynchronously subscribes…": the verb follows the adverb
    if len(words) > 1 and unit.name and words[0] == re.split(r"[.:]", unit.name)[-1]:
        words = words[1:]  # a doc that opens with the member's own name (Go's convention)
    if not words:
        return []
    verb = words[0].lower()
    base = _verb_base(verb)
    if base in ("be", "is", "are", "was", "were", "has", "have"):
        return []  # "Is similar to…": a predicate, no action to name a section by
    if not base and len(words) > 2 and words[1].lower() in ("a", "an", "the", "each", "all"):
        # "Reconcile a ledger": a word an article follows opens an imperative, as docs do.
        base = verb if vocabulary.is_word(verb) and not verb.endswith("ly") else ""
    if not base:
        return _noun_phrase_candidates(words, unit)
    obj: list[str] = []
    plural = False
    preposition = ""
    for index, word in enumerate(words[1:]):
        lower = word.lower()
        if not obj and (lower.endswith("ly") or lower in ("just", "also", "always", "still")):
            continue  # "Emits only the first value": the adverb is no object
        if lower in ("or", "and", "nor", "but", "we", "you", "it", "they"):
            break  # "Gets or sets…", "Threads we number": no object follows
        if lower in vocabulary.clause_words():
            if index == 0 and lower in _PREPOSITIONS:
                preposition = lower  # "Responds with …", "Writes to …"
                continue
            if lower == "of" and obj and "of" not in obj:
                obj.append(lower)  # "a copy of the string"
                continue
            break
        if lower in vocabulary.articles():
            if not obj or obj[-1] == "of":
                plural = plural or lower in ("a", "an", "each", "every", "all", "any")
                continue
            break
        if lower in vocabulary.filler():
            break  # "Serialize obj as ...": a placeholder, not an object
        obj.append(lower)
        if len([w for w in obj if w != "of"]) == 3:
            break
    if obj and obj[-1] == "of":
        obj.pop()
    if "of" in obj:
        # "copy of the string" → "string copy"
        cut = obj.index("of")
        obj = [*obj[cut + 1 :][-2:], *obj[:cut][-1:]]
    if not obj:
        return []
    ids = frozenset({key_of(unit)})
    if plural:
        obj = _plural_tail(obj)
    if base in vocabulary.weak_verbs():
        return [Candidate(obj, "docstring", ids)] if len(obj) >= 2 else []
    head = [vocabulary.gerund(base), preposition] if preposition else [vocabulary.gerund(base)]
    return [Candidate([*head, *obj[-3:]], "docstring", ids)]


def _verb_form(word: str) -> bool:
    """``word`` is an inflected verb (consists, returned, passing): a clause, not a name.
    (A verb's bare form is often a noun too: copy, map, set.)"""
    for suffix, ending in (
        ("s", ""),
        ("es", ""),
        ("ed", ""),
        ("ed", "e"),
        ("ing", ""),
        ("ing", "e"),
    ):
        stem = word[: -len(suffix)] + ending
        if word.endswith(suffix) and len(word) > len(suffix) + 2 and vocabulary.is_verb(stem):
            return True
    return False


def _noun_phrase_candidates(words: list[str], unit: Unit) -> list[Candidate]:
    """A doc that opens with what the member is ("Abstract base class for time zone info
    classes"): its head noun phrase, or what follows "for"/"of" when the head says only
    what kind of code it is."""
    if any(_verb_form(w.lower()) for w in words[1:4]):
        return []  # the phrase runs into a verb ("Input consists of"): it is a clause
    head: list[str] = []
    rest: list[str] = []
    for index, word in enumerate(words):
        lower = word.lower()
        if lower in vocabulary.clause_words() or lower in vocabulary.articles():
            if lower in ("for", "of") and head:
                rest = [w for w in words[index + 1 :] if w.lower() not in vocabulary.articles()]
            break
        head.append(word)
    content = [w for w in head if w.lower() not in vocabulary.generic()]
    content = [w for w in content if w.lower() not in vocabulary.kind_words()]
    if len(content) < 2 and rest:
        cut = next(
            (i for i, w in enumerate(rest) if w.lower() in vocabulary.clause_words()),
            len(rest),
        )
        head = rest[:cut][:4]
    if not 2 <= len(head) <= 5:
        return []
    return [Candidate([w.lower() if not w.isupper() else w for w in head], "docstring",
                      frozenset({key_of(unit)}))]  # fmt: skip


_PREPOSITIONS = frozenset({"with", "to", "for", "on", "from", "into", "over", "through"})


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
        # "Backwards", "Hopefully"...: an adverb or adjective is no verb in the third person
        and not base.endswith(("ward", "ly", "al", "ous", "ive", "ful", "less", "ic"))
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
    statements = [u for u in info.definitions if u.kind == "statement"]
    if (
        not entry
        and language.cli
        and len(statements) * 2 > len(info.definitions)
        and re.search(language.cli, info.text, re.M)
    ):
        # Top-level code that reads the program's arguments.
        found.append(Candidate(["Parsing", "command-line", "arguments"], "role", ids))
    if language.routes and re.search(language.routes, info.text, re.M):
        found.append(Candidate(["HTTP", "route", "handlers"], "role", ids))
    tests = [u for u in info.definitions if re.match(r"(?i)^test|^it$|^describe$", u.name)]
    if tests and len(tests) * 2 >= len(info.definitions):
        objects = Counter(w for u in tests for w in name_words(u.name)[1:][:1])
        topic = objects.most_common(1)[0][0] if objects else ""
        found.append(Candidate([topic, "tests"] if topic else ["test", "cases"], "role", ids))
    return found
