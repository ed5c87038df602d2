"""Recognisable roles of a block: route handlers, CLI entry point, tests, data models…

Each role has a regex and literal hints; the regex runs only near a hint, which keeps
role detection cheap on large blocks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

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


# Roles read from code only: names in strings and comments do not count.
_CODE_ROLES = frozenset(
    {"route handlers", "CLI entry point", "component rendering", "persistence", "validation"}
)
ENTRY_ROLES = {"route handlers", "CLI entry point", "component rendering", "tests"}


_ERROR_BASE = re.compile(r"\b(?:class|struct)\s+\w+.*\b(?:Exception|Error)\b")


_MODEL_HINT = re.compile(
    r"@dataclass|BaseModel|NamedTuple|TypedDict|\bModel\)|\bSchema\b|"
    r"\binterface\b|\btype\s+\w+\s*=|\bstruct\b|\benum\b|\brecord\b"
)


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
    code = ""
    for role, pattern in _ROLE_PATTERNS:
        if role in ("persistence", "validation") or role in exclude:
            continue
        on_code = role in _CODE_ROLES
        if on_code and not code and _HINT_PATTERNS[role].search(text):
            code = code_only(text)  # a regex table's "route" or "argparse" is neither
        if _role_matches(role, pattern, code if on_code else text, 1):
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
        and not is_split_header(u, core)
    ]
    if len(types) >= 2 and _lines(types) >= 0.6 * _lines(core):
        return "data models"
    for role, pattern in _ROLE_PATTERNS:
        if role not in ("persistence", "validation") or not _HINT_PATTERNS[role].search(text):
            continue
        # Words in strings and comments are not what the code does (a verb table's "commit").
        code = code or code_only(text)
        if _role_matches(role, pattern, code, 2) >= 2:
            # Catching ``ValidationError`` is not validating: some definition must say so.
            if role == "validation" and not any(_VALIDATING.search(u.name) for u in core):
                continue
            return role
    return ""


# Strings and comments in one pass: whichever starts first wins, so a quote inside a comment
# or a ``#`` inside a string is read as what holds it. The lookahead skips most positions fast.
_NOISE = re.compile(
    r"(?=[\"'`#/-])(?:"
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|`(?:\\.|[^`\\])*`'
    r"|(?:^|(?<=\s))(?:#|//|--)[^\n]*)",
    re.M,
)
_SQL = re.compile(
    r"\b(?:INSERT\s+INTO|SELECT\s.+?\sFROM|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE)\b",
    re.S,
)


def code_only(text: str) -> str:
    """``text`` without comments and string contents, but for SQL, URL paths and ``__main__``."""

    def blank(match: re.Match[str]) -> str:
        literal = match.group(0)
        if literal[:1] not in "\"'`":
            return " "  # a comment
        keep = _SQL.search(literal) or literal[1:2] == "/" or literal[1:-1] == "__main__"
        return literal if keep else '""'

    return _NOISE.sub(blank, text)


_VALIDATING = re.compile(r"(?i)valid|sanitiz|verif|check")


def _lines(units: Sequence[Unit]) -> int:
    return sum(u.end - u.start + 1 for u in units)


def is_split_header(unit: Unit, units: Sequence[Unit]) -> bool:
    """A class whose members are units of their own (the class was split)."""
    return (
        unit.kind in ("class", "type")
        and not is_namespace(unit)
        and any(u.parent == unit.name for u in units)
    )


_NAMESPACE = re.compile(r"\s*(?:bare)?module\s")


def is_namespace(unit: Unit) -> bool:
    """A module header (Julia's ``module Stats``): it groups functions, it is not a class."""
    return unit.kind == "class" and _NAMESPACE.match(unit.signature) is not None


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


def has_main(text: str) -> bool:
    """True when ``text`` holds the program's main (``__main__`` guard, ``func main``...)."""
    return _MAIN_SIGNAL.search(text) is not None
