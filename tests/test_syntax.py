"""extract_units: ordered, numbered, non-nested units covering every non-blank line."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from iris_codes.errors import EngineError
from iris_codes.syntax import Unit, extract_units
from iris_codes.syntax.languages import detect_language
from iris_codes.syntax.references import import_names, split_words
from support import read_sample, sample_files


def assert_well_formed(units: list[Unit], source: str) -> None:
    lines = source.split("\n")
    assert [u.id for u in units] == list(range(1, len(units) + 1))
    covered: set[int] = set()
    previous_end = 0
    for unit in units:
        assert previous_end < unit.start <= unit.end, (unit, previous_end)
        covered |= set(range(unit.start, unit.end + 1))
        previous_end = unit.end
    nonblank = {n for n, line in enumerate(lines, 1) if line.strip()}
    assert nonblank <= covered, f"uncovered lines {sorted(nonblank - covered)[:5]}"
    assert covered <= set(range(1, len(lines) + 1))


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.name)
def test_units_of_every_sample_are_ordered_numbered_and_cover_the_file(path: Path) -> None:
    source = read_sample(path).replace("\r\n", "\n")
    language = detect_language(path.name)
    assert language is not None
    units = extract_units(source, language.id)
    assert_well_formed(units, source)


def test_empty_source_has_no_units() -> None:
    assert extract_units("", "python") == []
    assert extract_units("\n\n   \n", "typescript") == []


@pytest.mark.parametrize("source", ["foo#bar", "f#", "q#"])
def test_a_perl_file_ending_inside_a_comment_is_parsed_not_hung(source: str) -> None:
    # The Perl grammar's scanner loops for ever at such an end of file, inside one C call
    # that no deadline reaches, so the check runs in a process of its own.
    call = f"extract_units({source!r}, 'perl')"
    program = f"from iris_codes.syntax import extract_units; print(len({call}))"
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 1


PYTHON = '''"""Billing helpers."""

import os
from decimal import Decimal as D

# Rate applied to every invoice.
TAX_RATE = D("0.2")


def total(amount):
    """Amount with tax."""
    return amount * (1 + TAX_RATE)


class Small:
    def one(self):
        return 1
'''


def test_python_units_carry_kinds_names_defines_and_docs() -> None:
    units = extract_units(PYTHON, "python")
    kinds = [(u.kind, u.name) for u in units]
    assert kinds == [
        ("import", "os"),
        ("import", "Decimal"),
        ("constant", "TAX_RATE"),
        ("function", "total"),
        ("class", "Small"),
    ]
    imports, aliased, constant, function, small = units
    assert imports.start == 1  # the module docstring attaches to the first unit
    assert aliased.defines == frozenset({"D"})
    assert constant.start == 6
    assert constant.doc == "Rate applied to every invoice."
    assert function.doc == "Amount with tax."
    assert "TAX_RATE" in function.uses
    assert small.end == 17
    assert small.parent is None


def test_large_class_is_split_into_header_and_member_units() -> None:
    methods = "\n".join(
        f"    def method_{i}(self):\n        value = {i}\n        return value * 2\n"
        for i in range(25)
    )
    source = f'class Service:\n    """Does things."""\n\n{methods}'
    units = extract_units(source, "python")
    assert units[0].kind == "class"
    assert (units[0].start, units[0].end) == (1, 2)
    members = units[1:]
    assert len(members) == 25
    assert all(u.kind == "method" and u.parent == "Service" for u in members)
    assert_well_formed(units, source)


def test_javascript_imports_define_their_local_names() -> None:
    source = (
        "import React, { useState as useLocal } from 'react';\n"
        "const { join } = require('path');\n"
        "export function App() { return useLocal(join('a')); }\n"
    )
    units = extract_units(source, "javascriptreact")
    assert [u.kind for u in units] == ["import", "import", "function"]
    assert units[0].defines == frozenset({"React", "useLocal"})
    assert units[1].defines == frozenset({"join"})
    assert units[2].exported
    assert {"useLocal", "join"} <= units[2].uses


def test_typescript_types_and_exports_are_recognised() -> None:
    source = (
        "export interface User { id: string }\n"
        "type Id = string;\n"
        "export const load = async (id: Id): Promise<User> => fetchUser(id);\n"
    )
    units = extract_units(source, "typescript")
    assert [(u.kind, u.name, u.exported) for u in units] == [
        ("type", "User", True),
        ("type", "Id", False),
        ("function", "load", True),
    ]


def test_units_on_one_line_merge_into_one() -> None:
    source = "function a(){return b()} function b(){return 1}\n"
    units = extract_units(source, "javascript")
    assert len(units) == 1
    assert {"a", "b"} <= units[0].defines


def test_go_methods_take_their_receiver_as_parent() -> None:
    source = "package p\n\ntype Store struct{}\n\nfunc (s *Store) Add() {}\n"
    units = extract_units(source, "go")
    assert units[-1].kind == "method"
    assert units[-1].parent == "Store"
    assert units[-1].exported


def test_haskell_signature_and_equations_form_one_unit() -> None:
    source = "size :: [a] -> Int\nsize [] = 0\nsize (_ : xs) = 1 + size xs\n"
    units = extract_units(source, "haskell")
    assert len(units) == 1
    assert (units[0].start, units[0].end) == (1, 3)


def test_syntax_errors_still_give_covering_units() -> None:
    source = "def ok():\n    return 1\n\ndef broken(:\n    pass\n\nclass A:\n    x = 1\n"
    units = extract_units(source, "python")
    assert_well_formed(units, source)
    assert "ok" in {u.name for u in units}


def test_deep_nesting_and_tabs_and_non_ascii_are_handled() -> None:
    nested = "x = " + "[" * 400 + "1" + "]" * 400 + "\n"
    tabs = "def f():\n\tif True:\n\t\treturn 'é東'\n"
    for source in (nested, tabs, nested + tabs):
        assert_well_formed(extract_units(source, "python"), source)


def test_unknown_grammar_raises_engine_error() -> None:
    with pytest.raises(EngineError):
        extract_units("x", "no-such-grammar")


def test_parsers_are_safe_to_use_from_many_threads() -> None:
    source = read_sample(Path(__file__).parent / "samples" / "flask_app.py")
    expected = extract_units(source, "python")
    results: list[list[Unit]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(20):
                results.append(extract_units(source, "python"))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert all(result == expected for result in results)


def test_identifiers_split_into_words() -> None:
    assert split_words("parseHTTPRequest") == ("parse", "http", "request")
    assert split_words("load_config") == ("load", "config")


@pytest.mark.parametrize(
    ("text", "grammar", "names"),
    [
        ("from a.b import (c as d,\n e)", "python", {"d", "e"}),
        ("import os.path, numpy as np", "python", {"os", "np"}),
        ("import java.util.List;", "java", {"List"}),
        ("use std::collections::{HashMap, HashSet};", "rust", {"HashMap", "HashSet"}),
        ('"net/http"', "go", {"http"}),
    ],
)
def test_import_names_are_the_local_names_brought_in(
    text: str, grammar: str, names: set[str]
) -> None:
    assert import_names(text, grammar) == names


def test_a_doc_between_overloads_and_the_implementation_is_the_functions_doc() -> None:
    source = (
        "export function pick(a: string): string;\n"
        "export function pick(a: number): number;\n"
        "/**\n * Picks the value a caller asked for.\n */\n"
        "export function pick(a: any): any {\n  return a;\n}\n"
    )
    units = [u for u in extract_units(source, "typescript") if u.name == "pick"]
    assert len(units) == 1, units
    assert "Picks the value" in units[0].doc, units[0]


def test_a_static_assert_defines_nothing() -> None:
    source = (
        "template<typename T>\nstruct Box\n{\n"
        '  static_assert(sizeof(T) > 0, "complete type");\n'
        "  T value;\n};\n"
    )
    asserts = [u for u in extract_units(source, "cpp") if u.signature.startswith("static_assert")]
    assert asserts, "the assertion is a unit of its own"
    assert all(u.kind == "statement" and not u.name for u in asserts), asserts
