"""What the namer knows: each section's definitions and their weights, the file's words.

``Facts`` describe one section (its definitions, how much each weighs, the class that owns
it); ``FileWords`` the whole file (which tokens are its prose, its identifiers, its
acronyms). Candidates, scores and descriptions all read these.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence

import msgspec

from ...syntax.languages import Language
from ...syntax.units import Unit
from . import vocabulary
from .segment import Section

Weights = defaultdict[str, float]  # word → summed line weight of the members using it


DEFINITION_KINDS = frozenset({"function", "method", "class", "type", "constant", "paragraph"})


KIND_WORD = {"function": "function", "method": "method", "class": "class", "type": "type",
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


class Candidate(msgspec.Struct):
    """A label in the making: its words, where it came from, and what it speaks for."""

    words: list[str]
    source: str
    covers: frozenset[int] = msgspec.field(default_factory=frozenset)  # unit ids

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


class Facts(msgspec.Struct):
    """One section seen by the namer."""

    section: Section
    definitions: list[Unit]
    weights: dict[int, float]
    owner: str | None
    text: str
    words: Counter[str] = msgspec.field(default_factory=Counter)  # its definitions' name words

    @property
    def total(self) -> float:
        return sum(self.weights.values()) or 1.0


def facts(section: Section, lines: Sequence[str]) -> Facts:
    """The section's definitions, their weights and the class that owns it, if any."""
    body = section.body
    definitions = [p.unit for p in body if p.unit.kind in DEFINITION_KINDS]
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
            owners[owner] += weights[key_of(unit)]
    owner = None
    if owners:
        name, weight = heaviest(owners, 1)[0]
        if weight >= 0.5 * sum(weights.values()):
            owner = name
    text = "\n".join(lines[section.start - 1 : section.end])[:30_000]
    words = Counter(vocabulary.singular(w) for u in definitions for w in name_words(u.name))
    return Facts(section, definitions, weights, owner, text, words)


def key_of(unit: Unit) -> int:
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

    def importance(unit: Unit) -> tuple[bool, float, float]:
        used = sum(
            1 for other in info.definitions if other is not unit and unit.defines & other.uses
        )
        weight = info.weights[key_of(unit)]
        return (unit.kind != "paragraph", used + weight / info.total * 2, weight)

    return max(info.definitions, key=importance)


def plain_doc(doc: str) -> str:
    """A doc comment without Doxygen/JSDoc markup: tags, math, ``{@link X}``."""
    text = _DOC_TAIL.sub("", _LINK.sub(r"\1", doc))
    text = _MATH.sub(lambda m: m.group(1) or "", text)
    return _DOXYGEN.sub("", text).strip()
