"""Names for blocks from the code's own vocabulary, and the order to read them in.

A block's label is its role (see ``roles``) or a noun for what it holds, after its most
distinctive identifier words; its description is one sentence.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from ..syntax.references import STOPWORDS, split_words
from ..syntax.units import Unit
from . import activity, roles

_VERB_NOUNS = {
    "load": "loading",
    "parse": "parsing",
    "render": "rendering",
    "format": "formatting",
    "validate": "validation",
    "save": "saving",
    "build": "building",
    "create": "creation",
    "handle": "handling",
    "send": "sending",
    "fetch": "fetching",
    "read": "reading",
    "write": "writing",
    "convert": "conversion",
    "compute": "computation",
    "calc": "calculation",
    "setup": "setup",
    "register": "registration",
    "update": "updates",
    "delete": "deletion",
    "remove": "removal",
    "find": "lookup",
    "search": "search",
    "lookup": "lookup",
    "encode": "encoding",
    "decode": "decoding",
    "serialize": "serialization",
    "deserialize": "deserialization",
    "execute": "execution",
    "match": "matching",
    "sort": "sorting",
    "merge": "merging",
    "split": "splitting",
    "emit": "events",
    "log": "logging",
    "cache": "caching",
    "scan": "scanning",
    "resolve": "resolution",
    "normalize": "normalisation",
    "check": "checks",
    "compare": "comparison",
    "connect": "connection",
    "request": "requests",
    "print": "output",
    "dump": "dumping",
    "make": "construction",
    "init": "initialisation",
    "close": "cleanup",
    "open": "opening",
    "copy": "copying",
    "filter": "filtering",
    "transform": "transformation",
    "wrap": "wrappers",
    "quote": "quoting",
    "escape": "escaping",
    "translate": "translation",
    "install": "installation",
    "apply": "application",
    "generate": "generation",
    "extract": "extraction",
    "add": "additions",
    "insert": "insertion",
    "query": "queries",
    "listen": "listeners",
    "subscribe": "subscriptions",
    "schedule": "scheduling",
    "retry": "retries",
    "auth": "authentication",
    "authenticate": "authentication",
    "authorize": "authorisation",
    "login": "login",
    "hash": "hashing",
    "sign": "signing",
    "verify": "verification",
    "test": "tests",
}
_KIND_NOUNS = {
    "type": "types",
    "class": "classes",
    "constant": "constants",
    "function": "logic",
    "statement": "setup",
}
_ACRONYMS = {
    "api",
    "cli",
    "http",
    "https",
    "json",
    "xml",
    "html",
    "css",
    "sql",
    "url",
    "uri",
    "id",
    "io",
    "ui",
    "db",
    "tcp",
    "udp",
    "ip",
    "jwt",
    "csv",
    "yaml",
    "toml",
    "utf",
    "ascii",
    "os",
    "ssl",
    "tls",
    "dns",
    "rpc",
    "grpc",
    "ast",
    "jsx",
    "tsx",
    "npm",
    "pr",
    "ci",
    "wsgi",
    "asgi",
    "lru",
    "ttl",
    "sha",
    "md5",
    "uuid",
    "sdk",
    "cpu",
    "gpu",
    "tty",
    "ssh",
    "ftp",
    "smtp",
    "svg",
    "pdf",
    "png",
    "orm",
    "lsp",
    "llm",
    "mime",
    "gzip",
    "aws",
    "dom",
    "crud",
    "xss",
    "csrf",
    "cors",
    "iso",
}
_ROLE_DESCRIPTIONS = {
    "tests": "Test cases",
    "route handlers": "HTTP route handlers",
    "CLI entry point": "Command-line entry point",
    "component rendering": "Component state and rendering",
    "persistence": "Storage and queries",
    "validation": "Input validation",
    "data models": "Data structures",
    "error types": "Error classes",
    "configuration constants": "Configuration values",
}


@dataclass(frozen=True)
class BlockInfo:
    """What naming knows about one block."""

    units: tuple[Unit, ...]
    text: str
    role: str
    words: Counter[str]


def describe_block(units: Sequence[Unit], text: str) -> BlockInfo:
    """Role and weighted vocabulary of a block."""
    return BlockInfo(tuple(units), text, roles.detect_role(units, text), block_words(units))


def _split_header(info: BlockInfo) -> Unit | None:
    core = _core(info)
    return next((u for u in core if roles.is_split_header(u, core)), None)


def settle_roles(infos: list[BlockInfo]) -> list[BlockInfo]:
    """Keep the CLI entry point role on one block; drop a role too common to tell blocks apart."""
    infos = _without_shared_role(infos, "persistence")
    cli = [k for k, info in enumerate(infos) if info.role == "CLI entry point"]
    if len(cli) <= 1:
        return infos
    keep = max(cli, key=lambda k: (roles.has_main(infos[k].text), -k))
    settled = list(infos)
    for k in cli:
        if k != keep:
            info = infos[k]
            role = roles.detect_role(info.units, info.text, frozenset({"CLI entry point"}))
            settled[k] = BlockInfo(
                info.units,
                info.text,
                role or "argument handling"
                if "argparse" in info.text or "flag." in info.text
                else role,
                info.words,
            )
    return settled


def _without_shared_role(infos: list[BlockInfo], role: str) -> list[BlockInfo]:
    """In a storage module every block touches the database: name them by what they do."""
    holders = sum(1 for info in infos if info.role == role)
    if holders < 2 or holders * 2 < len(infos):
        return infos
    return [
        BlockInfo(info.units, info.text, "", info.words) if info.role == role else info
        for info in infos
    ]


def block_words(units: Sequence[Unit]) -> Counter[str]:
    """Identifier words weighted by where they appear: defined names count most."""
    counts: Counter[str] = Counter()
    for unit in units:
        weight = 1 if unit.kind == "import" else 4
        for name in unit.defines:
            for word in split_words(name):
                if len(word) > 2 and word not in STOPWORDS:
                    counts[word] += weight
        for name in unit.uses:
            for word in split_words(name):
                if len(word) > 2 and word not in STOPWORDS:
                    counts[word] += 1
        for word in re.findall(r"[a-z]{4,}", unit.doc.lower()):
            if word not in STOPWORDS:
                counts[word] += 1
    return counts


_CASED = {
    "sqlite": "SQLite",
    "graphql": "GraphQL",
    "oauth": "OAuth",
    "javascript": "JavaScript",
    "typescript": "TypeScript",
    "github": "GitHub",
    "redis": "Redis",
}


def display_word(word: str) -> str:
    """A label word as shown: acronyms upper-case (``JSON``), names cased (``SQLite``)."""
    return word.upper() if word in _ACRONYMS else _CASED.get(word, word)


def label_blocks(infos: Sequence[BlockInfo]) -> list[str]:
    """A distinct 2–5 word noun phrase per block."""
    spread: Counter[str] = Counter()
    for info in infos:
        spread.update(set(info.words))
    labels: list[str] = []
    used: set[str] = set()
    for info in infos:
        ranked = _ranked_words(info, spread, len(infos))
        label = _compose(info, ranked, used)
        used.add(label.lower())
        labels.append(label)
    return labels


def _ranked_words(info: BlockInfo, spread: Counter[str], blocks: int) -> list[str]:
    main_words = set(split_words(_main_unit(info).name))

    def score(word: str) -> float:
        boost = 2.0 if word in main_words else 1.0
        return boost * info.words[word] / (1 + (spread[word] - 1) * 2 / max(1, blocks))

    return sorted(info.words, key=lambda w: (-score(w), w))


def _natural_order(topic: list[str], info: BlockInfo) -> list[str]:
    """Order topic words as an identifier of the block spells them (``loan_days``)."""
    if len(topic) < 2:
        return topic
    for unit in info.units:
        for name in (unit.name, *sorted(unit.defines)):
            words = split_words(name)
            if all(w in words for w in topic):
                return sorted(topic, key=words.index)
    return topic


_PATH_WORD = re.compile(r"""["'`]/([a-z][a-z_-]+)""")


def _route_words(info: BlockInfo) -> list[str]:
    found: list[str] = []
    for word in _PATH_WORD.findall(info.text):
        word = word.replace("-", " ").replace("_", " ").split(" ")[0]
        singular = word[:-1] if word.endswith("s") and len(word) > 3 else word
        if singular not in found and singular not in STOPWORDS:
            found.append(singular)
    return found


def _main_unit(info: BlockInfo) -> Unit:
    core = [u for u in info.units if u.kind not in ("import", "comment")] or list(info.units)
    return max(core, key=lambda u: (u.end - u.start, -u.start))


def _core(info: BlockInfo) -> list[Unit]:
    return [u for u in info.units if u.kind not in ("import", "comment")] or list(info.units)


def _dominant(info: BlockInfo) -> Unit | None:
    """The unit holding most of the block's lines, when one does (>= 60%)."""
    core = _core(info)
    total = sum(u.end - u.start + 1 for u in core)
    main = _main_unit(info)
    return main if (main.end - main.start + 1) >= 0.6 * total and main.name else None


def _role_noun(info: BlockInfo) -> str:
    if info.role == "data models" and len(_core(info)) == 1:
        return "type"
    if info.role:
        return info.role
    core = _core(info)
    dominant = _dominant(info)
    if dominant is not None and dominant.kind in ("class", "type"):
        return "class" if dominant.kind == "class" else "type"
    header = _split_header(info)
    if header is not None:
        # A Go or Rust type with its methods beside it reads as methods; a split class as a class.
        return "class" if header.kind == "class" else "methods"
    verbs: Counter[str] = Counter()
    for unit in core:
        words = split_words(unit.name)
        if words and unit.kind in ("function", "method") and words[0] in _VERB_NOUNS:
            verbs[words[0]] += unit.end - unit.start + 1
    total = sum(u.end - u.start + 1 for u in core)
    if verbs:
        verb, lines = min(verbs.items(), key=lambda item: (-item[1], item[0]))
        if lines * 2 >= total:
            return _VERB_NOUNS[verb]
    kinds: Counter[str] = Counter()
    for unit in core:
        kinds[unit.kind] += unit.end - unit.start + 1
    kind = kinds.most_common(1)[0][0] if kinds else "function"
    if kind == "method":
        parents = Counter(u.parent for u in core if u.parent)
        return "methods" if parents else "logic"
    return _KIND_NOUNS.get(kind, "logic")


def _defined_words(info: BlockInfo) -> set[str]:
    words: set[str] = set()
    for unit in _core(info):
        for name in unit.defines or {unit.name}:
            words.update(split_words(name))
        if unit.parent:
            words.update(split_words(unit.parent))
    return words


def _compose(info: BlockInfo, ranked: list[str], used: set[str]) -> str:
    noun = _role_noun(info)
    noun_words = set(noun.lower().split())
    topic_budget = max(1, min(3, 5 - len(noun.split())))
    header = _split_header(info)
    if noun in ("class", "methods") and header is not None:
        main = header
    else:
        main = _dominant(info) or header or _main_unit(info)
    main_words = [w for w in split_words(main.name) if len(w) > 1]
    if noun == "methods" and main.parent:
        main_words = [w for w in split_words(main.parent) if w not in STOPWORDS]
    defined = _defined_words(info)
    candidates = [w for w in ranked if not _echoes(w, noun_words)]
    candidates = [w for w in candidates if w in defined] + [
        w for w in candidates if w not in defined
    ]
    functions = sum(1 for u in info.units if u.kind in ("function", "method"))
    verbal = noun in ("methods", "logic") or noun in _VERB_NOUNS.values()
    # One function keeps the usual naming, which reads its constants too ("Bio length validation").
    if not info.role and verbal and (functions >= 2 or noun == "methods"):
        label = _activity_label(info, used)
        if label:
            return label
    if noun == "class" and header is not None and functions >= 2 and _methods_dominate(info):
        # A class header beside most of its methods: what they do, said of the class.
        label = _activity_label(info, used, main_words)
        if label:
            return label
    options: list[list[str]] = []
    main_words_option: list[str] | None = None
    if info.role == "route handlers":
        paths = _route_words(info)
        if len(paths) >= 2:
            return _phrase([paths[0], "and", paths[1]], "routes")
        if paths:
            options.append(paths[:1])
    main_first = ("class", "type", "methods", "data models", "error types", "component rendering")
    if noun in main_first and main_words:
        # A class's whole name fits when the noun is one word ("Cache hit fast path class").
        main_words_option = main_words[: 5 - len(noun.split())]
        options.append(main_words_option)
    if candidates:
        options.append(candidates[: min(2, topic_budget)])
        options.extend([[w] for w in candidates[:6]])
        options.extend([candidates[i : i + 2] for i in range(1, min(6, len(candidates)))])
    if main_words:
        options.append(main_words[:topic_budget])
    options.append([])
    for topic in options:
        budget = 5 - len(noun.split()) if topic is main_words_option else topic_budget
        label = _phrase(_natural_order(topic[:budget], info), noun)
        if label.lower() not in used and len(label.split()) >= 2:
            return label
    start = info.units[0].start
    return f"{noun.capitalize()} near line {start}"


def _methods_dominate(info: BlockInfo) -> bool:
    """True when methods hold most of the block's lines (not fields or a nested type)."""
    core = _core(info)
    methods = sum(u.end - u.start + 1 for u in core if u.kind in ("function", "method"))
    return methods * 3 >= 2 * sum(u.end - u.start + 1 for u in core)


def _activity_label(info: BlockInfo, used: set[str], owner: Sequence[str] = ()) -> str:
    """What the block's functions do together ("Key creation and revocation"), or ""."""
    actions, objects = activity.activity(_core(info))
    if not actions:
        return ""
    if owner:
        objects = [list(owner)]  # the class's own name, or no label from here
    phrases = [activity.action_phrase(actions), activity.action_phrase(actions[:2]), actions[0]]
    if len(actions) > 1:
        phrases.append(actions[1])
    phrases = list(dict.fromkeys(phrases))
    topics = list(objects)
    lead = activity.lead_topic(_core(info), actions[0]) if len(actions) == 1 and not owner else []
    if lead:
        # One thing done: the doer's own words say it best ("Book payload validation").
        topics.insert(0, lead)
    # "WSGI request handling" is whole already; another word would only crowd it.
    whole = len(re.split(r"[\s-]+", actions[0])) >= 3  # "single-flight coordination" counts 3
    topics.insert(0 if whole else len(topics), [])
    # The best object first, with the fullest phrase it does not echo ("Counter counting").
    for topic in topics:
        for phrase in phrases:
            if not topic and len(phrase.split()) < 2:
                continue  # a lone "Resetting" says too little; let the usual naming try
            if any(_echoes(w, {p.strip(",") for p in phrase.split()}) for w in topic):
                continue
            label = _phrase(topic, phrase)
            if label.lower() not in used and 2 <= len(label.split()) <= 5:
                return label
    return ""


def _echoes(word: str, noun_words: set[str]) -> bool:
    if activity.ACTIONS.get(word) in noun_words or _VERB_NOUNS.get(word) in noun_words:
        return True  # "save" in "Save user saving"
    stem = word[:4]
    return any(n.startswith(stem) or word.startswith(n[:4]) for n in noun_words)


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def _phrase(topic: list[str], noun: str) -> str:
    seen = {_singular(w) for w in noun.lower().split()}
    kept: list[str] = []
    for word in topic:
        if _singular(word) not in seen or word == "and":
            seen.add(_singular(word))
            kept.append(word)
    words = [display_word(w) for w in kept]
    text = " ".join([*words, noun]).strip()
    if len(text.split()) < 2:
        text = f"{text} section" if noun != "logic" else f"{text} code"
    return text[:1].upper() + text[1:]


def describe(info: BlockInfo, label: str) -> str:
    """One sentence saying what the block holds."""
    core = [u for u in info.units if u.kind not in ("import", "comment")] or list(info.units)
    by_size = sorted(core, key=lambda u: (u.start - u.end, u.start))
    names = [u.name for u in by_size if u.name]
    main = _main_unit(info)
    lead = _ROLE_DESCRIPTIONS.get(info.role, "")
    listed = _join_names(names)
    # The largest unit's docstring, else its class's: another method's would mislead.
    parents = {u.parent for u in core if u.parent}
    headers = sorted(
        (u for u in by_size if u.kind in ("class", "type")), key=lambda u: u.name not in parents
    )
    doc = next((d for d in (_readable_doc(u.doc) for u in (main, *headers)) if d), "")
    if doc:
        doc = f"{doc[:1].upper()}{doc[1:]}"
        if not listed:
            return f"{doc}."
        # A docstring with its own parentheses would read "(...) (names)".
        return f"{doc}; defines {listed}." if ")" in doc else f"{doc} ({listed})."
    if lead and listed:
        return f"{lead}: {listed}."
    if listed:
        return f"{label}: {listed}."
    return f"{label}, lines {info.units[0].start}-{info.units[-1].end}."


_BANNER = re.compile(r"[-=*#~_]{3,}")


def _readable_doc(doc: str) -> str:
    """A docstring fit for a description: not a banner comment, not too long."""
    text = _BANNER.sub(" ", doc).strip(" .:")
    if len(text) > 160 or len(text.split()) < 3:
        return ""
    return text


def _join_names(names: list[str], limit: int = 4) -> str:
    seen: list[str] = []
    for name in names:
        short = name if len(name) <= 40 else name[:37] + "..."
        if short not in seen:
            seen.append(short)
    if not seen:
        return ""
    if len(seen) <= limit:
        return ", ".join(seen)
    return f"{', '.join(seen[:limit])} and {len(seen) - limit} more"


def reading_rank(info: BlockInfo, filename: str) -> int:
    """0 entry points, 1 public surface, 2 core logic, 3 helpers and infrastructure."""
    stem = PurePath(filename).stem.lower().replace("_", "").replace("-", "")
    core = [u for u in info.units if u.kind not in ("import", "comment")]
    if info.role in roles.ENTRY_ROLES:
        return 0
    if stem and any(u.name.lower().replace("_", "") == stem for u in core if u.name):
        return 0
    if info.role in ("configuration constants",) or all(
        u.kind in ("constant", "import", "comment") for u in core
    ):
        return 3
    names = [u for u in core if u.name]
    if names and all(u.name.startswith("_") or not u.exported for u in names):
        return 3 if all(u.name.startswith("_") for u in names) else 2
    exported = sum(1 for u in names if u.exported)
    return 1 if names and exported * 2 >= len(names) else 2
