"""Language registry: ids, aliases, detection by extension and shebang, grammars that load."""

from __future__ import annotations

import pytest

from iris_codes.syntax import extract_units
from iris_codes.syntax.languages import (
    LANGUAGES,
    detect_language,
    get_language,
    supported_languages,
)
from support import sample_files

REQUIRED = {
    "python", "javascript", "javascriptreact", "typescript", "typescriptreact", "go", "java",
    "kotlin", "c", "cpp", "csharp", "rust", "ruby", "php", "swift", "scala", "lua",
    "shellscript", "dart", "elixir",
}  # fmt: skip


def test_supports_at_least_22_languages_including_the_required_ones() -> None:
    ids = supported_languages()
    assert len(ids) >= 22
    assert set(ids) >= REQUIRED
    assert ids == sorted(ids)


@pytest.mark.parametrize(
    ("alias", "expected"),
    [
        ("bash", "shellscript"),
        ("sh", "shellscript"),
        ("zsh", "shellscript"),
        ("c#", "csharp"),
        ("C++", "cpp"),
        ("golang", "go"),
        ("py", "python"),
        ("TSX", "typescriptreact"),
        ("jsx", "javascriptreact"),
        (" Python ", "python"),
    ],
)
def test_resolves_editor_ids_and_aliases(alias: str, expected: str) -> None:
    language = get_language(alias)
    assert language is not None
    assert language.id == expected


def test_unknown_language_id_gives_none() -> None:
    assert get_language("cobol-2099") is None


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("app.py", "python"),
        ("src/index.mjs", "javascript"),
        ("Button.jsx", "javascriptreact"),
        ("api.ts", "typescript"),
        ("Page.tsx", "typescriptreact"),
        ("main.go", "go"),
        ("Main.java", "java"),
        ("build.gradle.kts", "kotlin"),
        ("ring.h", "c"),
        ("matrix.hpp", "cpp"),
        ("Program.cs", "csharp"),
        ("lib.rs", "rust"),
        ("Rakefile", "ruby"),
        ("index.php", "php"),
        ("View.swift", "swift"),
        ("Main.scala", "scala"),
        ("init.lua", "lua"),
        ("deploy.sh", "shellscript"),
        ("main.dart", "dart"),
        ("mix.exs", "elixir"),
        ("Queue.hs", "haskell"),
        ("report.R", "r"),
    ],
)
def test_detects_language_from_the_file_extension(filename: str, expected: str) -> None:
    language = detect_language(filename)
    assert language is not None
    assert language.id == expected


@pytest.mark.parametrize(
    ("shebang", "expected"),
    [
        ("#!/usr/bin/env python3.11\n", "python"),
        ("#!/usr/bin/python\n", "python"),
        ("#!/usr/bin/env node\n", "javascript"),
        ("#!/bin/bash\n", "shellscript"),
        ("#!/usr/bin/env -S bash -e\n", "shellscript"),
        ("#!/usr/bin/env ruby\n", "ruby"),
    ],
)
def test_detects_language_from_a_shebang_when_there_is_no_extension(
    shebang: str, expected: str
) -> None:
    language = detect_language("bin/tool", shebang + "echo hi\n")
    assert language is not None
    assert language.id == expected


def test_unknown_extension_without_shebang_is_not_detected() -> None:
    assert detect_language("notes.txt", "hello\n") is None


@pytest.mark.parametrize("language", [lang.id for lang in LANGUAGES])
def test_every_grammar_loads_and_parses(language: str) -> None:
    units = extract_units("x = 1\n\n\ny = 2\n", language)
    assert units, f"{language} produced no units"
    assert units[0].start == 1


def test_every_language_has_a_realistic_sample() -> None:
    covered = {detect_language(path.name).id for path in sample_files()}  # type: ignore[union-attr]
    missing = {lang.id for lang in LANGUAGES} - covered
    assert not missing, f"no sample in tests/samples for {sorted(missing)}"
