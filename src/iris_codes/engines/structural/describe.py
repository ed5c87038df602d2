"""Descriptions: one sentence per section, the best of scored candidates.

Candidates are the doc sentences of the section's members (the author's words, scored by
how much of the section the documented member is) and a sentence of what the code does,
built from the syntax tree's facts: the members in reading order as the code names them,
and what they share or do (a callee and the strings they pass it, a decorator and its
arguments, what they return and raise, the fields a type holds). Never a count.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

import msgspec

from ...syntax import comments
from ...syntax.units import Unit
from . import intent, vocabulary
from .facts import (
    Facts,
    FileWords,
    action_words,
    is_package_clause,
    key_of,
    main_definition,
    name_words,
    noun_like,
    plain_doc,
    short_name,
)
from .phrases import and_list, article, base_names, inner, kind_noun, or_list, quoted, sentence
from .weights import DESCRIPTION, PHRASES, DescriptionWeights


class Option(msgspec.Struct, frozen=True):
    """A candidate description and its score."""

    text: str
    source: str
    score: float


def describe(
    info: Facts,
    label: str,
    covers: frozenset[int] = frozenset(),
    file: FileWords | None = None,
    avoid: frozenset[str] = frozenset(),
    weights: DescriptionWeights = DESCRIPTION,
) -> str:
    """The best sentence about the section: a member's doc or what its code does; never
    one of ``avoid`` (the file's intent, already said)."""
    asked = (label, covers, id(file), avoid, weights)
    if asked not in info.said:
        info.said[asked] = _best(info, label, covers, file, avoid, weights)
    return info.said[asked]


def _best(
    info: Facts,
    label: str,
    covers: frozenset[int],
    file: FileWords | None,
    avoid: frozenset[str],
    weights: DescriptionWeights,
) -> str:
    options = [*doc_options(info, label, covers, weights), *fact_options(info, file, weights)]
    from .naming import documentation_share

    if documentation_share(info) > 0.8:
        # Mostly documentation: say so, then what little code there is.
        options = [
            msgspec.structs.replace(o, text=sentence(f"The documentation, then {inner(o.text)}"))
            if o.source == "facts"
            else o
            for o in options
        ]
    options = [_past_label(o, label) for o in options]
    options = [o for o in options if o.text.lower().rstrip(".") != label.lower().rstrip(".")]
    said = {a.rstrip(".") for a in avoid}
    fresh = [o for o in options if o.text.lower().rstrip(".") not in said]
    if fresh:
        best = max(fresh, key=lambda o: o.score)
        if len(fresh) == len(options) or best.source != "facts" or best.score >= weights.said:
            return best.text
    if options:
        # The intent again, rather than a template: it is the author's word on this part.
        return max(options, key=lambda o: o.score).text
    return least(info)


def _past_label(option: Option, label: str) -> Option:
    """ "Generic split: splits after…" under the label "Generic split": what follows."""
    head = label.lower() + ":"
    if option.text.lower().startswith(head) and len(option.text) > len(head) + 12:
        rest = option.text[len(head) :].strip()
        return msgspec.structs.replace(option, text=rest[:1].upper() + rest[1:])
    return option


def least(info: Facts) -> str:
    """The least that is true of a section with nothing else to say: what it defines, or
    how its code opens; never its label again."""
    from .naming import documentation_share, entry_keys

    headings = _HEADINGS.findall(info.text)
    if documentation_share(info) > 0.8 and headings:
        titles = [h.strip().capitalize() if h.isupper() else h.strip() for h in headings]
        return sentence(f"The documentation: {and_list(titles, limit=6)}")
    owners = {u.name for u in info.definitions if u.name}
    keys = entry_keys(info.text) if len(owners) == 1 else None
    if keys:
        return sentence(f"Entries {keys[0]} to {keys[1]} of {short_name(owners.pop())}")
    named = [_display(u) for u in info.definitions if u.name and u.kind != "paragraph"]
    if named:
        return sentence(f"Defines {and_list(named)}")
    for n in range(info.section.start, info.section.end + 1):
        line = info.text.split("\n")[n - info.section.start].strip()
        if line and not comments.is_comment_line(line):
            shown = line if len(line) <= 60 else line[:59].rstrip() + "…"
            return sentence(f"Code opening with {quoted(shown)}")
    return ""


# Headings in documentation: POD's =head1 and =head2.
_HEADINGS = re.compile(r"^=head[12]\s+(.{2,40}?)\s*$", re.M)


def doc_options(
    info: Facts, label: str, covers: frozenset[int], weights: DescriptionWeights = DESCRIPTION
) -> list[Option]:
    """The members' doc sentences, scored by the share of the section they speak for."""
    main = main_definition(info)
    # The preamble's doc is the file's (its intent), not this section's, unless the section
    # is nothing else.
    units = [p.unit for p in info.section.body]
    ordered = sorted(
        (u for u in units if u.doc),
        key=lambda u: (key_of(u) not in covers, u is not main, u.start),
    )
    options: list[Option] = []
    seen: set[str] = set()
    for unit in ordered[:6]:
        text = intent.shorten(clean_doc(unit.doc), weights.max_doc_words)
        if not text or text in seen or len(text.split()) < weights.min_doc_words:
            continue
        seen.add(text)
        share = _share(info, unit)
        score = weights.doc + weights.doc_coverage * share
        if share < weights.partial_share:
            score -= weights.partial  # one small member's words would pass for the whole
        if unit.kind in ("statement", "constant", "paragraph", "comment") and intent.is_remark(
            text
        ):
            score -= weights.remark  # a comment on one line of code, not on the section
        if _content_words(text) < weights.min_content_words:
            score -= weights.vague
        if text.lower().rstrip(".") == label.lower():
            score -= weights.echo
        options.append(Option(text, "doc", score))
        # What the doc says next: the section's words when its first sentence is the
        # file's intent, already said.
        later = intent.shorten(clean_doc(_after_first_sentence(unit.doc)), weights.max_doc_words)
        if later and later not in seen and len(later.split()) >= weights.min_doc_words + 2:
            seen.add(later)
            options.append(Option(later, "doc", score - weights.later))
    joined = _joined_docs(info, ordered, weights)
    if joined:
        options.append(joined)
    for unit in units[:6]:
        if unit.doc or unit.kind not in ("function", "method", "paragraph"):
            continue
        text = intent.shorten(_body_comment(unit, info), weights.max_doc_words)
        if text and text not in seen and len(text.split()) >= weights.min_doc_words + 1:
            seen.add(text)
            share = _share(info, unit)
            score = weights.doc + weights.doc_coverage * share - weights.inline
            if share < weights.partial_share:
                score -= weights.partial
            if _content_words(text) < weights.min_content_words:
                score -= weights.vague
            options.append(Option(text, "comment", score))
    return options


def _after_first_sentence(doc: str) -> str:
    """A doc without its first sentence (its summary), or ""."""
    text = " ".join(plain_doc(doc).split())
    match = intent.SENTENCE.match(text)
    return text[match.end() :].strip() if match else ""


def _joined_docs(info: Facts, documented: list[Unit], weights: DescriptionWeights) -> Option | None:
    """Several members' doc sentences said as one, where each opens with what the member
    does: "Erases all elements, swaps data with another set and merges the nodes"; one
    verb says its objects once ("returns the size and the capacity"), overloads once."""
    by_verb: dict[str, list[str]] = {}
    seen: list[set[str]] = []
    share = 0.0
    for unit in sorted(documented, key=lambda u: u.start):
        if unit.kind not in ("function", "method") or _share(info, unit) <= 0:
            continue
        doc = clean_doc(unit.doc)
        name = short_name(unit.name)
        head, _, rest = doc.partition(" ")
        if name and head.lower() == name.lower() and _doing_clause(rest)[0]:
            doc = rest  # Go's "Add adds the key…": the name, then the verb
        verb, rest = _doing_clause(doc)
        words = {w for w in re.findall(r"[a-z]{3,}", rest.lower()) if w not in _LITTLE}
        if not verb or any(len(words & other) >= 0.8 * max(len(words), 1) for other in seen):
            continue  # an overload's doc says the same again
        seen.append(words)
        by_verb.setdefault(verb, []).append(rest)
        share += _share(info, unit)
    said = sum(len(objects) for objects in by_verb.values())
    if said < 2 or share < weights.partial_share:
        return None
    phrases = [
        f"{vocabulary.third_person(verb)} {and_list(objects[:3], limit=3)}"
        for verb, objects in list(by_verb.items())[:3]
    ]
    text = sentence(_join(phrases))
    if len(text.split()) > weights.max_doc_words:
        return None
    score = weights.doc + weights.doc_coverage * min(1.0, share) + weights.joined
    return Option(text, "docs", score)


_LITTLE = frozenset({"the", "and", "for", "with", "from", "into", "onto", "this", "that", "its"})


def _doing_clause(doc: str) -> tuple[str, str]:
    """A doc sentence's verb and what follows it up to the first clause break, when the
    sentence opens with what the member does ("Return the size of the set, or 0." →
    ("return", "the size of the set")); ("", "") otherwise."""
    head = re.split(r"[,;:(]| - | — | if | when | unless | or null", doc.rstrip("."), maxsplit=1)[0]
    words = head.split()
    if not 2 <= len(words) <= 9:
        return "", ""
    first = words[0].lower()
    base = first
    for suffix in ("es", "s"):
        if first.endswith(suffix) and vocabulary.is_verb(first[: -len(suffix)]):
            base = first[: -len(suffix)]
            break
    if not vocabulary.is_verb(base) or base in vocabulary.weak_verbs() - {"return", "get"}:
        return "", ""
    rest = words[1:]
    if len(rest) >= 2 and rest[0] == "and" and vocabulary.is_verb(rest[1].lower()):
        rest = ["and", vocabulary.third_person(rest[1].lower()), *rest[2:]]
    return base, " ".join(rest)


def _body_comment(unit: Unit, info: Facts) -> str:
    """The first comment inside a function's body: the author's own words on what it does
    first, where it has no doc."""
    lines = info.text.split("\n")
    offset = info.section.start
    block: list[str] = []
    for n in range(unit.start + 1, min(unit.end, unit.start + 25) + 1):
        line = lines[n - offset] if 0 <= n - offset < len(lines) else ""
        if comments.is_comment_line(line):
            block.append(line)
        elif block:
            break
    if not block:
        return ""
    text = clean_doc(comments.clean_comment(block))
    return "" if not text or intent.is_remark(text) else text


def _share(info: Facts, unit: Unit) -> float:
    """How much of the section ``unit`` is: its own weight, or all of it for the owner."""
    if info.owner and unit.name == info.owner and unit.kind in ("class", "type"):
        return 1.0
    if unit is info.section.body[0].unit and unit.kind == "comment":
        return 1.0  # the comment opening the section speaks for all of it
    return info.weights.get(key_of(unit), 0.0) / info.total


def _content_words(text: str) -> int:
    words = re.findall(r"[A-Za-z]{4,}", text.lower())
    weak = vocabulary.clause_words() | vocabulary.articles() | vocabulary.vague_words()
    return sum(1 for w in words if w not in weak)


def fact_options(
    info: Facts, file: FileWords | None = None, weights: DescriptionWeights = DESCRIPTION
) -> list[Option]:
    """A sentence from what the section's code does, scored by the facts it states."""
    text, stated = fact_sentence(info, file)
    if not text:
        return []
    return [Option(text, "facts", weights.facts + weights.per_fact * stated)]


def fact_sentence(info: Facts, file: FileWords | None = None) -> tuple[str, int]:
    """What the section's code does, and how many facts that sentence states."""
    members = [u for u in _members(info) if u.name or u.kind in ("statement", "paragraph")]
    whole = {u.name for u in members if u.kind != "paragraph"}
    members = [u for u in members if not (u.kind == "paragraph" and u.name in whole)]
    if not members:
        return "", 0
    if all(u.kind in ("import", "comment") for u in members):
        return _imports(members)
    code = ("statement", "paragraph", "import", "comment")
    if all(u.kind in code for u in members) or (
        all(u.kind in (*code, "constant") for u in members) and options(info.text)
    ):
        return _steps(info, members, file)
    named = [u for u in members if u.kind not in ("statement", "import", "comment")]
    if len({u.id for u in named}) == 1 and named[0].kind == "constant":
        from .naming import entry_keys

        keys = entry_keys(info.text, quoted_only=True)
        if keys:  # a stretch of one table: its entries, first to last
            name = short_name(named[0].name)
            return sentence(f"Entries {keys[0]} to {keys[1]} of {name}"), 1
    if len(named) == 1:
        return _single(info, named[0], file)
    return _several(info, named, file)


def _members(info: Facts) -> list[Unit]:
    """The definitions a sentence names: a class's members rather than its header."""
    units = info.definitions
    if info.owner and len(units) > 1:
        units = [u for u in units if not (u.name == info.owner and u.kind in ("class", "type"))]
    return units


def _imports(members: list[Unit]) -> tuple[str, int]:
    imported = [u for u in members if u.kind == "import" and u.name]
    names = [short_name(u.name) for u in imported if not is_package_clause(u)]
    packages = [u.name for u in imported if is_package_clause(u)]
    if not names and packages:
        return sentence(f"Declares the package {packages[0]}"), 1
    if not names:
        return "", 0
    return sentence(f"Imports {and_list(names)}"), 1


def _steps(info: Facts, members: list[Unit], file: FileWords | None) -> tuple[str, int]:
    """Top-level code or a function's paragraphs: what it sets, then what it does."""
    sets = [short_name(u.name) for u in members if u.name and u.kind == "statement"]
    owner = members[0].parent if members[0].kind == "paragraph" else None
    parts = []
    handled = options(info.text)
    if handled:
        parts.append(f"handles the {and_list(handled, limit=5)} options")
    imported = [short_name(u.name) for u in members if u.kind == "import" and u.name]
    if imported:
        parts.append(f"imports {and_list(imported)}")
    if sets:
        parts.append(f"sets {and_list(sets)}")
    parts += actions(members, file)
    raised = _raised(members)
    if raised:
        parts.append(f"raises {or_list(raised)}")
    if not parts:
        return "", 0
    text = _join(parts)
    if owner and short_name(owner):
        return sentence(f"In {short_name(owner)}, this part {text}"), len(parts)
    if owner:
        return sentence(f"This part {text}"), len(parts)
    if _is_entry(members):
        return sentence(f"When run as a program, {text}"), len(parts) + 1
    return sentence(text), len(parts)


# Where code names the options it takes: a shell case pattern ("--h*|-h)"), a parser's
# add_argument("--force"), a getopt long option {"verbose", ...}.
_OPTION_SITES = (
    re.compile(r"^\s*([-+][\w*?|'\"=-]*)\)", re.M),
    re.compile(r"""add_(?:argument|option)\(\s*['"](-{1,2}[\w-]+)['"]"""),
    re.compile(r"""[!=]=?\s*["'](-{1,2}[A-Za-z][\w-]*)["']\s*\]"""),  # [ "$1" = "-h" ]
)
_OPTION = re.compile(r"^-{1,2}[A-Za-z][\w-]*")


def options(text: str) -> list[str]:
    """The command-line options a stretch of code handles, in order ("--help", "-v")."""
    found: list[str] = []
    for site in _OPTION_SITES:
        for match in site.finditer(text):
            for alternative in re.split(r"\s*\|\s*", match.group(1)):
                option = _OPTION.match(alternative.strip("'\""))
                if option and option.group(0) not in found:
                    found.append(option.group(0))
    return found if len(found) >= 2 else []


def _is_entry(members: list[Unit]) -> bool:
    return any(re.match(r"^\s*if\s+__name__\s*==", u.signature) for u in members)


def _single(info: Facts, unit: Unit, file: FileWords | None) -> tuple[str, int]:
    name = _display(unit)
    if unit.kind in ("class", "type"):
        return _class(info, unit, name)
    if unit.kind == "constant":
        return _constant(unit, name)
    parts = _doings(unit, file)
    if not parts:
        doing = own_doing(unit, file)
        if doing:
            return sentence(doing), 1
        signature = _signature(unit)
        if not signature.endswith("()"):  # "max()." says nothing a name did not
            return (sentence(signature, capital=False), 0) if signature else ("", 0)
        return "", 0
    return sentence(f"{name} {_join(parts)}", capital=False), len(parts)


def _signature(unit: Unit) -> str:
    """``name(a, b)`` from the unit's first line, when it shows its parameters."""
    match = re.search(re.escape(short_name(unit.name)) + r"\s*\(([^()]{0,80})\)", unit.signature)
    if not match:
        return ""
    params = ", ".join(p.strip() for p in match.group(1).split(",") if p.strip())
    return f"{short_name(unit.name)}({params})"


def _display(unit: Unit) -> str:
    return short_name(unit.name) or unit.kind


def _doings(unit: Unit, file: FileWords | None) -> list[str]:
    """What one function does: what it makes, what its calls do, what it raises."""
    parts: list[str] = []
    returned = _returned(unit)
    if returned:
        parts.append(f"returns {returned}")
    parts += actions([unit], file, {_bare(r) for _, r in unit.facts.returns})
    raised = _raised([unit])
    if raised:
        parts.append(f"raises {or_list(raised)}")
    decorators = [_decorator_name(d) for _, d in unit.facts.decorators]
    decorators = [d for d in decorators if d and d.lower() not in vocabulary.trivial_decorators()]
    if decorators:
        parts.append(f"is decorated with @{decorators[0]}")
    return parts


def _bare(name: str) -> str:
    return _RECEIVER.sub("", name.removesuffix("()").removeprefix("new "))


_RECEIVER = re.compile(r"^(?:self|this|cls)\.")


def _returned(unit: Unit) -> str:
    """What a function hands back when it makes something: a new X, its own field."""
    heads = [r for _, r in unit.facts.returns]
    if not heads:
        return ""
    first = heads[0]
    made = re.sub(r"<.*$", "", first[4:]).strip() if first.startswith("new ") else ""
    if made and short_name(made):
        return f"a new {short_name(made)}"  # "new StatelessOp<>(…)": the type, no generics
    if first.endswith("()") and short_name(_bare(first))[:1].isupper():
        return f"a new {short_name(_bare(first))}"
    if re.fullmatch(r"(?:self|this)\.\w+", first) and len(set(heads)) == 1:
        return f"its {first.split('.', 1)[1]}"
    return ""


def actions(
    units: list[Unit], file: FileWords | None, skip: set[str] | frozenset[str] = frozenset()
) -> list[str]:
    """What the units do, read from the names of what they call ("reads the config"),
    most telling calls first: the file's own functions, then calls named for an action;
    calls without a verb in their name are said as calls."""
    own = {short_name(u.name) for u in units}
    raised = set(_raised(units, limit=40))
    found: dict[str, tuple[int, int, str]] = {}
    for unit in units:
        for line, callee in unit.facts.calls:
            name = _bare(callee)
            short = short_name(name)
            local = file is not None and short.lower() in file.defined
            trivial = name.lower() in vocabulary.trivial_calls() or (
                short.lower() in vocabulary.trivial_calls()
            )
            if short in own or name in skip or short in raised or name in found:
                continue
            if trivial and not local:
                continue  # the file's own function is never trivial, whatever its name
            phrase = action(name, file) if file is not None else ""
            if not phrase and not local:
                continue  # a library call by a name that says nothing is no news to a reader
            found[name] = (int(local) * 2 + bool(phrase), line, phrase)
    chosen = sorted(found, key=lambda n: (-found[n][0], found[n][1]))[: PHRASES.calls_shown]
    chosen.sort(key=lambda n: found[n][1])
    phrases = [found[n][2] for n in chosen if found[n][2]]
    plain = [n for n in chosen if not found[n][2]]
    if plain:
        phrases.append(f"calls {and_list(plain)}")
    return phrases


def action(name: str, file: FileWords | None) -> str:
    """A callee's name read as what it does: ``read_rsa_key`` → "reads RSA key"; ""
    when the name holds no verb, or no object to say."""
    verb, objects = action_words(name, file)
    if not verb:
        return ""
    return " ".join([vocabulary.third_person(verb), *(_acronym(w, file) for w in objects)])


def _acronym(word: str, file: FileWords | None) -> str:
    return word.upper() if file is not None and word in file.acronyms else word


def _raised(units: list[Unit], limit: int = 3) -> list[str]:
    found: list[str] = []
    for unit in units:
        for _, raised in unit.facts.raises:
            name = short_name(raised.removeprefix("new ").removesuffix("()"))
            if name[:1].isupper() and name not in found:
                found.append(name)
    return found[:limit]


def _decorator_name(text: str) -> str:
    return re.sub(r"^[@#\[!]+|\(.*$|\]$", "", text).strip()


def _class(info: Facts, unit: Unit, name: str) -> tuple[str, int]:
    kind = _type_kind(unit)
    bases = base_names([short_name(b) for _, b in unit.facts.bases])[:2]
    fields = _fields(unit, info)
    parts: list[str] = []
    subject = f"{name}, {article(kind)} {kind}" if kind != "class" or not bases else name
    if bases:
        what = "subclass" if kind == "class" else kind
        subject = f"{name}, {article(bases[0])} {and_list(bases)} {what},"
    if fields:
        parts.append(f"holds {and_list(fields)}")
    if not parts and not bases:
        return "", 0
    if not parts:
        return sentence(subject.rstrip(","), capital=False), 1
    return sentence(f"{subject} {_join(parts)}", capital=False), len(parts) + bool(bases)


def _type_kind(unit: Unit) -> str:
    head = unit.signature.lower()
    for word in ("interface", "protocol", "struct", "enum", "union", "trait", "record"):
        if re.search(rf"\b{word}\b", head):
            return word
    return "type" if unit.kind == "type" else "class"


_FIELD_PATTERNS = (
    re.compile(r"^\s*(?:(?:public|private|protected|readonly|static|final|var|let|val|pub)\s+)*"
               r"([A-Za-z_]\w*)\??\s*:(?!:)"),  # name: type (TypeScript, Python, Rust, Kotlin)
    re.compile(r"\(\s*\*\s*([A-Za-z_]\w*)\s*\)\s*\("),  # a C function pointer: (*name)(...)
    re.compile(r"([A-Za-z_]\w*)\s*(?:\[[^\]]*\])*\s*(?:=[^;]*)?;\s*(?://.*|/\*.*)?$"),  # int x;
    re.compile(r"^\s*([A-Za-z_]\w*)\s*(?:=\s*[^,]+)?,?\s*(?://.*|/\*.*|#.*)?$"),  # enum A = 1,
    re.compile(r"^\s*([A-Z]\w*)\s+[\w*\[\].]+"),  # Go: Name Type
)  # fmt: skip
_NOT_FIELD = frozenset(
    {"return", "break", "continue", "pass", "end", "public", "private", "protected", "else",
     "default", "case", "struct", "enum", "union", "class", "interface", "type", "typedef"}
)  # fmt: skip


def _fields(unit: Unit, info: Facts) -> list[str]:
    """The names a type's body declares, in order (fields, enum members), if it has a body."""
    lines = info.text.split("\n")
    offset = info.section.start
    body = lines[unit.start - offset + 1 : unit.end - offset][:60]
    names: list[str] = []
    for line in body:
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "//", "/*", "*", '"', "'", "@", "}")):
            continue
        for pattern in _FIELD_PATTERNS:
            match = pattern.search(line)
            if match and match.group(1).lower() not in _NOT_FIELD:
                names.append(match.group(1))
                break
    names = [n for n in dict.fromkeys(names) if n != short_name(unit.name)]
    return names if len(names) >= 2 else []


def _constant(unit: Unit, name: str) -> tuple[str, int]:
    calls = [
        _bare(c) for _, c in unit.facts.calls if _bare(c).lower() not in vocabulary.trivial_calls()
    ]
    value = re.search(r"(?:=|:=|\bdefine\s+\w+)\s*(.+?)\s*[;,]?\s*$", unit.signature)
    if calls:
        return sentence(f"{name} is built with {calls[0]}", capital=False), 1
    literal = r"-?[\d.xXa-fA-F_]+|[\"'][^\"']{0,30}[\"']|true|false"
    if value and re.fullmatch(literal, value.group(1)):
        return sentence(f"{name} is set to {value.group(1)}", capital=False), 1
    return "", 0


def _several(info: Facts, members: list[Unit], file: FileWords | None) -> tuple[str, int]:
    """Several definitions: what they do together, then their names in reading order and
    what they share."""
    theme = info.theme
    parts: list[str] = []
    stated = 0
    everyone = len(members)
    if theme.callee:
        each = "each" if len(theme.callers) >= everyone else "most"
        constants = all(u.kind == "constant" for u in members)
        if constants:
            part = f"{each} built with {theme.callee}"
        elif theme.returns_callee:
            part = f"{each} returning the result of {theme.callee}"
        else:
            part = f"{each} calling {theme.callee}"
        if len(theme.literals) >= 2:
            part += f" with {and_list([quoted(lit) for lit in theme.literals])}"
            stated += 1
        parts.append(part)
        stated += 1
    if theme.decorator:
        each = "each" if len(theme.decorated) >= everyone else "most"
        part = f"{each} decorated with @{theme.decorator}"
        if theme.decorator_args:
            part += f" ({and_list([quoted(a) for a in theme.decorator_args])})"
            stated += 1
        parts.append(part)
        stated += 1
    if theme.raises:
        parts.append(f"raising {or_list(theme.raises[:3])}")
        stated += 1
    lead = _activity(info, members, file)
    names = and_list([_display(u) for u in members])
    doings = _own_doings(members, file)
    if lead:
        # The names only when they say more than the verbs did ("add, offer and put").
        bare = {short_name(u.name).lower() for u in members}
        head = lead if bare <= set(lead.lower().replace(",", " ").split()) else f"{lead}: {names}"
        stated += 1
    elif doings:
        head = doings
        stated += 1
    else:
        head = _subject(info, members)
    if not parts:
        return sentence(head), stated
    return sentence(f"{head}, {_join(parts)}"), stated


def _own_doings(members: list[Unit], file: FileWords | None) -> str:
    """What functions do, read from their own names, one verb with all its objects:
    SetDeadline, SetReadDeadline, SetWriteDeadline → "sets the deadline, the read deadline
    and the write deadline"; "" unless most of them are named for an action."""
    if not all(u.kind in ("function", "method") for u in members):
        return ""
    by_verb: dict[str, list[str]] = {}
    for unit in members:
        verb, objects = action_words(short_name(unit.name), file)
        if verb and verb not in vocabulary.objectless_verbs() and _object(objects, file):
            thing = " ".join(_acronym(w, file) for w in objects)
            by_verb.setdefault(verb, [])
            if thing not in by_verb[verb]:
                by_verb[verb].append(thing)
    said = sum(len(things) for things in by_verb.values())
    if said < 2 or said * 3 < len(members) * 2 or len(by_verb) > 3:
        return ""
    phrases = [
        f"{vocabulary.third_person(verb)} {and_list([f'the {t}' for t in things], limit=4)}"
        for verb, things in by_verb.items()
    ]
    return _join(phrases)


def _object(words: list[str], file: FileWords | None) -> bool:
    """Words that can stand as what a verb acts on: no clause word ("warn_if_old"), and a
    thing last, not a participle or an adjective ("load_trusted", "diff_external")."""
    if not words or any(w in vocabulary.clause_words() for w in words):
        return False
    last = words[-1]
    if file is not None and last in file.acronyms:
        return True
    if last.endswith(("ed", "ly", "al", "ive", "ous", "ing")) or vocabulary.is_verb(last):
        return False
    return noun_like(last) and last in vocabulary.common()


def own_doing(unit: Unit, file: FileWords | None) -> str:
    """What one function does by its own name ("clears the ruler"), or ""."""
    if unit.kind not in ("function", "method"):
        return ""
    verb, objects = action_words(short_name(unit.name), file)
    if not verb or verb in vocabulary.objectless_verbs() or not _object(objects, file):
        return ""
    return f"{vocabulary.third_person(verb)} the {' '.join(_acronym(w, file) for w in objects)}"


def _activity(info: Facts, members: list[Unit], file: FileWords | None) -> str:
    """What several members do, from their names: "Methods of POP3 that list, retrieve
    and delete messages"; "" when their names hold no verbs."""
    if not all(u.kind in ("function", "method") for u in members):
        return ""  # a constant's or a type's name is a noun ("DATABASE_NAME" names no act)
    verbs: list[str] = []
    objects: list[str] = []
    for unit in members:
        words = name_words(unit.name)
        if file is not None:
            words = [w for w in words if file.accepts(w)]
        verb = next((w for w in words if vocabulary.is_verb(w)), "")
        if verb and verb not in verbs and verb not in vocabulary.weak_verbs():
            verbs.append(verb)
        rest = [w for w in words if w != verb and not vocabulary.is_verb(w)]
        if rest:
            objects.append(vocabulary.singular(rest[-1]))
    if len(verbs) < 2:
        return ""
    common = [w for w, n in Counter(objects).most_common(2) if n >= 2 and _object([w], file)]
    kinds = Counter(u.kind for u in members).most_common(1)[0][0]
    noun = kind_noun(kinds, len(members))
    owner = f" of {short_name(info.owner)}" if info.owner and kinds == "method" else ""
    things = f" {and_list([vocabulary.plural(w) for w in common])}" if common else ""
    return f"{noun.capitalize()}{owner} that {and_list(verbs[:3], limit=3)}{things}"


def _subject(info: Facts, members: list[Unit]) -> str:
    """The members by kind, in reading order: "the methods user, pass_ … quit"."""
    groups: list[tuple[str, list[str]]] = []
    for unit in members:
        kind = "function" if unit.kind == "method" and not unit.parent else unit.kind
        name = _display(unit)
        if groups and groups[-1][0] == kind:
            groups[-1][1].append(name)
        else:
            groups.append((kind, [name]))
    merged: dict[str, list[str]] = {}
    for kind, names in groups:
        merged.setdefault(kind, []).extend(names)
    owner = short_name(info.owner) if info.owner else ""
    phrases = []
    for kind, names in merged.items():
        noun = kind_noun(kind, len(names))
        head = f"{owner}'s {noun}" if owner and kind == "method" else f"the {noun}"
        phrases.append(f"{head} {and_list(names)}")
    return and_list(phrases, limit=3)


def _join(parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


@lru_cache(maxsize=4096)
def clean_doc(doc: str) -> str:
    """A docstring's first sentence without markup, ending in a full stop."""
    text = intent.unmarked(plain_doc(doc)).lstrip(":;,.-| ")
    if not text or not re.search(r"[A-Za-z]{3}", text):
        return ""
    if _NOT_PROSE.search(text) or intent.is_boilerplate(text) or _code_like(text):
        return ""
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text.rstrip(",;:") + "."


def _code_like(text: str) -> bool:
    """Commented-out code rather than prose: braces, semicolons, sigils, operators."""
    marks = sum(text.count(c) for c in "{};$") + len(re.findall(r"->|==|:=|\(\)|\w\(", text))
    return marks >= 3 or (marks >= 2 and len(text.split()) < 8)


_NOT_PROSE = re.compile(
    r"^-{2,}|-{3,}\.?$|^[/!]|^#!|copyright|licen[sc]e|spdx|-\*-|\bvim:|eslint|^go:|noqa|@ts-|pylint|"
    r"\bwarranty\b|[+|]\s*[+|]\s*[+|]|^\W*[\w.]+\s*=\s*\S+\W*$|^_|-{4,}|^\w+\([^)]*\)\s*->|^(?:XXX|TODO|FIXME|HACK)\b",
    re.I,
)
