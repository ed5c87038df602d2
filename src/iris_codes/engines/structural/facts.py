"""What the namer and the describer know: each section's members and what they share, and
the file's words.

``Facts`` describe one section: its definitions in reading order, how much each weighs, the
class that owns it, and its ``Theme`` (the callee, decorator, name words, exceptions and
returns its members share, from the syntax tree's facts on each unit). ``FileWords`` describe
the whole file: which tokens are its prose, its identifiers, its acronyms.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import lru_cache

import msgspec

from ...syntax.languages import Language
from ...syntax.units import Unit
from . import vocabulary
from .segment import Section
from .text import Text
from .weights import THEME

Weights = defaultdict[str, float]  # word → summed line weight of the members using it


DEFINITION_KINDS = frozenset({"function", "method", "class", "type", "constant", "paragraph"})


_DOXYGEN = re.compile(r"[@\\](?:brief|short|details?|summary|fn|class|struct)\b\s*")


_DOC_TAIL = re.compile(
    r"(?:^|\s)[@\\](?:param|returns?|throws|exception|see|tparam|pre|post|deprecated|since|"
    r"example|internal|private|public|template|typeParam|cond|endcond|file|author|version|"
    r"license|note|todo|remarks|nocollapse|override|type|implNote|apiNote|implSpec|serial|"
    r"spec|jls|jvms|hidden)\b.*$",
    re.S,
)


_LINK = re.compile(r"@link\s+\S+\s+(.*?)\s*@endlink")


# Inline Javadoc/JSDoc tags keep their text: {@code x} → x, {@link Foo#bar baz} → baz.
_INLINE_TAG = re.compile(r"\{@\w+\s+(?:[\w.#()<>,\[\] ]+?\s+(?=\w))?([^{}]*)\}")
_MATH = re.compile(r"@f\$.*?@f\$|@f\[.*?@f\]|@c\s+|@p\s+|@a\s+|@e\s+")


class Candidate(msgspec.Struct):
    """A label in the making: its words, where it came from, and what it speaks for."""

    words: list[str]
    source: str
    covers: frozenset[int] = msgspec.field(default_factory=frozenset)  # unit keys

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


class FileWords(msgspec.Struct):
    """What naming needs to know about the whole file."""

    language: Language | None
    acronyms: frozenset[str]
    block_words: list[Counter[str]]  # per section: its definitions' name words
    prose: frozenset[str] = frozenset()  # words written twice or more in comments and docs
    code_names: frozenset[str] = frozenset()  # whole identifiers of the code, lower case
    defined: frozenset[str] = frozenset()  # the file's own definitions, lower case
    seen: dict[str, bool] = msgspec.field(default_factory=dict)  # accepts(), remembered
    actions: dict[str, tuple[str, list[str]]] = msgspec.field(default_factory=dict)

    def accepts(self, word: str) -> bool:
        """A label may use ``word``: English (a rarer word only when it is none of the code's
        own names) or an acronym the file writes."""
        known = self.seen.get(word)
        if known is None:
            known = self.seen[word] = self._accepts(word)
        return known

    def _accepts(self, word: str) -> bool:
        lower = word.lower()
        if lower in vocabulary.code_words():
            return False
        if lower in self.acronyms:
            return True
        if not re.search(r"[aeiouy]", lower):
            return False  # no word without a vowel, unless an acronym
        if vocabulary.is_word(lower):
            return True
        if lower in self.prose:
            return True
        if lower in self.code_names:
            return False  # a raw identifier, or a keyword
        return lower in vocabulary.rare_english()


_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_STRING = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'")
_PROSE_WORD = re.compile(r"(?<![\w./])[a-z]{4,}(?![\w(/])")  # not in a path


def file_words(
    text: Text, units: Sequence[Unit], language: Language | None, block_words: list[Counter[str]]
) -> FileWords:
    """The file's prose words, identifiers and acronyms, read once."""
    limit = min(len(text.lines), 20_000)
    # Comments and multi-line strings (docstrings) are prose; the rest is code.
    prose_line = list(text.comment[:limit])
    for first, last in (span for u in units for span in u.facts.strings):
        for n in range(max(1, first), min(last, limit) + 1):
            prose_line[n - 1] = True
    pairs = list(zip(text.lines, prose_line, strict=False))
    notes = "\n".join(line for line, note in pairs if note)
    prose_text = notes + "\n" + "\n".join(u.doc for u in units if u.doc)
    code = "\n".join(line for line, note in pairs if not note)
    names = set(_IDENTIFIER.findall(_STRING.sub(" ", code)))
    code_names = frozenset(name.lower().lstrip("$@") for name in names if name)
    found = vocabulary.acronyms(prose_text) | vocabulary.camel_acronyms(code)
    defined = frozenset(short_name(u.name).lower() for u in units if u.name)
    # A word the author writes as a word, twice or more ("the coroutine"), is one here.
    written = Counter(_PROSE_WORD.findall(notes))
    prose = frozenset(word for word, count in written.items() if count >= 2)
    return FileWords(language, found, block_words, prose, code_names, defined)


class Theme(msgspec.Struct):
    """What a section's members share, each with the members it holds for (unit keys)."""

    callee: str = ""  # a callee most members call, as the code writes it, ``self.`` dropped
    callers: frozenset[int] = frozenset()
    literals: list[str] = msgspec.field(default_factory=list)  # strings passed to ``callee``
    returns_callee: bool = False  # ... and the members hand back its result
    decorator: str = ""  # a decorator most members carry, without its arguments
    decorated: frozenset[int] = frozenset()
    decorator_args: list[str] = msgspec.field(default_factory=list)  # its string arguments
    raises: list[str] = msgspec.field(default_factory=list)  # exceptions the members raise
    bases: list[str] = msgspec.field(default_factory=list)  # base classes of its classes


class Facts(msgspec.Struct):
    """One section seen by the namer and the describer."""

    section: Section
    definitions: list[Unit]
    weights: dict[int, float]
    owner: str | None
    text: str
    words: Counter[str] = msgspec.field(default_factory=Counter)  # its definitions' name words
    theme: Theme = msgspec.field(default_factory=Theme)
    parameters: frozenset[str] | None = None  # naming's, once asked
    main: Unit | None = None  # main_definition's answer, once asked
    # Labels ranked for this section, kept for when its level is named again (a long
    # section's children are named twice when one of them takes the parent's label).
    ranked: dict[object, object] = msgspec.field(default_factory=dict)
    said: dict[object, str] = msgspec.field(default_factory=dict)  # descriptions, likewise

    @property
    def total(self) -> float:
        return sum(self.weights.values()) or 1.0


def facts(section: Section, text: Text) -> Facts:
    """The section's definitions, their weights, the class that owns it and its theme."""
    body = section.body
    definitions = [p.unit for p in body if p.unit.kind in DEFINITION_KINDS]
    if not definitions:
        definitions = [p.unit for p in body]
    weights = {}
    for unit in definitions:
        weight = float(max(1, unit.end - unit.start + 1))
        if unit.name.startswith("_") or (not unit.exported and unit.kind == "paragraph"):
            weight *= THEME.private_weight  # private helpers say less about a section
        weights[key_of(unit)] = weight
    owners: Weights = defaultdict(float)
    for unit in definitions:
        if unit.kind == "paragraph":
            continue  # a function's own paragraphs: the function is no class
        owner = unit.parent or (unit.name if unit.kind in ("class", "type") else None)
        if owner:
            owners[owner] += weights[key_of(unit)]
    owner = None
    if owners:
        name, weight = heaviest(owners, 1)[0]
        if weight >= THEME.owner_share * sum(weights.values()):
            owner = name
    body_text = "\n".join(text.lines[section.start - 1 : section.end])[:30_000]
    words = Counter(vocabulary.singular(w) for u in definitions for w in name_words(u.name))
    info = Facts(section, definitions, weights, owner, body_text, words)
    info.theme = theme(info)
    return info


def key_of(unit: Unit) -> int:
    return unit.id * 10_000 + unit.start


_QUALIFIER = re.compile(r"[.:/\\>]+")


def is_package_clause(unit: Unit) -> bool:
    """``package x.y;`` (Java, Go, Kotlin, Perl): the file's own name, not an import."""
    return unit.kind == "import" and bool(re.match(r"\s*package\s", unit.signature))


@lru_cache(maxsize=16384)
def short_name(name: str) -> str:
    """The last part of a qualified name (``POP3.user`` → ``user``, ``self.x`` → ``x``)."""
    return _QUALIFIER.split(name.rstrip("()"))[-1] if name else ""


_RECEIVER = re.compile(r"^(?:self|this|cls|\$this|@)(?:\.|->|::)")


@lru_cache(maxsize=16384)
def _callee(name: str) -> str:
    """A callee as a reader names it: ``self._shortcmd`` → ``_shortcmd``."""
    return _RECEIVER.sub("", name)


_ERROR_TYPE = re.compile(r"(?:Error|Exception)$")


def theme(info: Facts) -> Theme:
    """The callee, decorator, exceptions and bases the section's members share."""
    members = [u for u in info.definitions if u.kind != "paragraph" or u.facts.calls]
    found = Theme()
    if not members:
        return found
    keys = [key_of(u) for u in members]
    own = {short_name(u.name) for u in members}
    callers: dict[str, set[int]] = defaultdict(set)
    for unit, key in zip(members, keys, strict=True):
        thrown = {short_name(r.removeprefix("new ").rstrip("()")) for _, r in unit.facts.raises}
        for _, name in unit.facts.calls:
            name = _callee(name)
            if name.lower() in vocabulary.trivial_calls() or short_name(name) in own:
                continue
            if short_name(name) in thrown or _ERROR_TYPE.search(short_name(name)):
                continue  # making the exception it raises is no call a reader follows
            callers[name].add(key)
    need = max(2.0, THEME.shared_share * len(members)) if len(members) > 1 else 1.0
    shared = [(n, ks) for n, ks in callers.items() if len(ks) >= need]
    if shared:
        # The callee most members call; on a tie the one called first in the file.
        name, who = max(shared, key=lambda item: (len(item[1]), -_first_call(members, item[0])))
        found.callee, found.callers = name, frozenset(who)
        for unit in members:
            for _, callee, literal in unit.facts.literals:
                if _callee(callee) == name and literal not in found.literals:
                    found.literals.append(literal)
                    break
        returning = [
            u for u in members if any(_callee(r.rstrip("()")) == name for _, r in u.facts.returns)
        ]
        found.returns_callee = len(returning) >= need
    decorated: dict[str, set[int]] = defaultdict(set)
    arguments: dict[str, list[str]] = defaultdict(list)
    for unit, key in zip(members, keys, strict=True):
        for _, text in unit.facts.decorators:
            name = re.sub(r"^[@#\[!]+|\(.*$|\]$", "", text).strip()
            if not name or name.lower() in vocabulary.trivial_decorators():
                continue
            decorated[name].add(key)
            argument = re.search(r"\(\s*[rbuf]?[\"'`]([^\"'`]{1,60})[\"'`]", text)
            if argument and argument.group(1) not in arguments[name]:
                arguments[name].append(argument.group(1))
    common = [(n, ks) for n, ks in decorated.items() if len(ks) >= need]
    if common:
        name, who = max(common, key=lambda item: len(item[1]))
        found.decorator, found.decorated = name, frozenset(who)
        found.decorator_args = arguments[name]
    for unit in members:
        for _, raised in unit.facts.raises:
            name = short_name(raised.removeprefix("new "))
            if name and name[:1].isupper() and name not in found.raises:
                found.raises.append(name)
        if unit.kind in ("class", "type"):
            for _, base in unit.facts.bases:
                if base not in found.bases:
                    found.bases.append(base)
    return found


def _first_call(members: list[Unit], name: str) -> int:
    lines = [line for u in members for line, callee in u.facts.calls if _callee(callee) == name]
    return min(lines, default=0)


_NAME_WORD = re.compile(r"[A-Z]+\d*(?=[A-Z][a-z]|\b|_)|[A-Z]?[a-z]+\d*|[A-Z]+\d*")


@lru_cache(maxsize=8192)
def _name_words(name: str) -> tuple[str, ...]:
    words: list[str] = []
    tail = re.split(r"[.:/\\]+", name)[-1] if name else ""
    if re.fullmatch(r"__\w+__", tail):
        return ()  # ``__all__``, ``__version__``: module plumbing, no topic
    for raw in _NAME_WORD.findall(tail):
        token = raw.lower()
        # An acronym as written ("getDSTSavings") is no abbreviation to spell out.
        acronym = raw.isupper() and len(raw) > 1 and len(tail) > len(raw)
        for word in vocabulary.split_compound(token):
            if word in vocabulary.filler() or len(word) < 2:
                continue
            words.append(word if acronym else vocabulary.expand(word).lower())
    return tuple(words)


def name_words(name: str) -> list[str]:
    """An identifier's words (digits kept on the word: POP3, sha1), abbreviations spelled
    out, filler dropped."""
    return list(_name_words(name))


def action_words(name: str, file: FileWords | None) -> tuple[str, list[str]]:
    """A callee's name read as (verb, object words): ``read_rsa_key`` → (read, [rsa, key]);
    ("", []) when its name holds no verb, or no object worth saying."""
    if file is None:
        return _action_words(name, None)
    known = file.actions.get(name)
    if known is None:
        known = file.actions[name] = _action_words(name, file)
    return known


def _action_words(name: str, file: FileWords | None) -> tuple[str, list[str]]:
    words = name_words(name)
    receiver: list[str] = []
    if len(words) == 1 and "." in name:
        # A method named for its action alone acts on its receiver: config.update(...).
        receiver = name_words(re.sub(r"^(?:self|this)\.", "", name.rsplit(".", 1)[0]))
    if file is not None:
        kept = [w for w in words if file.accepts(w)]
        if any(w in vocabulary.negations() for w in words if w not in kept):
            return "", []  # "requireNonNull" without its "non" says the opposite
        words = kept
        receiver = [w for w in receiver if file.accepts(w)]
    verb = next((i for i, w in enumerate(words) if vocabulary.is_verb(w)), -1)
    if verb < 0 or (verb > 0 and len(words) - verb > 2):
        return "", []
    # What follows the verb is its object ("read_rsa_key"); words before it are a prefix or
    # a predicate ("can_read" is no reading of cans), so a verb last reads only its receiver.
    objects = words[verb + 1 :] or (receiver[-2:] if verb == 0 else [])
    objects = [w for w in objects if w not in vocabulary.filler()]
    if not objects:
        return "", []
    return words[verb], objects[-3:]


def heaviest(weights: Weights, count: int) -> list[tuple[str, float]]:
    """The heaviest entries, ties in name order (deterministic)."""
    return sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:count]


def noun_like(word: str) -> bool:
    return len(word) >= 3 and word not in vocabulary.clause_words() and not word.isdigit()


def main_definition(info: Facts) -> Unit | None:
    """The member the section is about: the owner class, else the one most used by others."""
    if not info.definitions:
        return None
    if info.owner:
        for unit in info.definitions:
            if unit.name == info.owner and unit.kind in ("class", "type"):
                return unit

    if info.main is not None:
        return info.main
    # How many other members use each name: one pass over the members' uses.
    users: Counter[str] = Counter()
    for unit in info.definitions:
        users.update(unit.uses)
    total = info.total

    def importance(unit: Unit) -> tuple[bool, float, float]:
        used = max((users[name] for name in unit.defines), default=0)
        weight = info.weights[key_of(unit)]
        return (unit.kind != "paragraph", used + weight / total * 2, weight)

    info.main = max(info.definitions, key=importance)
    return info.main


def plain_doc(doc: str) -> str:
    """A doc comment without Doxygen/JSDoc/Javadoc/POD markup: tags, math, ``{@code x}``,
    ``C<x>``."""
    text = _POD_CODE.sub(lambda m: m.group(1).split("|")[0], doc) if "<" in doc else doc
    text = _GTK_DOC.sub("", text)
    text = _LINK.sub(r"\1", text)
    for _ in range(3):  # nested inline tags: {@code {@literal x}}
        text = _INLINE_TAG.sub(r"\1", text)
    text = _DOC_TAIL.sub("", text)
    text = _MATH.sub("", text)
    text = _GROUPING.sub(" ", text)
    text = _HTML_TAG.sub("", text)
    return _DOXYGEN.sub("", text).strip()


# Doxygen's grouping commands and HTML inline tags carry no words of their own.
_GROUPING = re.compile(
    r"[@\\](?:addtogroup|defgroup|ingroup|weakgroup|name|file|headerfile|internal|endinternal)"
    r"\b(?:\s+\S+)?|[@\\][{}]"
)
# gtk-doc's opening "name:" line and its "@param: text" lines.
_GTK_DOC = re.compile(r"\A\s*[\w:]+:[ \t]*\n|^[ \t]*@\w+:.*(?:\n|\Z)", re.M)
# POD formatting codes: C<code>, B<bold>, L<text|link>, C<< x >>.
_POD_CODE = re.compile(r"\b[BCEFILSXZ]<+\s*([^<>]*?)\s*>+")
_HTML_TAG = re.compile(
    r"</?(?:p|a|b|i|u|s|em|strong|code|pre|tt|kbd|var|samp|ul|ol|li|dl|dt|dd|br|hr|span|div|"
    r"sup|sub|small|big|table|thead|tbody|tr|td|th|blockquote|img|h[1-6]|caption|cite|q)"
    r"\b(?:\s[^<>]*)?/?>",
    re.I,
)  # only HTML's own tags: <bits/x.h> and <T> in a comment are code
