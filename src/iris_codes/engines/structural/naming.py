"""Naming: candidate labels for each section, chosen by a score with named weights.

Candidates come from the author's section marker, the class that owns the section, what
its members do (verbs and the object they share), the main member's docstring, the main
definition's name, and a role when the code shows evidence of one. Each is scored for
where it came from, how much of the section it speaks for, how specific its words are,
and its shape (``weights.NamingWeights``); hard rules drop candidates with words that are
not words (raw identifiers), parameter names, or a repeated word.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from ...syntax.languages import Language
from ...syntax.references import split_words
from ...syntax.units import Unit
from . import intent, vocabulary
from .segment import Section
from .weights import NAMING, NamingWeights

Weights = defaultdict[str, float]  # word → summed line weight of the members using it
_DEFINITION_KINDS = frozenset({"function", "method", "class", "type", "constant", "paragraph"})
_PARAMS = re.compile(r"\(([^()]*)")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_SENTENCE_END = re.compile(r"[.!?:;](?:\s|$)")
_JOINERS = frozenset({"and", "the", "to", "of", "for"})
_PREDICATES = frozenset({"is", "has", "can", "should", "needs", "supports", "contains"})
_KIND_WORD = {"function": "function", "method": "method", "class": "class", "type": "type",
              "constant": "constant", "paragraph": "step"}  # fmt: skip
_DOXYGEN = re.compile(r"[@\\](?:brief|short|details?|summary|fn|class|struct)\b\s*")
_DOC_TAIL = re.compile(
    r"(?:^|\s)[@\\](?:param|returns?|throws|see|tparam|pre|post|deprecated|since|example|"
    r"internal|private|public|template|typeParam|cond|endcond|file|author|version|license|"
    r"note|todo|remarks|nocollapse|override|type)\b.*$",
    re.S,
)
_LINK = re.compile(r"@link\s+\S+\s+(.*?)\s*@endlink")
_MATH = re.compile(r"@f\$.*?@f\$|@f\[.*?@f\]|\{@\w+\s+([^}]*)\}|@c\s+|@p\s+|@a\s+|@e\s+")


@dataclass
class Candidate:
    """A label in the making: its words, where it came from, and what it speaks for."""

    words: list[str]
    source: str
    covers: frozenset[int] = field(default_factory=frozenset)  # unit ids

    def text(self, acronyms: frozenset[str]) -> str:
        shown = [_shown(w, acronyms) for w in self.words]
        phrase = " ".join(shown)
        return phrase[:1].upper() + phrase[1:]


def _shown(word: str, acronyms: frozenset[str]) -> str:
    lower = word.lower()
    if lower in acronyms:
        return word.upper()
    if lower.endswith("s") and lower[:-1] in acronyms:
        return word[:-1].upper() + "s"  # TTLs, URLs
    return word


@dataclass
class FileWords:
    """What naming needs to know about the whole file."""

    language: Language | None
    acronyms: frozenset[str]
    block_words: list[Counter[str]]  # per section: its definitions' name words
    prose: frozenset[str] = frozenset()  # words the author writes in comments and docs
    code_names: frozenset[str] = frozenset()  # whole identifiers of the code, lower case

    def accepts(self, word: str) -> bool:
        """A label may use ``word``: English, an acronym, or the author's own prose word
        that is not itself one of the code's identifiers (``proactor``, not ``fnmatch``)."""
        lower = word.lower()
        if lower in vocabulary.code_words():
            return False
        if lower in self.acronyms:
            return True
        if not re.search(r"[aeiouy]", lower):
            return False  # ``xxxx``, ``cmp``: no word without a vowel, unless an acronym
        if vocabulary.is_word(lower):
            return True
        if lower in self.code_names:
            return False  # a raw identifier (``fnmatchcase``, ``stls``), or a keyword
        return lower in vocabulary.rare_english() or (lower in self.prose and len(lower) > 3)


_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_STRING = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'")
_TRIPLE = re.compile(r'"""|\'\'\'')


def file_words(
    source_lines: Sequence[str], language: Language | None, block_words: list[Counter[str]]
) -> FileWords:
    """Prose words, code identifiers and acronyms of a file, read once."""
    from ...syntax import comments

    prose_lines: list[str] = []
    code_lines: list[str] = []
    in_doc = False
    for line in source_lines[:20_000]:
        quotes = len(_TRIPLE.findall(line))
        if (
            in_doc
            or comments.is_comment_line(line)
            or (quotes and line.lstrip()[:3] in ('"""', "'''"))
        ):
            prose_lines.append(line)
        else:
            code_lines.append(_STRING.sub(" ", line))
        if quotes % 2:
            in_doc = not in_doc
    prose_text = "\n".join(prose_lines)
    code_text = "\n".join(code_lines)
    prose = frozenset(w for w in re.findall(r"(?<![\w.])[a-z]{4,}(?![\w(])", prose_text))
    code_names = frozenset(t.lower().lstrip("$") for t in _IDENTIFIER.findall(code_text))
    # Variables interpolated into strings ("$cmp", "${name}") are code names too.
    code_names |= {
        m.lower() for m in re.findall(r"\$\{?([A-Za-z_]\w*)", "\n".join(source_lines[:20_000]))
    }
    found = vocabulary.acronyms(prose_text) | vocabulary.camel_acronyms(code_text)
    return FileWords(language, found, block_words, prose, code_names)


@dataclass
class Facts:
    """One section seen by the namer."""

    section: Section
    definitions: list[Unit]
    weights: dict[int, float]
    owner: str | None
    text: str
    words: Counter[str] = field(default_factory=Counter)  # its definitions' name words

    @property
    def total(self) -> float:
        return sum(self.weights.values()) or 1.0


def facts(section: Section, lines: Sequence[str]) -> Facts:
    """The section's definitions, their weights and the class that owns it, if any."""
    body = section.body
    definitions = [p.unit for p in body if p.unit.kind in _DEFINITION_KINDS]
    if not definitions:
        definitions = [p.unit for p in body]
    weights = {}
    for unit in definitions:
        weight = float(max(1, unit.end - unit.start + 1))
        if unit.name.startswith("_") or (not unit.exported and unit.kind == "paragraph"):
            weight *= 0.5  # private helpers say less about what a section is for
        weights[unit.id * 10_000 + unit.start] = weight
    owners: Weights = defaultdict(float)
    for unit in definitions:
        if unit.kind == "paragraph":
            continue  # a function's own paragraphs: the function is no class
        owner = unit.parent or (unit.name if unit.kind in ("class", "type") else None)
        if owner:
            owners[owner] += weights[_key(unit)]
    owner = None
    if owners:
        name, weight = _top(owners, 1)[0]
        if weight >= 0.5 * sum(weights.values()):
            owner = name
    text = "\n".join(lines[section.start - 1 : section.end])[:30_000]
    words = Counter(vocabulary.singular(w) for u in definitions for w in name_words(u.name))
    return Facts(section, definitions, weights, owner, text, words)


def _key(unit: Unit) -> int:
    return unit.id * 10_000 + unit.start


_NAME_WORD = re.compile(r"[A-Z]+\d*(?=[A-Z][a-z]|\b|_)|[A-Z]?[a-z]+\d*|[A-Z]+\d*")


def name_words(name: str) -> list[str]:
    """An identifier's words (digits kept on the word: POP3, sha1), abbreviations spelled
    out, filler dropped."""
    words: list[str] = []
    tail = re.split(r"[.:/\\]+", name)[-1] if name else ""
    if re.fullmatch(r"__\w+__", tail):
        return words  # ``__all__``, ``__version__``: module plumbing, no topic
    for word in (w.lower() for w in _NAME_WORD.findall(tail)):
        if word in vocabulary.filler() or len(word) < 2:
            continue
        words.append(vocabulary.expand(word).lower())
    return words


# --- candidates --------------------------------------------------------------------


def candidates(info: Facts, file: FileWords) -> list[Candidate]:
    """Every label candidate for one section."""
    found: list[Candidate] = []
    title = next((p.title for p in info.section.pieces if p.title and p.marker >= 1), "")
    if not title and info.section.pieces[0].title:
        title = info.section.pieces[0].title
    if intent.is_boilerplate(title):
        title = ""  # "-*- Mode: Python -*-" is an editor setting, not a section title
    all_ids = frozenset(_key(u) for u in info.definitions)
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
        words = _WORD.findall(title)[:6]
        found.append(Candidate(words, source, all_ids))
    found.extend(_role_candidates(info, file))
    if info.owner:
        owned = frozenset(_key(u) for u in info.definitions if info.owner in (u.parent, u.name))
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
                                   "main_name", frozenset({_key(main)})))  # fmt: skip
        if words and words[0] in _PREDICATES and len(words) > 1:
            words = [*words[1:], "checks"]
        elif words:
            if vocabulary.is_verb(words[0]) and len(words) > 1:
                words = [vocabulary.gerund(words[0]), *words[1:][-2:]]
            elif len(words) == 1:
                words = [words[0], _KIND_WORD.get(main.kind, "definition")]
            found.append(Candidate(words, "main_name", frozenset({_key(main)})))
    return found


def _special_candidate(unit: Unit, info: Facts) -> Candidate | None:
    """``__init__`` of ``Lock`` → "Lock initialisation"."""
    match = re.fullmatch(r"__(\w+?)__", unit.name)
    meaning = vocabulary.special_methods().get(match.group(1)) if match else None
    if meaning is None or not unit.parent:
        return None
    owner = name_words(unit.parent)[-2:]
    return Candidate([*owner, *meaning.split()], "special", frozenset({_key(unit)}))


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
        weight = info.weights[_key(unit)]
        words = name_words(unit.name)
        if not words:
            continue
        if words[0] in _PREDICATES and len(words) > 1:
            words = ["check", *words[1:]]  # hasToken, is_valid: checks
        verb = words[0] if vocabulary.is_verb(words[0]) else ""
        rest = [w for w in (words[1:] if verb else words) if _noun_like(w)]
        obj = " ".join(vocabulary.singular(w) for w in rest[-2:]) if rest else ""
        if verb and not obj and owner_words and _acts_on(unit, owner_words[-1]):
            # A method named for its action alone acts on its object: "Acquiring the lock".
            phrase = [vocabulary.gerund(verb), "the", owner_words[-1]]
            found.append(Candidate(phrase, "owner_activity", frozenset({_key(unit)})))
        if verb:
            verbs[verb] += weight
        if obj:
            objects[obj] += weight
            pairs.setdefault(obj, defaultdict(float))[verb] += weight
            covers.setdefault(obj, set()).add(_key(unit))
        if verb:
            covers.setdefault(f"verb:{verb}", set()).add(_key(unit))
    total = info.total
    topics: Weights = defaultdict(float)
    for unit in info.definitions:
        for word in {vocabulary.singular(w) for w in name_words(unit.name) if _noun_like(w)}:
            if not vocabulary.is_verb(word):
                topics[word] += info.weights[_key(unit)]
    noun = _kind_noun(Counter(u.kind for u in info.definitions))
    for word, weight in _top(topics, 2):
        # A word most members' names share: "Port constants" (POP3_PORT, POP3_SSL_PORT).
        ids = frozenset(_key(u) for u in info.definitions if word in name_words(u.name))
        if noun and weight >= 0.3 * total and len(ids) >= 2:
            found.append(Candidate([word, noun], "activity", ids))
    for obj, weight in _top(objects, 3):
        if weight < 0.3 * total:
            break
        obj_words = obj.split()
        acts = [v for v, w in _top(pairs[obj], 3) if v and w >= 0.2 * weight]
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
    strong = [v for v, w in _top(verbs, 3) if w >= 0.2 * total]
    strong = [v for v in strong if v not in vocabulary.weak_verbs()]
    acting = [u for u in info.definitions if _acts_on(u, owner_words[-1])] if owner_words else []
    if len(strong) >= 2 and owner_words and len(acting) == len(info.definitions):
        # Methods acting on their object: "Acquiring and releasing the lock".
        ids = frozenset(k for v in strong[:2] for k in covers[f"verb:{v}"])
        head = [vocabulary.gerund(strong[0]), "and", vocabulary.gerund(strong[1])]
        found.append(Candidate([*head, "the", owner_words[-1]], "activity", ids))
    return found


def _top(weights: Weights, count: int) -> list[tuple[str, float]]:
    """The heaviest entries, ties in name order (deterministic)."""
    return sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:count]


def _acts_on(unit: Unit, noun: str) -> bool:
    """A method acts on its class's object unless its doc says it acts on something else
    (``Session.post``: "Sends a POST request" acts on a request, not the session)."""
    doc = unit.doc.lower()
    return not doc or noun in doc


def _noun_like(word: str) -> bool:
    return len(word) >= 3 and word not in vocabulary.clause_words() and not word.isdigit()


def _kind_noun(kinds: Counter[str]) -> str:
    kind = kinds.most_common(1)[0][0] if kinds else ""
    return {"type": "types", "constant": "constants", "class": "classes"}.get(kind, "")


def _docstring_candidates(unit: Unit, info: Facts) -> list[Candidate]:
    """The main member's docstring as a label: "Translating shell patterns"."""
    clause = re.split(r"[.!?:;,(]", plain_doc(unit.doc), maxsplit=1)[0]
    words = _WORD.findall(clause)[:14]
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
    ids = frozenset({_key(unit)})
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


def plain_doc(doc: str) -> str:
    """A doc comment without Doxygen/JSDoc markup: tags, math, ``{@link X}``."""
    text = _DOC_TAIL.sub("", _LINK.sub(r"\1", doc))
    text = _MATH.sub(lambda m: m.group(1) or "", text)
    return _DOXYGEN.sub("", text).strip()


def _role_candidates(info: Facts, file: FileWords) -> list[Candidate]:
    language = file.language
    if language is None:
        return []
    found: list[Candidate] = []
    ids = frozenset(_key(u) for u in info.definitions)
    entry = [
        u
        for u in info.definitions + [p.unit for p in info.section.pieces]
        if u.kind != "paragraph"
        and (u.name == "main" or re.match(r"^\s*if\s+__name__\s*==", u.signature))
    ]
    entry_weight = sum(info.weights.get(_key(u), 0.0) for u in entry)
    if entry and entry_weight >= 0.4 * info.total:
        parses = bool(language.cli and re.search(language.cli, info.text, re.M))
        covered = frozenset(_key(u) for u in entry)
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


def main_definition(info: Facts) -> Unit | None:
    """The member the section is about: the owner class, else the one most used by others."""
    if not info.definitions:
        return None
    if info.owner:
        for unit in info.definitions:
            if unit.name == info.owner and unit.kind in ("class", "type"):
                return unit

    def importance(unit: Unit) -> tuple[bool, float, float]:
        used = sum(
            1 for other in info.definitions if other is not unit and unit.defines & other.uses
        )
        weight = info.weights[_key(unit)]
        return (unit.kind != "paragraph", used + weight / info.total * 2, weight)

    return max(info.definitions, key=importance)


# --- scoring -----------------------------------------------------------------------


def _valid(candidate: Candidate, info: Facts, file: FileWords) -> bool:
    words = candidate.words
    if not 2 <= len(words) <= 5:
        return False
    seen: set[str] = set()
    params = _parameters(info)
    for word in words:
        lower = word.lower()
        for part in lower.split("-"):
            if not part or not (part in _JOINERS or file.accepts(part)):
                return False
        stem = vocabulary.singular(lower)
        if stem in seen:
            return False
        seen.add(stem)
        if candidate.source in ("docstring", "main_name", "activity") and lower in params:
            return False
    content = [w.lower() for w in words if w.lower() not in _JOINERS]
    return any(w not in vocabulary.generic() for w in content)


def _parameters(info: Facts) -> frozenset[str]:
    """Parameter names of the section's functions that are not also in their names."""
    names = {w for u in info.definitions for w in split_words(u.name)}
    params: set[str] = set()
    for unit in info.definitions:
        match = _PARAMS.search(unit.signature)
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


@dataclass(frozen=True)
class Label:
    """A chosen label and the candidate source it came from ("fallback" when none held)."""

    text: str
    source: str


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
            label = Label(best.text(file.acronyms), best.source)
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
        if word in vocabulary.generic() or not _noun_like(word):
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


# --- descriptions ------------------------------------------------------------------


def describe(info: Facts, label: str) -> str:
    """A sentence about the section: its main member's doc, else a short verb phrase."""
    main = main_definition(info)
    docs = [main.doc] if main is not None and main.doc else []
    docs += [u.doc for u in info.section.units if u.doc]
    for doc in docs:
        sentence = clean_doc(doc)
        if len(sentence.split()) >= 3 and sentence.lower().rstrip(".") != label.lower():
            return sentence
    named = [u for u in info.definitions if u.name and u.kind in _KIND_WORD]
    if not named:
        if info.section.preamble:
            return "Imports and module-level setup."
        return "Top-level statements."
    main = main if main is not None and main.name else named[0]
    count = len(named)
    kinds = Counter(u.kind for u in named)
    noun = _KIND_WORD.get(kinds.most_common(1)[0][0], "definition")
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
