"""The file intent: the module docstring when present, else the file's role and domain."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import PurePath

from ..syntax.references import STOPWORDS, split_words
from ..syntax.units import Unit
from .naming import BlockInfo, display_word

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
    domain = " ".join(display_word(w) for w in domain_words)
    topic = f" for {domain}" if domain else ""
    roles = {info.role for info in infos}
    lang_name = _LANGUAGE_NAMES.get(language, language.capitalize())
    lower_head = source_head.lower()
    if "tests" in roles and all(i.role in ("tests", "") for i in infos):
        return f"{lang_name} tests{topic}"
    if "route handlers" in roles:
        imports = "\n".join(line for line in lower_head.split("\n") if _IMPORT_LINE.match(line))
        framework = next((n for key, n in _FRAMEWORKS if key in imports), lang_name)
        return f"{framework} routes{topic}"
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
        return f"React component {component}{topic}".replace("  ", " ")
    if "CLI entry point" in roles:
        return f"{lang_name} command-line program{topic}"
    if roles <= {"data models", "error types", "configuration constants"} and roles:
        return f"{lang_name} type definitions{topic}"
    kind = "module"
    if language in ("go",):
        kind = "package code"
    elif language in ("shellscript",):
        kind = "script"
    elif language in ("java", "csharp", "kotlin", "scala", "swift", "dart", "php"):
        kind = "class" if sum(1 for u in units if u.kind == "class" and not u.parent) == 1 else kind
    stem_domain = " ".join(display_word(w) for w in stem_words[:2])
    subject = stem_domain or domain
    base = f"{lang_name} {kind} for {subject}" if subject else f"{lang_name} {kind}"
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
