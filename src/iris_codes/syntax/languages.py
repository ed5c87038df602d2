"""Which languages IRIS reads, and how to tell a file's language.

Language ids follow editor conventions (VS Code's ``languageId``). Each language
names its tree-sitter grammar in tree-sitter-language-pack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    """A supported language: editor id, grammar, extensions, aliases and interpreters."""

    id: str
    grammar: str
    extensions: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    interpreters: tuple[str, ...] = ()
    filenames: tuple[str, ...] = ()


LANGUAGES: tuple[Language, ...] = (
    Language("python", "python", (".py", ".pyi", ".pyw"), ("py", "python3"), ("python", "python3")),
    Language("javascript", "javascript", (".js", ".mjs", ".cjs"), ("js", "node"), ("node",)),
    Language("javascriptreact", "javascript", (".jsx",), ("jsx",)),
    Language("typescript", "typescript", (".ts", ".mts", ".cts"), ("ts",), ("ts-node", "deno")),
    Language("typescriptreact", "tsx", (".tsx",), ("tsx",)),
    Language("go", "go", (".go",), ("golang",)),
    Language("java", "java", (".java",)),
    Language("kotlin", "kotlin", (".kt", ".kts"), ("kt",)),
    Language("c", "c", (".c", ".h")),
    Language(
        "cpp",
        "cpp",
        (".cpp", ".cc", ".cxx", ".c++", ".hpp", ".hh", ".hxx", ".h++", ".ipp"),
        ("c++", "cplusplus"),
    ),
    Language("csharp", "csharp", (".cs", ".csx"), ("c#", "cs")),
    Language("rust", "rust", (".rs",), ("rs",)),
    Language(
        "ruby", "ruby", (".rb", ".rake", ".gemspec"), ("rb",), ("ruby",), ("Rakefile", "Gemfile")
    ),
    Language("php", "php", (".php", ".phtml"), (), ("php",)),
    Language("swift", "swift", (".swift",)),
    Language("scala", "scala", (".scala", ".sc"), (), ("scala",)),
    Language("lua", "lua", (".lua",), (), ("lua", "luajit")),
    Language(
        "shellscript",
        "bash",
        (".sh", ".bash", ".zsh", ".ksh"),
        ("bash", "sh", "zsh", "shell", "ksh"),
        ("bash", "sh", "zsh", "ksh", "dash"),
        (".bashrc", ".bash_profile", ".zshrc", ".profile"),
    ),
    Language("dart", "dart", (".dart",)),
    Language("elixir", "elixir", (".ex", ".exs"), ("ex",), ("elixir",)),
    Language("haskell", "haskell", (".hs",), ("hs",), ("runhaskell",)),
    Language("zig", "zig", (".zig",)),
    Language("r", "r", (".r", ".R"), ("rscript",), ("Rscript",)),
    Language("ocaml", "ocaml", (".ml",), ("ml",), ("ocaml",)),
    Language("perl", "perl", (".pl", ".pm"), ("pl",), ("perl",)),
    Language("julia", "julia", (".jl",), ("jl",), ("julia",)),
)

_BY_ID: dict[str, Language] = {}
for _lang in LANGUAGES:
    for _name in (_lang.id, *_lang.aliases):
        _BY_ID[_name.lower()] = _lang
_BY_EXTENSION = {ext.lower(): lang for lang in LANGUAGES for ext in lang.extensions}
_BY_FILENAME = {name: lang for lang in LANGUAGES for name in lang.filenames}
_BY_INTERPRETER = {name: lang for lang in LANGUAGES for name in lang.interpreters}
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
    if suffix in _BY_EXTENSION:
        return _BY_EXTENSION[suffix]
    if name in _BY_FILENAME:
        return _BY_FILENAME[name]
    match = _SHEBANG.match(source[:200])
    if match:
        interpreter = re.sub(r"[\d.]+$", "", match.group(1))
        return _BY_INTERPRETER.get(match.group(1)) or _BY_INTERPRETER.get(interpreter)
    return None
