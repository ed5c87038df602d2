"""Names for blocks and files from the code's own vocabulary, and the order to read them in.

A block's role (route handlers, CLI entry point, tests, data models…) is recognised
from its text and units; its topic is the block's most distinctive identifier words.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from ..syntax.references import STOPWORDS, split_words
from ..syntax.units import Unit

_ROLE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "tests",
        re.compile(
            r"^\s*(?:def|func|fn|void|async\s+def|public\s+void)\s+[Tt]est|^\s*describe\(|"
            r"^\s*it\(['\"]|^\s*test\(['\"]|@Test\b|#\[test\]|\bunittest\b|\bassertEqual|"
            r"\bexpect\(.+\)\.to",
            re.M,
        ),
    ),
    (
        "route handlers",
        re.compile(
            r"^\s*@\w+\.(?:route|get|post|put|delete|patch)\(\s*['\"]|\b(?:app|router|bp|blueprint|api|server)"
            r"\.(?:get|post|put|delete|patch|route|all)\(\s*['\"`/]|HandleFunc\(|http\.Handle\(|"
            r"http\.ResponseWriter|@(?:Get|Post|Put|Delete|Patch|Request)Mapping|Route::|"
            r"\bmux\.Handle|\br\.(?:GET|POST|PUT|DELETE)\(|^\s*@app\.\w+\(|"
            r"\[Http(?:Get|Post|Put|Delete|Patch)\b|^\s*(?:get|post|put|delete)\s+['\"]/",
            re.M,
        ),
    ),
    (
        "CLI entry point",
        re.compile(
            r"__name__\s*==\s*['\"]__main__|^func main\(\)|^\s*def main\(|^fn main\(\)|"
            r"static\s+void\s+main\s*\(|\bargparse\.|@click\.|\bclick\.(?:command|group)|"
            r"process\.argv|\bflag\.Parse\(\)|\bos\.Args\b|\bsys\.argv\b|\byargs\b|\bcommander\b|"
            r"^int main\s*\(|^fun main\(|^\s*public static void Main\(",
            re.M,
        ),
    ),
    (
        "component rendering",
        re.compile(
            r"return\s*\(?\s*<[A-Za-z>]|=>\s*\(?\s*<[A-Za-z]|\bReact\.createElement\b|\brender\s*\(|"
            r"\bWidget build\(|\bvar body: some View"
        ),
    ),
    (
        "persistence",
        re.compile(
            r"\b(?:cursor|execute|commit|rollback|INSERT\s+INTO|SELECT\s+.+\s+FROM|sqlite3|"
            r"session\.(?:add|query|commit)|Repository|\.save\(|\.findOne|\.insert\w*\(|redis|"
            r"\bdb\.\w+\(|database)\b"
        ),
    ),
    (
        "validation",
        re.compile(
            r"\b(?:validat\w*|Validat\w*|sanitiz\w*|is_valid\w*|isValid\w*|verify\w*|ValidationError)\b"
        ),
    ),
)
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
}
_LANGUAGE_NAMES = {
    "python": "Python",
    "javascript": "JavaScript",
    "javascriptreact": "React",
    "typescript": "TypeScript",
    "typescriptreact": "React",
    "go": "Go",
    "java": "Java",
    "kotlin": "Kotlin",
    "c": "C",
    "cpp": "C++",
    "csharp": "C#",
    "rust": "Rust",
    "ruby": "Ruby",
    "php": "PHP",
    "swift": "Swift",
    "scala": "Scala",
    "lua": "Lua",
    "shellscript": "Shell",
    "dart": "Dart",
    "elixir": "Elixir",
    "haskell": "Haskell",
    "zig": "Zig",
    "r": "R",
    "ocaml": "OCaml",
    "perl": "Perl",
    "julia": "Julia",
}
_FRAMEWORKS = (
    ("flask", "Flask"),
    ("fastapi", "FastAPI"),
    ("django", "Django"),
    ("express", "Express"),
    ("koa", "Koa"),
    ("fastify", "Fastify"),
    ("gin", "Gin"),
    ("net/http", "HTTP"),
    ("spring", "Spring"),
    ("sinatra", "Sinatra"),
    ("rails", "Rails"),
    ("actix", "Actix"),
    ("axum", "Axum"),
    ("laravel", "Laravel"),
)
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
_FILE_NOISE = {
    "index",
    "main",
    "app",
    "mod",
    "lib",
    "express",
    "flask",
    "routes",
    "route",
    "router",
    "handlers",
    "handler",
    "views",
    "spec",
    "test",
    "tests",
    "min",
    "bundle",
    "broken",
    "syntax",
    "sample",
    "crlf",
    "unicode",
    "example",
}
_IMPORT_LINE = re.compile(
    r"^\s*(?:import|from|require|use|using|#include|package|const .*require\(|var .*require\()"
)
_ENTRY_ROLES = {"route handlers", "CLI entry point", "component rendering", "tests"}
_ERROR_BASE = re.compile(r"\b(?:class|struct)\s+\w+.*\b(?:Exception|Error)\b")
_MODEL_HINT = re.compile(
    r"@dataclass|BaseModel|NamedTuple|TypedDict|\bModel\)|\bSchema\b|"
    r"\binterface\b|\btype\s+\w+\s*=|\bstruct\b|\benum\b|\brecord\b"
)


@dataclass(frozen=True)
class BlockInfo:
    """What naming knows about one block."""

    units: tuple[Unit, ...]
    text: str
    role: str
    words: Counter[str]


def describe_block(units: Sequence[Unit], text: str) -> BlockInfo:
    """Role and weighted vocabulary of a block."""
    return BlockInfo(tuple(units), text, detect_role(units, text), block_words(units))


# Literal hints that must appear before a role's (slower) regex is tried.
_ROLE_HINTS: dict[str, tuple[str, ...]] = {
    "tests": ("test", "Test", "describe(", "it(", "expect(", "assertEqual"),
    "route handlers": (
        "route", "Route", ".get(", ".post(", ".put(", ".delete(", ".patch(", ".all(",
        "HandleFunc", "http.Handle", "ResponseWriter", "Mapping", "[Http", ".GET(", ".POST(",
        ".PUT(", ".DELETE(", "@app.", "get '", 'get "', "post '", 'post "', "put '", "delete '",
    ),
    "CLI entry point": (
        "__main__", "main(", "argparse", "click", "argv", "flag.Parse", "os.Args", "yargs",
        "commander", "Main(",
    ),
    "component rendering": (
        "return <", "return (", "=> <", "=> (", "createElement", "render(", "Widget build",
        "some View",
    ),
    "persistence": (
        "cursor", "execute", "commit", "rollback", "INSERT", "SELECT", "sqlite", "session.",
        "Repository", ".save(", ".findOne", ".insert", "redis", "db.", "database",
    ),
    "validation": ("alidat", "anitiz", "valid", "Valid", "verify"),
}  # fmt: skip


_HINT_PATTERNS = {
    role: re.compile("|".join(re.escape(hint) for hint in hints))
    for role, hints in _ROLE_HINTS.items()
}


def _hinted(role: str, text: str) -> bool:
    return any(hint in text for hint in _ROLE_HINTS.get(role, ("",)))


def _role_matches(role: str, pattern: re.Pattern[str], text: str, limit: int) -> int:
    """Matches of a role's pattern, tried only on the lines (and the next) holding a hint."""
    found = 0
    checked = -1
    for hint in _HINT_PATTERNS[role].finditer(text):
        start = text.rfind("\n", 0, hint.start()) + 1
        if start <= checked:
            continue
        end = text.find("\n", hint.end())
        end = text.find("\n", end + 1) if end >= 0 else len(text)
        end = len(text) if end < 0 else end
        found += len(pattern.findall(text[max(0, start - 1) : end]))
        checked = end
        if found >= limit:
            break
    return found


def detect_role(units: Sequence[Unit], text: str, exclude: frozenset[str] = frozenset()) -> str:
    """The recognisable role of a block, or "" when none stands out."""
    core = [u for u in units if u.kind not in ("import", "comment")] or list(units)
    for role, pattern in _ROLE_PATTERNS:
        if role in ("persistence", "validation") or role in exclude:
            continue
        if _role_matches(role, pattern, text, 1):
            if role == "component rendering" and not any(u.name[:1].isupper() for u in core):
                continue
            if role == "tests" and not _mostly_tests(core, text):
                continue
            return role
    if core and all(u.kind in ("class", "type") for u in core) and _ERROR_BASE.search(text):
        return "error types"
    defining = [u for u in core if u.kind in ("type", "class", "constant")]
    if core and len(defining) == len(core):
        if all(u.kind == "constant" for u in core):
            return "configuration constants" if _mostly_upper(core) else ""
        if any(u.kind == "type" for u in core) or _MODEL_HINT.search(text):
            return "data models"
    # Plain data: type declarations and small classes (records, enums, structs, dataclasses).
    types = [
        u
        for u in core
        if (u.kind == "type" or (u.kind == "class" and u.end - u.start < 15))
        and not _is_split_header(u, core)
    ]
    if len(types) >= 2 and _lines(types) >= 0.6 * _lines(core):
        return "data models"
    for role, pattern in _ROLE_PATTERNS:
        if role in ("persistence", "validation") and _role_matches(role, pattern, text, 2) >= 2:
            return role
    return ""


def _lines(units: Sequence[Unit]) -> int:
    return sum(u.end - u.start + 1 for u in units)


def _is_split_header(unit: Unit, units: Sequence[Unit]) -> bool:
    """A class whose members are units of their own (the class was split)."""
    return unit.kind in ("class", "type") and any(u.parent == unit.name for u in units)


def _split_header(info: BlockInfo) -> Unit | None:
    core = _core(info)
    return next((u for u in core if _is_split_header(u, core)), None)


def _mostly_tests(units: Sequence[Unit], text: str) -> bool:
    names = [u.name for u in units if u.name]
    testy = sum(1 for n in names if n.lower().startswith("test"))
    return testy * 2 >= len(names) or bool(re.search(r"^\s*(?:describe|it)\(", text, re.M))


def _mostly_upper(units: Sequence[Unit]) -> bool:
    names = [u.name for u in units if u.name]
    return bool(names) and sum(1 for n in names if n.isupper()) * 2 >= len(names)


_MAIN_SIGNAL = re.compile(
    r"__name__\s*==\s*['\"]__main__|^func main\(\)|^fn main\(\)|static\s+void\s+main|"
    r"^int main\s*\(|^\s*def main\(",
    re.M,
)


def settle_roles(infos: list[BlockInfo]) -> list[BlockInfo]:
    """Keep the CLI entry point role on one block: the one holding the program's main."""
    cli = [k for k, info in enumerate(infos) if info.role == "CLI entry point"]
    if len(cli) <= 1:
        return infos
    keep = max(cli, key=lambda k: (bool(_MAIN_SIGNAL.search(infos[k].text)), -k))
    settled = list(infos)
    for k in cli:
        if k != keep:
            info = infos[k]
            role = detect_role(info.units, info.text, frozenset({"CLI entry point"}))
            settled[k] = BlockInfo(
                info.units,
                info.text,
                role or "argument handling"
                if "argparse" in info.text or "flag." in info.text
                else role,
                info.words,
            )
    return settled


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


def display_word(word: str) -> str:
    return word.upper() if word in _ACRONYMS else word


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
    main = _dominant(info) or _split_header(info) or _main_unit(info)
    main_words = [w for w in split_words(main.name) if len(w) > 1]
    if noun == "methods" and main.parent:
        main_words = [w for w in split_words(main.parent) if w not in STOPWORDS]
    defined = _defined_words(info)
    candidates = [w for w in ranked if not _echoes(w, noun_words)]
    candidates = [w for w in candidates if w in defined] + [
        w for w in candidates if w not in defined
    ]
    options: list[list[str]] = []
    if info.role == "route handlers":
        paths = _route_words(info)
        if len(paths) >= 2:
            return _phrase([paths[0], "and", paths[1]], "routes")
        if paths:
            options.append(paths[:1])
    main_first = ("class", "type", "methods", "data models", "error types", "component rendering")
    if noun in main_first and main_words:
        options.append(main_words[:3])
    if candidates:
        options.append(candidates[: min(2, topic_budget)])
        options.extend([[w] for w in candidates[:6]])
        options.extend([candidates[i : i + 2] for i in range(1, min(6, len(candidates)))])
    if main_words:
        options.append(main_words[:topic_budget])
    options.append([])
    for topic in options:
        label = _phrase(_natural_order(topic[:topic_budget], info), noun)
        if label.lower() not in used and len(label.split()) >= 2:
            return label
    start = info.units[0].start
    return f"{noun.capitalize()} near line {start}"


def _echoes(word: str, noun_words: set[str]) -> bool:
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
    if main.doc and len(main.doc) <= 160:
        doc = main.doc.rstrip(".")
        return f"{doc[:1].upper()}{doc[1:]} ({listed})." if listed else f"{doc}."
    if lead and listed:
        return f"{lead}: {listed}."
    if listed:
        return f"{label}: {listed}."
    return f"{label}, lines {info.units[0].start}-{info.units[-1].end}."


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
    if info.role in _ENTRY_ROLES:
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


def file_intent(
    units: Sequence[Unit],
    infos: Sequence[BlockInfo],
    module_doc: str,
    language: str,
    filename: str,
    source_head: str,
    labels: Sequence[str] = (),
) -> str:
    """The file's role and domain in at most 20 words (the module docstring when present)."""
    if module_doc:
        return module_doc
    counts: Counter[str] = Counter()
    for info in infos:
        counts.update(info.words)
    stem_words = [
        w
        for w in split_words(PurePath(filename).stem)
        if w not in STOPWORDS and w not in _FILE_NOISE and len(w) > 1
    ]
    domain_words: list[str] = []
    # Ties broken by the word itself: set order differs between processes.
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:8]
    for word in stem_words + [w for w, _ in top]:
        singular = word[:-1] if word.endswith("s") else word
        if singular not in domain_words and word not in domain_words and word not in _FILE_NOISE:
            domain_words.append(singular if singular in counts else word)
    domain_words = domain_words[:3]
    domain = " ".join(display_word(w) for w in domain_words) or "its definitions"
    roles = {info.role for info in infos}
    lang_name = _LANGUAGE_NAMES.get(language, language.capitalize())
    lower_head = source_head.lower()
    if "tests" in roles and all(i.role in ("tests", "") for i in infos):
        return f"{lang_name} tests for {domain}"
    if "route handlers" in roles:
        imports = "\n".join(line for line in lower_head.split("\n") if _IMPORT_LINE.match(line))
        framework = next((n for key, n in _FRAMEWORKS if key in imports), lang_name)
        return f"{framework} routes for {domain}"
    if "component rendering" in roles:
        component = next(
            (
                u.name
                for u in units
                if u.name[:1].isupper()
                and u.kind in ("function", "class", "constant")
                and u.exported
            ),
            "",
        )
        others = [
            label.lower()
            for label, info in zip(labels, infos, strict=False)
            if info.role != "component rendering"
        ][:2]
        if component and others:
            return f"React component {component} with {' and '.join(others)}"
        return f"React component {component} for {domain}".replace("  ", " ")
    if "CLI entry point" in roles:
        return f"{lang_name} command-line program for {domain}"
    if roles <= {"data models", "error types", "configuration constants"} and roles:
        return f"{lang_name} type definitions for {domain}"
    kind = "module"
    if language in ("go",):
        kind = "package code"
    elif language in ("shellscript",):
        kind = "script"
    elif language in ("java", "csharp", "kotlin", "scala", "swift", "dart", "php"):
        kind = "class" if sum(1 for u in units if u.kind == "class" and not u.parent) == 1 else kind
    stem_domain = " ".join(display_word(w) for w in stem_words[:2])
    base = f"{lang_name} {kind} for {stem_domain or domain}"
    return _with_labels(base, labels)


def _with_labels(base: str, labels: Sequence[str]) -> str:
    """``base: label, label and label``, with as many labels as fit in 20 words."""
    parts = [_lower_first(label) for label in labels[:3]]
    while parts:
        text = (
            f"{base}: {', '.join(parts[:-1])} and {parts[-1]}"
            if len(parts) > 1
            else (f"{base}: {parts[0]}")
        )
        if len(text.split()) <= 20:
            return text
        parts.pop()
    return base


def _lower_first(label: str) -> str:
    first = label.split(" ", 1)[0]
    return label if first.isupper() and len(first) > 1 else label[:1].lower() + label[1:]
