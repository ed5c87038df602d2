"""Which languages IRIS reads, and how to tell a file's language.

Language ids follow editor conventions (VS Code's ``languageId``). Each language
names its tree-sitter grammar in tree-sitter-language-pack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath


@dataclass(frozen=True)
class Language:
    """A supported language: editor id, grammar, extensions, aliases and interpreters."""

    id: str
    grammar: str
    extensions: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    interpreters: tuple[str, ...] = ()


LANGUAGES: tuple[Language, ...] = (
    Language("python", "python", (".py", ".pyi", ".pyw"), ("py", "python3"), ("python", "python3")),
    Language("javascript", "javascript", (".js", ".mjs", ".cjs"), ("js", "node"), ("node",)),
    Language("javascriptreact", "javascript", (".jsx",), ("jsx",)),
    Language("typescript", "typescript", (".ts", ".mts", ".cts"), ("ts",), ("ts-node", "deno")),
    Language("typescriptreact", "tsx", (".tsx",), ("tsx",)),
)

_BY_ID: dict[str, Language] = {}
for _lang in LANGUAGES:
    for _name in (_lang.id, *_lang.aliases):
        _BY_ID[_name] = _lang
_BY_EXTENSION = {ext: lang for lang in LANGUAGES for ext in lang.extensions}
_BY_INTERPRETER = {name: lang for lang in LANGUAGES for name in lang.interpreters}
_SHEBANG = re.compile(r"#!\s*(?:/usr/bin/env\s+(?:-\S+\s+)*)?(?:\S*/)?([A-Za-z0-9_.+-]+)")


def supported_languages() -> list[str]:
    """Editor ids of every supported language, sorted."""
    return sorted(lang.id for lang in LANGUAGES)


def get_language(language_id: str) -> Language | None:
    """The language for an editor id or alias (case-insensitive), or None."""
    return _BY_ID.get(language_id.strip().lower())


def detect_language(filename: str, source: str = "") -> Language | None:
    """The language a file name's extension or a shebang line implies, or None."""
    suffix = PurePath(filename).suffix.lower()
    if suffix in _BY_EXTENSION:
        return _BY_EXTENSION[suffix]
    match = _SHEBANG.match(source[:200])
    if match:
        interpreter = re.sub(r"[\d.]+$", "", match.group(1))
        return _BY_INTERPRETER.get(match.group(1)) or _BY_INTERPRETER.get(interpreter)
    return None
