"""Which languages IRIS reads, and how to tell a file's language.

Language ids follow editor conventions (VS Code's ``languageId``). Each language
names its tree-sitter grammar in tree-sitter-language-pack.
"""

from __future__ import annotations

import re

import msgspec

_PY_CLI = r"\bargparse\b|\bgetopt\b|\boptparse\b|@click\.|\btyper\b|\bdocopt\b|\bfire\.Fire\b"
_JS_CLI = r"process\.argv|\bcommander\b|\byargs\b|\bminimist\b|\bparseArgs\b"
_JS_ROUTES = r"\b(?:app|router|server|api)\.(?:get|post|put|patch|delete|all|route)\(\s*['\"`/]"
_JS_DESCRIPTION = r"\bdescription\s*[:=]\s*(['\"`])(?P<text>[^'\"`\n]{12,200})\1"
# A command-line parser's own description of the program.
_PY_DESCRIPTION = (
    r"\b(?:ArgumentParser|OptionParser)\((?:[^()]|\([^()]*\))*?\bdescription\s*=\s*"
    r"(['\"])(?P<text>[^'\"\n]{12,200})\1"
)
_REACT_EVIDENCE = r"return\s*\(?\s*<[A-Za-z>]|=>\s*\(?\s*<[A-Za-z>]"
_C_CLI = r"\bargv\s*\[\s*[1-9]|\bgetopt(?:_long)?\s*\(|\bargc\s*[<>!=]"


class Language(msgspec.Struct, frozen=True):
    """A supported language: one entry holds everything IRIS knows about it.

    ``grammar`` names the tree-sitter grammar in tree-sitter-language-pack. The rest tells
    the extractor and the structural engine how the language writes its documentation,
    its public surface and its roles, so no code elsewhere branches on a language's name.
    """

    id: str
    grammar: str
    extensions: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    interpreters: tuple[str, ...] = ()
    filenames: tuple[str, ...] = ()
    name: str = ""  # how people write it: "TypeScript", "C#"
    docstrings: bool = False  # a string opening a body documents it (Python)
    exports: str = "name"  # public surface: keyword | capital | pub | public | not_static | name
    hook: str = ""  # an extraction hook in syntax/extract.py: go | elixir | zig | r
    arrow_functions: bool = False  # ``const f = () => ...`` defines a function
    imports: str = ""  # import syntax for local names: python | js | "" (generic)
    cli: str = ""  # regex: an entry point that parses its command line
    routes: str = ""  # regex: HTTP route declarations
    description: str = ""  # regex with a ``text`` group: the file describes itself
    framework: str = ""  # UI component framework: React, SwiftUI, Flutter
    framework_evidence: str = ""  # regex: a component of that framework


def _js(
    language_id: str,
    grammar: str,
    extensions: tuple[str, ...],
    aliases: tuple[str, ...] = (),
    interpreters: tuple[str, ...] = (),
    *,
    name: str,
    react: bool = False,
) -> Language:
    """A language of the JavaScript family (one grammar's conventions, React optional)."""
    return Language(
        language_id,
        grammar,
        extensions,
        aliases,
        interpreters,
        name=name,
        exports="keyword",
        arrow_functions=True,
        imports="js",
        cli=_JS_CLI,
        routes=_JS_ROUTES,
        description=_JS_DESCRIPTION,
        framework="React" if react else "",
        framework_evidence=_REACT_EVIDENCE if react else "",
    )


LANGUAGES: tuple[Language, ...] = (
    Language(
        "python",
        "python",
        (".py", ".pyi", ".pyw"),
        ("py", "python3"),
        ("python", "python3"),
        name="Python",
        docstrings=True,
        imports="python",
        cli=_PY_CLI,
        routes=r"^\s*@\w+(?:\.\w+)*\.(?:route|get|post|put|patch|delete|websocket)\(",
        description=_PY_DESCRIPTION,
    ),
    _js(
        "javascript",
        "javascript",
        (".js", ".mjs", ".cjs"),
        ("js", "node"),
        ("node",),
        name="JavaScript",
    ),
    _js("javascriptreact", "javascript", (".jsx",), ("jsx",), name="JavaScript", react=True),
    _js(
        "typescript",
        "typescript",
        (".ts", ".mts", ".cts"),
        ("ts",),
        ("ts-node", "deno"),
        name="TypeScript",
    ),
    _js("typescriptreact", "tsx", (".tsx",), ("tsx",), name="TypeScript", react=True),
    Language(
        "go",
        "go",
        (".go",),
        ("golang",),
        name="Go",
        exports="capital",
        hook="go",
        cli=r"\bflag\.(?:Parse|String|Int|Bool|Duration|Var)\b|os\.Args\[1|\bcobra\b|\bpflag\b",
        routes=r"\bHandleFunc\(|\.Handle\(\s*\"/|\.(?:GET|POST|PUT|PATCH|DELETE)\(\s*\"/",
    ),
    Language(
        "java",
        "java",
        (".java",),
        name="Java",
        exports="public",
        cli=r"\bargs\s*\[\s*\d|\bargs\.length\b|\bCommandLine\b",
        routes=r"@(?:Get|Post|Put|Patch|Delete|Request)Mapping\b|@Path\(",
    ),
    Language(
        "kotlin",
        "kotlin",
        (".kt", ".kts"),
        ("kt",),
        name="Kotlin",
        cli=r"\bargs\s*\[\s*\d|\bargs\.size\b",
    ),
    Language("c", "c", (".c", ".h"), name="C", exports="not_static", cli=_C_CLI),
    Language(
        "cpp",
        "cpp",
        (".cpp", ".cc", ".cxx", ".c++", ".hpp", ".hh", ".hxx", ".h++", ".ipp"),
        ("c++", "cplusplus"),
        name="C++",
        exports="not_static",
        cli=_C_CLI,
    ),
    Language(
        "csharp",
        "csharp",
        (".cs", ".csx"),
        ("c#", "cs"),
        name="C#",
        exports="public",
        cli=r"\bargs\s*\[\s*\d|\bargs\.Length\b",
        routes=r"\[Http(?:Get|Post|Put|Patch|Delete)\b|\bMap(?:Get|Post|Put|Delete)\(",
    ),
    Language(
        "rust",
        "rust",
        (".rs",),
        ("rs",),
        name="Rust",
        exports="pub",
        cli=r"env::args\(\)|\bclap\b|\bstructopt\b|#\[derive\([^)]*Parser",
    ),
    Language(
        "ruby",
        "ruby",
        (".rb", ".rake", ".gemspec"),
        ("rb",),
        ("ruby",),
        ("Rakefile", "Gemfile"),
        name="Ruby",
        cli=r"\bARGV\b|\bOptionParser\b|\bThor\b",
        routes=r"^\s*(?:get|post|put|patch|delete)\s+['\"]/",
    ),
    Language(
        "php",
        "php",
        (".php", ".phtml"),
        (),
        ("php",),
        name="PHP",
        exports="public",
        cli=r"\$argv\b|\bgetopt\(",
        routes=r"Route::(?:get|post|put|patch|delete)\(",
    ),
    Language(
        "swift",
        "swift",
        (".swift",),
        name="Swift",
        cli=r"CommandLine\.arguments|ArgumentParser",
        framework="SwiftUI",
        framework_evidence=r":\s*(?:some\s+)?View\b[\s\S]*\bvar\s+body\b|\bvar\s+body\s*:\s*some\s+View\b",
    ),
    Language(
        "scala",
        "scala",
        (".scala", ".sc"),
        (),
        ("scala",),
        name="Scala",
        cli=r"\bargs\s*\(\s*\d|\bargs\.length\b",
    ),
    Language("lua", "lua", (".lua",), (), ("lua", "luajit"), name="Lua", cli=r"\barg\s*\[\s*[1-9]"),
    Language(
        "shellscript",
        "bash",
        (".sh", ".bash", ".zsh", ".ksh"),
        ("bash", "sh", "zsh", "shell", "ksh"),
        ("bash", "sh", "zsh", "ksh", "dash"),
        (".bashrc", ".bash_profile", ".zshrc", ".profile"),
        name="Shell",
        cli=r"\bgetopts?\b|\$[1-9]\b|\$@|\$#",
    ),
    Language(
        "dart",
        "dart",
        (".dart",),
        name="Dart",
        cli=r"\bArgParser\b|\bargs\s*\[\s*\d",
        framework="Flutter",
        framework_evidence=r"\bWidget\s+build\s*\(",
    ),
    Language(
        "elixir",
        "elixir",
        (".ex", ".exs"),
        ("ex",),
        ("elixir",),
        name="Elixir",
        hook="elixir",
        cli=r"\bOptionParser\b|System\.argv",
    ),
    Language(
        "haskell",
        "haskell",
        (".hs",),
        ("hs",),
        ("runhaskell",),
        name="Haskell",
        cli=r"\bgetArgs\b|\boptparse\b",
    ),
    Language("zig", "zig", (".zig",), name="Zig", hook="zig", cli=r"\bargsAlloc\b|\bargs\(\)"),
    Language(
        "r",
        "r",
        (".r", ".R"),
        ("rscript",),
        ("Rscript",),
        name="R",
        hook="r",
        cli=r"commandArgs\(|\boptparse\b|\bargparse\b",
    ),
    Language(
        "ocaml",
        "ocaml",
        (".ml",),
        ("ml",),
        ("ocaml",),
        name="OCaml",
        cli=r"Sys\.argv|\bArg\.parse\b",
    ),
    Language(
        "perl",
        "perl",
        (".pl", ".pm"),
        ("pl",),
        ("perl",),
        name="Perl",
        cli=r"@ARGV|\bGetOptions\b|\bGetopt::",
    ),
    Language(
        "julia", "julia", (".jl",), ("jl",), ("julia",), name="Julia", cli=r"\bARGS\b|\bArgParse\b"
    ),
)

_BY_ID: dict[str, Language] = {}
for _lang in LANGUAGES:
    for _name in (_lang.id, *_lang.aliases):
        _BY_ID[_name.lower()] = _lang
_BY_EXTENSION = {ext.lower(): lang for lang in LANGUAGES for ext in lang.extensions}
_BY_FILENAME = {name: lang for lang in LANGUAGES for name in lang.filenames}
_BY_INTERPRETER = {name: lang for lang in LANGUAGES for name in lang.interpreters}
# What only C++ writes at the start of a line: a namespace, a template, an access label.
_CPP_HEADER = re.compile(
    r"^[ \t]*(?:namespace\s+\w+\s*\{|template\s*<|(?:public|private|protected)\s*:(?!:))", re.M
)
_SHEBANG = re.compile(r"#!\s*(?:/usr/bin/env\s+(?:-\S+\s+)*)?(?:\S*/)?([A-Za-z0-9_.+-]+)")


def supported_languages() -> list[str]:
    """Editor ids of every supported language, sorted."""
    return sorted(lang.id for lang in LANGUAGES)


def get_language(language_id: str) -> Language | None:
    """The language for an editor id or alias (case-insensitive), or None."""
    return _BY_ID.get(language_id.strip().lower())


def base_name(filename: str) -> str:
    """The last part of a ``/`` or ``\\`` separated path (PurePath costs more per request)."""
    return filename.replace("\\", "/").rpartition("/")[2]


def detect_language(filename: str, source: str = "") -> Language | None:
    """The language a file name's extension or a shebang line implies, or None."""
    name = base_name(filename)
    stem, dot, extension = name.rpartition(".")
    suffix = f".{extension}".lower() if dot and stem.strip(".") else ""
    if suffix == ".h" and _CPP_HEADER.search(source[:65536]):
        return _BY_ID["cpp"]  # ".h" is C's and C++'s: the text tells which
    if suffix in _BY_EXTENSION:
        return _BY_EXTENSION[suffix]
    if name in _BY_FILENAME:
        return _BY_FILENAME[name]
    match = _SHEBANG.match(source[:200])
    if match:
        interpreter = re.sub(r"[\d.]+$", "", match.group(1))
        return _BY_INTERPRETER.get(match.group(1)) or _BY_INTERPRETER.get(interpreter)
    return None
