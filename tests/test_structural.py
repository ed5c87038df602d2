"""StructuralEngine: sections a reader can follow, named in the code's own words.

The heuristics are judged on code nobody here wrote (the standard library and installed
packages) through properties — contiguity, block count for size, label shape, intents
without templates or markup, words drawn from the file — never by pinning one string.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import threading
from pathlib import Path
from typing import Any

import pytest

from invariants import assert_valid_analysis
from iris_codes.engines.base import Engine
from iris_codes.engines.structural import StructuralEngine, vocabulary
from iris_codes.models import Analysis
from iris_codes.postprocess import enforce
from iris_codes.syntax.languages import detect_language
from support import read_sample, sample_files

SAMPLES = Path(__file__).parent / "samples"
STDLIB = Path(sysconfig.get_paths()["stdlib"])
SITE = Path(sysconfig.get_paths()["purelib"])
# Outside files of several sizes and styles; all ship with Python or the dev extra.
OUTSIDE = [
    STDLIB / name
    for name in (
        "fnmatch.py", "poplib.py", "zipapp.py", "smtplib.py", "textwrap.py", "json/decoder.py",
        "email/utils.py", "shlex.py", "getopt.py", "calendar.py", "argparse.py", "tabnanny.py",
        "bisect.py", "colorsys.py", "queue.py", "netrc.py", "graphlib.py", "sched.py",
    )
] + [
    SITE / name
    for name in (
        "flask/sessions.py", "werkzeug/middleware/proxy_fix.py", "click/decorators.py",
        "redis/lock.py", "werkzeug/local.py", "flask/config.py",
    )
]  # fmt: skip
TEMPLATE = re.compile(r"\bmodule for\b|^(?:Python|JavaScript|Go) (?:module|program)\b", re.I)
MARKUP = re.compile(r"={3,}|-{3,}|`|:[a-z]+:`|\*\*|^#|/\*|\*/")
DANGLING = {"a", "an", "the", "and", "or", "of", "to", "in", "for", "with", "that", "which"}


@pytest.fixture(scope="module")
def engine() -> StructuralEngine:
    return StructuralEngine()


def run(engine: StructuralEngine, source: str, language: str, filename: str) -> dict[str, Any]:
    """Engine, then postprocess (as the service does), as the API body."""
    analysis = enforce(engine.analyze(source, language, filename), source, filename)
    body = analysis.to_dict()
    body["metadata"].setdefault("cache_hit", 0)
    body["metadata"].setdefault("latency_ms", 0)
    assert_valid_analysis(body, source)
    return body


def run_file(engine: StructuralEngine, path: Path) -> tuple[dict[str, Any], str]:
    source = path.read_text(encoding="utf-8", errors="replace")
    language = detect_language(path.name, source)
    assert language is not None
    return run(engine, source, language.id, path.name), source


def outside_files() -> list[Path]:
    return [p for p in OUTSIDE if p.exists()]


def block_of(body: dict[str, Any], line: int) -> int:
    for index, block in enumerate(body["responsibility_blocks"]):
        if any(start <= line <= end for start, end in block["ranges"]):
            return index
    raise AssertionError(f"line {line} is in no block")


def line_of(source: str, text: str) -> int:
    for number, line in enumerate(source.split("\n"), 1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in source")


def labels(body: dict[str, Any]) -> list[str]:
    return [block["label"] for block in body["responsibility_blocks"]]


# --- every file, every engine contract ---------------------------------------------


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.name)
def test_every_sample_gets_a_valid_answer(engine: StructuralEngine, path: Path) -> None:
    source = read_sample(path).replace("\r\n", "\n")
    language = detect_language(path.name, source)
    assert language is not None
    run(engine, source, language.id, path.name)


def test_engine_follows_the_engine_protocol(engine: StructuralEngine) -> None:
    assert isinstance(engine, Engine)
    assert engine.cache_identity().startswith("structural:")
    assert engine.health()["status"] == "ok"


def test_empty_file_gives_empty_file_intent_and_no_blocks(engine: StructuralEngine) -> None:
    analysis = engine.analyze("\n\n", "python", "empty.py")
    assert analysis == Analysis("Empty file", (), {"engine": "structural"})


# --- sections ------------------------------------------------------------------------


@pytest.mark.parametrize("path", outside_files(), ids=lambda p: p.name)
def test_blocks_are_contiguous_sections_in_source_order(
    engine: StructuralEngine, path: Path
) -> None:
    body, source = run_file(engine, path)
    blocks = body["responsibility_blocks"]
    assert all(len(block["ranges"]) == 1 for block in blocks), [b["ranges"] for b in blocks]
    starts = [block["ranges"][0][0] for block in blocks]
    # Source order, except that a program's command-line entry point may lead.
    rest = starts[1:] if blocks and blocks[0]["label"] == "Command-line entry point" else starts
    assert rest == sorted(rest)
    # Together the sections cover the file from its first to its last code line.
    covered = sum(end - start + 1 for block in blocks for start, end in block["ranges"])
    assert covered >= 0.9 * len(source.rstrip("\n").split("\n"))


def entries(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every block and sub-block, parents first."""
    found = []
    for block in blocks:
        found.append(block)
        found += entries(block.get("children", []))
    return found


@pytest.mark.parametrize("path", outside_files(), ids=lambda p: p.name)
def test_block_count_grows_with_the_file(engine: StructuralEngine, path: Path) -> None:
    body, source = run_file(engine, path)
    top = body["responsibility_blocks"]
    lines = len(source.rstrip("\n").split("\n"))
    assert len(top) <= 12
    for block in entries(top):
        assert len(block.get("children", [])) <= 12
    code = sum(1 for line in source.split("\n") if line.strip())
    prose = sum(1 for line in source.split("\n") if line.strip().startswith(("#", '"', "'")))
    if code - prose >= 150:  # a long file in lines of code: sub-blocks are sections too
        assert len(entries(top)) >= 4, (lines, labels(body))
    assert len(top) <= max(3, -(-code // 20))


SETTINGS = """\"\"\"Service settings.\"\"\"

# Database
DATABASE_HOST = "db.internal"
DATABASE_PORT = 5432
DATABASE_NAME = "orders"
DATABASE_POOL_SIZE = 10
DATABASE_TIMEOUT_SECONDS = 5

# Cache
CACHE_URL = "redis://cache:6379/0"
CACHE_TTL_SECONDS = 300
CACHE_PREFIX = "orders:"
CACHE_MAX_ENTRIES = 10000
CACHE_COMPRESS = True

# CORS
CORS_ORIGINS = ["https://shop.example"]
CORS_METHODS = ["GET", "POST"]
CORS_HEADERS = ["Content-Type"]
CORS_MAX_AGE = 600
CORS_CREDENTIALS = False

# Logging
LOG_LEVEL = "INFO"
LOG_FORMAT = "json"
LOG_FILE = "/var/log/orders.log"
LOG_ROTATE_MB = 50
LOG_KEEP = 7
"""


def test_a_small_file_gets_one_block_per_group_of_its_author(engine: StructuralEngine) -> None:
    body = run(engine, SETTINGS, "python", "settings.py")
    groups = ("DATABASE_HOST", "CACHE_URL", "CORS_ORIGINS", "LOG_LEVEL")
    owners = [block_of(body, line_of(SETTINGS, name)) for name in groups]
    assert len(set(owners)) == len(groups), labels(body)
    assert len(body["responsibility_blocks"]) == len(groups)
    for name in groups:
        assert block_of(body, line_of(SETTINGS, name)) == block_of(
            body, line_of(SETTINGS, name.split("_")[0] + "_" + name.split("_")[1][:1])
        )


@pytest.mark.parametrize("path", outside_files(), ids=lambda p: p.name)
def test_preamble_stays_whole_in_the_first_section(engine: StructuralEngine, path: Path) -> None:
    body, source = run_file(engine, path)
    lines = source.split("\n")
    first_code = next(
        n for n, line in enumerate(lines, 1) if re.match(r"(?:def|class|async def|@)\b", line)
    )
    imports = [
        n
        for n, line in enumerate(lines[: first_code - 1], 1)
        if re.match(r"(?:import|from) ", line)
    ]
    assert len({block_of(body, n) for n in imports}) <= 1


MARKED = '''"""Inventory records."""

import json


# --- Loading ----------------------------------------------------------------------


def load_inventory(path):
    with open(path) as handle:
        return json.load(handle)


def load_prices(path):
    with open(path) as handle:
        return json.load(handle)["prices"]


# --- Reporting --------------------------------------------------------------------


def report_totals(inventory):
    return sum(item["count"] for item in inventory)


def report_missing(inventory):
    return [item for item in inventory if not item["count"]]


# --- Saving -----------------------------------------------------------------------


def save_inventory(path, inventory):
    with open(path, "w") as handle:
        json.dump(inventory, handle)


def save_prices(path, prices):
    with open(path, "w") as handle:
        json.dump({"prices": prices}, handle)
'''


def test_author_section_markers_become_the_sections_and_their_labels(
    engine: StructuralEngine,
) -> None:
    body = run(engine, MARKED, "python", "inventory.py")
    groups = [("load_inventory", "load_prices"), ("report_totals", "report_missing"),
              ("save_inventory", "save_prices")]  # fmt: skip
    blocks = [{block_of(body, line_of(MARKED, f"def {name}(")) for name in g} for g in groups]
    assert all(len(b) == 1 for b in blocks)
    assert len(set().union(*blocks)) == 3
    found = " ".join(labels(body)).lower()
    assert all(word in found for word in ("loading", "reporting", "saving"))


def long_main() -> str:
    steps = []
    for index, topic in enumerate(("Read the settings", "Connect to the store", "Copy records",
                                   "Write the summary", "Clean up")):  # fmt: skip
        body = "".join(
            f"    value_{index}_{k} = step_{index}(value_{index}_{k - 1})\n" for k in range(1, 30)
        )
        steps.append(f"    # {topic}\n    value_{index}_0 = start_{index}()\n{body}")
    return "import sys\n\n\ndef main():\n" + "\n".join(steps) + "\n\nmain()\n"


def test_a_form_feed_page_break_starts_a_section(engine: StructuralEngine) -> None:
    counts, start, pages = (14, 40, 22), 0, []
    for count in counts:
        pages.append(
            "\n".join(f"int f{start + i}(int x)\n{{\n  return x + {i};\n}}\n" for i in range(count))
        )
        start += count
    # One line between functions everywhere; between pages that line is a form feed.
    source = "\f\n".join(pages)
    body = run(engine, source, "c", "pages.c")
    for first in (counts[0], counts[0] + counts[1]):
        line = line_of(source, f"int f{first}(")
        block = body["responsibility_blocks"][block_of(body, line)]
        assert block["ranges"][0][0] >= line - 1, body


def test_a_long_function_is_cut_at_its_comment_headed_paragraphs(engine: StructuralEngine) -> None:
    source = long_main()
    body = run(engine, source, "python", "job.py")
    topics = ("Connect to the store", "Copy records", "Write the summary", "Clean up")
    heads = [line_of(source, f"# {topic}") for topic in topics]
    starts = {block["ranges"][0][0] for block in entries(body["responsibility_blocks"])}
    assert len(set(heads) & starts) >= 3, (heads, sorted(starts))
    # ... and nowhere else inside it: every section starts at the function, a heading, or
    # after the function.
    function = line_of(source, "def main():")
    end = line_of(source, "main()\n") if False else len(source.split("\n")) - 2
    inside = {n for n in starts if function < n < end}
    assert inside <= set(heads), (sorted(inside), heads)


# --- names ---------------------------------------------------------------------------


def drawn_from(word: str, source: str) -> bool:
    """The word, its singular or the verb of its gerund occurs in ``source``."""
    lower = word.lower()
    forms = {lower, vocabulary.singular(lower), lower.rstrip("s")}
    if lower.endswith("ing"):
        stem = lower[:-3]
        forms |= {stem, stem + "e", stem[:-1] if len(stem) > 3 and stem[-1] == stem[-2] else stem}
    return any(form in source for form in forms if len(form) >= 2)


KIND_WORDS = {
    "class", "classes", "type", "types", "method", "methods", "function", "functions",
    "constant", "constants", "settings", "steps", "step", "imports", "module", "setup",
    "the", "and", "section", "checks", "continued", "definition", "tests", "entry", "point",
    "program", "command", "line", "command-line", "handlers", "route", "http",
    # What a section of setup is: the engine's own words for it.
    "licence", "header", "includes", "included", "headers", "documentation", "top-level",
    "statements", "preprocessor", "directives", "block", "arguments", "parsing", "code", "at",
    "lines", "of",
}  # fmt: skip


@pytest.mark.parametrize("path", outside_files(), ids=lambda p: p.name)
def test_labels_are_words_drawn_from_the_file(engine: StructuralEngine, path: Path) -> None:
    body, source = run_file(engine, path)
    special = {w for meaning in vocabulary.special_methods().values() for w in meaning.split()}
    lowered = source.lower()
    expanded = " ".join(vocabulary.expand(w).lower() for w in set(re.findall(r"[a-z]+", lowered)))
    verbs = {vocabulary.gerund(v): v for v in vocabulary.verbs() if v in lowered}
    ordinals = {"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
                "ninth", "tenth", "eleventh", "twelfth", "last", "next"}  # fmt: skip
    for label in labels(body):
        names = re.fullmatch(
            r"The ([\w.$]+) (?:function|method|class|type)|([\w.$]+)(?: (?:to|and) ([\w.$]+))?",
            label,
        )
        named = [n for n in names.groups() if n] if names else []
        spelled = named and all(re.search(rf"\b{re.escape(n)}\b", source) for n in named)
        if spelled and any(re.search(r"[_\d.$]|[a-z][A-Z]", n) for n in named):
            continue  # the last resort: the members' own names, as the file spells them
        words = [w.strip(",:") for w in label.split() if not re.fullmatch(r"[\d-]+", w)]
        assert len({vocabulary.singular(w.lower()) for w in words}) == len(words), label
        for word in words:
            lower = word.lower()
            if lower in KIND_WORDS or lower in special or lower in ordinals or lower in verbs:
                continue
            assert "_" not in word, label
            assert not re.search(r"[a-z][A-Z]", word), label
            # A gerund comes from a verb the file uses: "Parsing" ← parse.
            assert drawn_from(word, lowered) or drawn_from(word, expanded), (label, word)


def test_raw_identifiers_and_parameter_names_are_not_label_words(engine: StructuralEngine) -> None:
    body, _ = run_file(engine, STDLIB / "fnmatch.py")
    words = {w.lower() for label in labels(body) for w in label.split()}
    assert not words & {"fnmatch", "fnmatchcase", "pat", "pats", "res"}


def test_cli_role_needs_argument_parsing(engine: StructuralEngine) -> None:
    hello = 'def main():\n    print("hi")\n\n\nif __name__ == "__main__":\n    main()\n'
    body = run(engine, hello, "python", "hello.py")
    assert "command-line" not in " ".join(labels(body)).lower()
    parsing = hello.replace('print("hi")', "args = argparse.ArgumentParser().parse_args()")
    parsing = "import argparse\n\n\n" + parsing
    body = run(engine, parsing, "python", "hello.py")
    assert labels(body)[0] == "Command-line entry point"


# --- intents and descriptions ----------------------------------------------------------


@pytest.mark.parametrize("path", outside_files(), ids=lambda p: p.name)
def test_intent_is_a_clean_sentence_not_a_template(engine: StructuralEngine, path: Path) -> None:
    body, _ = run_file(engine, path)
    intent = body["file_intent"]
    assert not TEMPLATE.search(intent), intent
    assert not MARKUP.search(intent), intent
    assert len(intent.split()) <= 20
    assert intent.endswith((".", "!", "?")), intent
    assert intent.rstrip(".!?").split()[-1].lower() not in DANGLING, intent


def test_intent_is_the_module_docstrings_first_sentence(engine: StructuralEngine) -> None:
    for name in ("fnmatch.py", "textwrap.py", "colorsys.py"):
        body, source = run_file(engine, STDLIB / name)
        doc = re.match(r'\s*"""(.*?)(?:"""|\n\n)', source, re.S)
        assert doc is not None
        first = " ".join(doc.group(1).split()).split(". ")[0].rstrip(".")
        assert body["file_intent"].rstrip(".") == first, name


def test_rst_title_underline_and_banners_are_cleaned_from_the_intent(
    engine: StructuralEngine,
) -> None:
    source = (
        '"""\nRequest Tracing\n===============\n\nThis module provides a middleware that '
        'records the timing of every request.\n\n:copyright: 2020\n"""\n\nimport time\n\n\n'
        "def trace(app):\n    return app\n"
    )
    intent = run(engine, source, "python", "tracing.py")["file_intent"]
    assert "=" not in intent
    assert intent.startswith(("A middleware that records", "Middleware that records")), intent
    banner = "/* -------------------------------------\n * Public header file for the queue.\n */\n"
    intent = run(engine, banner + "int queue_push(int v);\n", "c", "queue.h")["file_intent"]
    assert intent == "Public header file for the queue.", intent


@pytest.mark.parametrize("lead", ["idn-convert.c ---", "idn-convert.c --", "idn_convert.c -"])
def test_a_file_name_header_line_leaves_only_its_summary_in_the_intent(
    engine: StructuralEngine, lead: str
) -> None:
    # The GNU/Emacs first line: "name.c --- summary".
    source = f"/* {lead} Convert host names to ASCII.\n *\n * Public domain.\n */\n\nint f(void);\n"
    intent = run(engine, source, "c", "idn-convert.c")["file_intent"]
    assert intent == "Convert host names to ASCII.", intent


@pytest.mark.parametrize(
    ("language", "filename", "header"),
    [
        ("shellscript", "sync.sh", "# Usage: sync.sh [-n] SRC DEST\n#\n# {summary}\n"),
        ("shellscript", "sync.sh", "# Usage:\n#\n#   sync.sh -n SRC DEST\n#\n# {summary}\n"),
        ("python", "sync.py", '"""\n.. currentmodule:: sync\n\n{summary}\n"""\n'),
        (
            "python",
            "sync.py",
            '"""\n.. autosummary::\n   :toctree: api/\n\n   copy_tree\n\n{summary}\n"""\n',
        ),
        (
            "python",
            "sync.py",
            '"""\nSync\n====\n\nSynopsis\n--------\n\n.. code:: sh\n\n   sync x\n"""\n',
        ),
    ],
)
def test_synopses_directives_and_section_headings_are_not_the_intent(
    engine: StructuralEngine, language: str, filename: str, header: str
) -> None:
    # How to call a file, Sphinx markup and a later section's heading say nothing of why
    # the file exists: the summary after them does, else the file's own title.
    summary = "Mirror a folder tree onto another disk, copying only what changed."
    body = (
        'copy_tree() {\n  cp -r "$1" "$2"\n}\n'
        if language == "shellscript"
        else ("def copy_tree(src, dest):\n    return dest\n")
    )
    source = header.format(summary=summary) + "\n" + body
    intent = run(engine, source, language, filename)["file_intent"]
    expected = "Sync." if "Synopsis" in header else summary
    assert intent == expected, intent


def test_a_deprecation_notice_says_what_became_of_the_file(engine: StructuralEngine) -> None:
    source = (
        '"""\n.. deprecated:: 2.0\n\n   orders.legacy has been renamed to orders.store.\n"""\n\n'
        "from orders.store import *  # noqa\n"
    )
    intent = run(engine, source, "python", "legacy.py")["file_intent"]
    assert intent == "Orders.legacy has been renamed to orders.store.", intent


def test_a_block_comment_without_markers_on_its_lines_is_the_package_doc(
    engine: StructuralEngine,
) -> None:
    source = (
        "// Copyright 2009 Someone. All rights reserved.\n\n/*\n"
        "Package tally counts words in streams of text and reports the commonest ones.\n\n"
        "Counting is done in one pass.\n*/\npackage tally\n"
    )
    intent = run(engine, source, "go", "doc.go")["file_intent"]
    assert "counts words in streams of text" in intent.lower(), intent


def test_an_init_scripts_description_field_is_its_intent(engine: StructuralEngine) -> None:
    source = (
        "#!/bin/sh\n### BEGIN INIT INFO\n# Provides:          tallyd\n"
        "# Required-Start:    $remote_fs\n# Short-Description: Word tally daemon\n"
        "# Description:       Counts the words written to the spool folder.\n"
        "### END INIT INFO\n\nset -e\nDAEMON=/usr/bin/tallyd\n"
        'case "$1" in\n  start) $DAEMON ;;\n  stop) pkill tallyd ;;\nesac\n'
    )
    intent = run(engine, source, "shellscript", "tallyd")["file_intent"]
    assert "BEGIN INIT INFO" not in intent, intent
    assert "tally" in intent.lower() or "counts the words" in intent.lower(), intent


def test_intent_without_documentation_names_the_main_definitions(engine: StructuralEngine) -> None:
    source = (
        "class OrderStateMachine:\n    def advance(self, event):\n        return event\n\n\n"
        "def record_order_history(order):\n    return [order]\n"
    )
    intent = run(engine, source, "python", "orders.py")["file_intent"]
    assert "orders" not in intent.lower().split()
    assert "order" in intent.lower(), intent
    assert "state" in intent.lower(), intent


_SCRIPT_WITH_HELP = """#!/bin/sh
usage="Usage: ${0##*/} [OPTION]... ARCHIVE
Unpack ARCHIVE into the current folder, keeping the timestamps of its members.

Report bugs to <someone@example.org>."

while :; do
  case $1 in
    --h*|-h) printf '%s\\n' "$usage"; exit;;
    --v*) echo "1.0"; exit;;
    --) shift; break;;
    *) break;;
  esac
  shift
done

tar -xpf "$1"
"""


def test_a_script_without_a_header_takes_its_intent_from_its_help_text(
    engine: StructuralEngine,
) -> None:
    intent = run(engine, _SCRIPT_WITH_HELP, "shellscript", "unpack")["file_intent"]
    assert intent.startswith("Unpack ARCHIVE into the current folder"), intent
    assert "Usage" not in intent, intent
    assert "Report bugs" not in intent, intent


def test_a_parsers_description_is_the_intent_of_an_undocumented_program(
    engine: StructuralEngine,
) -> None:
    source = (
        "import argparse\n\n\ndef main():\n    parser = argparse.ArgumentParser(\n"
        "        description='Resize every image in a folder to a thumbnail.')\n"
        "    parser.add_argument('folder')\n    return parser.parse_args()\n"
    )
    intent = run(engine, source, "python", "thumbs.py")["file_intent"]
    assert intent == "Resize every image in a folder to a thumbnail.", intent


def test_option_parsing_is_described_by_the_options_it_handles(engine: StructuralEngine) -> None:
    body = run(engine, _SCRIPT_WITH_HELP, "shellscript", "unpack")
    loop = body["responsibility_blocks"][block_of(body, line_of(_SCRIPT_WITH_HELP, "while :"))]
    assert "--h" in loop["description"], loop
    assert "--v" in loop["description"], loop
    assert "opening with" not in loop["description"], loop


def test_options_tested_in_conditions_are_named_with_the_section(
    engine: StructuralEngine,
) -> None:
    source = (
        '#!/bin/sh\nif [ "$1" = "-h" ] || [ "$1" = "--help" ]; then\n  echo "usage: x"\n'
        "  exit 0\nfi\n\n" + "".join(f"cp /etc/file{i} /tmp/file{i}\n" for i in range(8))
    )
    body = run(engine, source, "shellscript", "x")
    first = body["responsibility_blocks"][block_of(body, 2)]
    assert "--help" in first["description"], first
    assert "Top-level" not in first["label"], first


def test_undocumented_functions_are_described_by_what_their_names_do(
    engine: StructuralEngine,
) -> None:
    source = (
        "package net\n\n"
        "func (c *Conn) SetDeadline(t int) error { c.rd = t; c.wd = t; return nil }\n\n"
        "func (c *Conn) SetReadDeadline(t int) error { c.rd = t; return nil }\n\n"
        "func (c *Conn) SetWriteDeadline(t int) error { c.wd = t; return nil }\n"
    )
    body = run(engine, source, "go", "conn.go")
    text = " ".join(b["description"] for b in body["responsibility_blocks"]).lower()
    assert "sets the" in text, text
    assert "deadline" in text, text
    assert "setdeadline" not in text, text  # words, not the names again


def _prototype_class(name: str, methods: int) -> str:
    lines = [
        f"// {name} keeps its own state between calls.",
        f"function {name}(options) {{",
        "  this.options = options;",
        "  this.count = 0;",
        "}",
        "",
    ]
    for index in range(methods):
        lines += [
            f"{name}.prototype.step{index} = function (value) {{",
            "  this.count += value;",
            "  return this.count;",
            "};",
            "",
        ]
    return "\n".join(lines)


def test_prototype_methods_stay_with_their_constructor(engine: StructuralEngine) -> None:
    source = "'use strict';\n\n" + "".join(
        _prototype_class(name, 4)
        for name in ("StreamReader", "StreamWriter", "StreamParser", "StreamPrinter")
    )
    body = run(engine, source, "javascript", "classes.js")
    for name in ("StreamReader", "StreamWriter", "StreamParser", "StreamPrinter"):
        head = line_of(source, f"function {name}(")
        block = block_of(body, head)
        # A constructor opens its block, and its prototype methods are in the same one.
        assert block_of(body, line_of(source, f"{name}.prototype.step2")) == block, body
        assert block == 0 or block_of(body, head - 2) != block, body


def test_pod_after_end_is_documentation_not_top_level_code(engine: StructuralEngine) -> None:
    subs = "".join(
        f"sub step{i} {{\n    my ($self) = @_;\n    return $self->{{n}} + {i};\n}}\n\n"
        for i in range(12)
    )
    pod = "".join(
        f"=head1 {title}\n\n" + "Words about the module that a reader may want.\n" * 12 + "\n"
        for title in ("NAME", "SYNOPSIS", "DESCRIPTION", "METHODS", "AUTHOR")
    )
    source = f"package Counter;\nuse strict;\n\n{subs}1;\n__END__\n\n{pod}=cut\n"
    body = run(engine, source, "perl", "Counter.pm")
    start = line_of(source, "=head1 NAME")
    blocks = body["responsibility_blocks"]
    block = blocks[block_of(body, start)]
    said = [block["label"], *(c["label"] for c in block.get("children", []))]
    assert all("Top-level" not in label for label in said), said
    assert "Code opening" not in block["description"], block


def test_long_documentation_opens_at_its_top_headings(engine: StructuralEngine) -> None:
    items = "".join(f"=item {{t{i}}} : Tongue {i}\n\nSpoken somewhere.\n\n" for i in range(120))
    pod = (
        "=head1 NAME\n\nTongues - names of tongues\n\n=head1 DESCRIPTION\n\n"
        + "It names them.\n" * 20
        + "\n=head1 LIST OF TONGUES\n\n=over\n\n"
        + items
        + "=back\n\n=head1 AUTHOR\n\nSomeone.\n\n=cut\n"
    )
    subs = "".join(f"sub f{i} {{ return {i}; }}\n\n" for i in range(6))
    source = f"package Tongues;\nuse strict;\n\n{subs}1;\n__END__\n\n{pod}"
    body = run(engine, source, "perl", "Tongues.pm")
    doc = body["responsibility_blocks"][block_of(body, line_of(source, "=head1 NAME"))]
    starts = [c["ranges"][0][0] for c in doc.get("children", [])]
    headings = [line_of(source, h) for h in ("=head1 DESCRIPTION", "=head1 LIST", "=head1 AUTHOR")]
    # The children are the =head1 sections, not a run of =item entries.
    assert set(headings) <= set(starts), (starts, headings)
    assert len(starts) <= 6, starts


def test_a_name_that_says_not_is_never_labelled_without_it(engine: StructuralEngine) -> None:
    source = "".join(
        f"public final class Checks{{\n    static void requireNonNull{i}(Object o) {{\n"
        f"        if (o == null) throw new NullPointerException();\n    }}\n}}\n"
        for i in range(1)
    )
    labels_said = " ".join(labels(run(engine, source, "java", "Checks.java"))).lower()
    assert "requiring null" not in labels_said, labels_said


def test_a_remark_on_one_line_is_not_a_sections_description(engine: StructuralEngine) -> None:
    source = (
        "#!/bin/sh\n"
        + "".join(f"# res={i} means that nothing matched yet\nres{i}=0\n" for i in range(3))
        + "".join(f"cp /etc/a{i} /tmp/b{i}\n" for i in range(6))
    )
    body = run(engine, source, "shellscript", "copier")
    for block in body["responsibility_blocks"]:
        assert "means that nothing matched" not in block["description"], block


def test_several_documented_members_are_described_together(engine: StructuralEngine) -> None:
    source = "class Stack:\n" + "".join(
        f'    def {name}(self, item=None):\n        """{doc}"""\n        return item\n\n'
        for name, doc in (
            ("push", "Push an item onto the top of the stack."),
            ("pop", "Remove and return the top item."),
            ("peek", "Return the top item without removing it."),
        )
    )
    body = run(engine, source, "python", "stack.py")
    text = " ".join(b["description"] for b in body["responsibility_blocks"]).lower()
    assert "pushes an item" in text, text
    assert "top item" in text, text


@pytest.mark.parametrize("path", outside_files(), ids=lambda p: p.name)
def test_no_label_is_said_twice_anywhere_in_the_tree(engine: StructuralEngine, path: Path) -> None:
    body, _ = run_file(engine, path)

    def walk(blocks: list[dict[str, Any]]) -> list[str]:
        return [x for b in blocks for x in (b["label"].lower(), *walk(b.get("children", [])))]

    said = walk(body["responsibility_blocks"])
    assert len(said) == len(set(said)), sorted(x for x in said if said.count(x) > 1)


@pytest.mark.parametrize("path", outside_files(), ids=lambda p: p.name)
def test_descriptions_are_sentences_without_name_lists(
    engine: StructuralEngine, path: Path
) -> None:
    body, _ = run_file(engine, path)
    for block in body["responsibility_blocks"]:
        description = block["description"]
        assert not re.search(r"\band \d+ more\b", description), description
        assert not description.lower().startswith(block["label"].lower() + ":"), description
        assert description.endswith((".", "!", "?", ")")), description


# --- robustness ------------------------------------------------------------------------


def test_minified_500_kb_line_gets_a_valid_answer(engine: StructuralEngine) -> None:
    piece = "function f{0}(a,b){{return a+b*{0}}}var v{0}=f{0}(1,2);"
    source = "".join(piece.format(i) for i in range(12_000))[:500_000] + "\n"
    body = run(engine, source, "javascript", "bundle.min.js")
    assert body["responsibility_blocks"][0]["ranges"] == [[1, 1]]


def test_twenty_thousand_line_file_gets_a_valid_answer(engine: StructuralEngine) -> None:
    parts = [
        f"def handler_{i}(request):\n    value = helper_{i % 50}(request)\n    return value\n\n"
        for i in range(5_000)
    ]
    source = "".join(parts)
    body = run(engine, source, "python", "huge.py")
    assert 4 <= len(body["responsibility_blocks"]) <= 12
    for block in entries(body["responsibility_blocks"]):
        start, end = block["ranges"][0][0], block["ranges"][-1][1]
        assert end - start + 1 <= 150 or block.get("children"), block["label"]


def test_deeply_nested_and_odd_input_never_raises(engine: StructuralEngine) -> None:
    cases = {
        "python": "x = " + "(" * 3000 + "1" + ")" * 3000 + "\n",
        "javascript": "if (a) {\n" * 500 + "f();\n" + "}\n" * 500,
        "typescript": "\t\tconst é = '東京';\n\texport { é };\n",
        "go": "package main\n\x00\x01 func (\n",
        "cpp": "#define X(a) a\n" * 50 + "int main(){return X(0);}\n",
    }
    for language, source in cases.items():
        run(engine, source, language, f"odd.{language}")


def test_concurrent_analyses_match_sequential_ones(engine: StructuralEngine) -> None:
    names = ["flask_app.py", "api_client.ts", "todo_list.jsx", "http_handlers.go"]
    sources = {n: read_sample(SAMPLES / n) for n in names}
    expected = {n: run(engine, s, detect_language(n).id, n) for n, s in sources.items()}  # type: ignore[union-attr]
    mismatches: list[str] = []

    def work(name: str) -> None:
        for _ in range(10):
            got = run(engine, sources[name], detect_language(name).id, name)  # type: ignore[union-attr]
            if got != expected[name]:
                mismatches.append(name)

    threads = [threading.Thread(target=work, args=(n,)) for n in names * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not mismatches


def test_output_is_deterministic(engine: StructuralEngine) -> None:
    first, _ = run_file(engine, SAMPLES / "express_routes.js")
    second, _ = run_file(engine, SAMPLES / "express_routes.js")
    assert first == second


def test_answers_are_identical_across_processes_with_different_hash_seeds() -> None:
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from iris_codes.engines.structural import StructuralEngine\n"
        "engine = StructuralEngine()\n"
        "out = []\n"
        "for name, language in (('flask_app.py', 'python'), ('express_routes.js', 'javascript'),"
        " ('http_handlers.go', 'go'), ('OrderService.java', 'java')):\n"
        "    text = Path(sys.argv[1], name).read_text(encoding='utf-8')\n"
        "    out.append(engine.analyze(text, language, name).to_dict())\n"
        "print(json.dumps(out))\n"
    )
    outputs = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", script, str(SAMPLES)],
            env=env, capture_output=True, text=True, check=True, timeout=60,
        )  # fmt: skip
        outputs.add(done.stdout)
    assert len(outputs) == 1


# --- the vocabulary ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("verb", "gerund"),
    [("parse", "parsing"), ("get", "getting"), ("split", "splitting"), ("open", "opening"),
     ("setup", "setting up"), ("read", "reading"), ("tie", "tying"), ("format", "formatting")],
)  # fmt: skip
def test_gerunds_follow_english_spelling(verb: str, gerund: str) -> None:
    assert vocabulary.gerund(verb) == gerund


@pytest.mark.parametrize(
    ("word", "gerund"),
    [("copies", "copying"), ("returns", "returning"), ("describing", "describing")],
)
def test_a_verbs_other_forms_make_its_gerund(word: str, gerund: str) -> None:
    assert vocabulary.gerund(word) == gerund


def test_only_count_nouns_take_a_plural() -> None:
    for noun, plural in (("handler", "handlers"), ("entry", "entries"), ("analysis", "analyses")):
        assert vocabulary.plural(noun) == plural
    for word in ("previous", "available", "based"):
        assert vocabulary.plural(word) == word


def test_words_include_inflections_but_not_identifiers() -> None:
    for word in ("parsing", "decorators", "serializer", "cookies", "recompress"):
        assert vocabulary.is_word(word), word
    for token in ("fnmatch", "putline", "stls", "getaddrinfo"):
        assert not vocabulary.is_word(token), token


def test_acronyms_are_the_capitals_the_author_writes_twice() -> None:
    found = vocabulary.acronyms("Speaks SMTP and POP3. SMTP AND POP3 AND")
    assert {"smtp", "pop3"} <= found
    assert "and" not in found


def test_a_comment_line_ending_in_a_colon_heads_a_section(engine: StructuralEngine) -> None:
    body_lines = []
    for index in range(8):
        body_lines.append(f"    def command_{index}(self):\n        return self.send({index})\n\n")
    source = (
        "class Client:\n    def send(self, value):\n        return value\n\n"
        + "".join(body_lines[:4])
        + "    # optional commands:\n\n"
        + "".join(body_lines[4:])
    )
    body = run(engine, source, "python", "client.py")
    assert "Optional commands" in labels(body)


def test_a_long_doc_comment_is_cut_at_its_own_headings(engine: StructuralEngine) -> None:
    def part(title: str, words: str) -> str:
        head = f" * <h2>{title}</h2>\n" if title else ""
        return head + "\n".join(f" * {words} {n}." for n in range(40)) + "\n"

    source = (
        "package org.example;\n\nimport java.util.List;\n\n/**\n"
        + part("", "Overview line")
        + part("Developing provider services", "Service line")
        + part("Deploying providers", "Deployment line")
        + part("Packaging resource bundles", "Packaging line")
        + " */\npublic interface Provider {\n    List<String> names();\n}\n"
    )
    body = run(engine, source, "java", "Provider.java")
    found = [block["label"] for block in entries(body["responsibility_blocks"])]
    for title in ("Developing provider services", "Deploying providers"):
        assert title in found, found
    # The headings cut the documentation into sub-blocks; no top-level cut falls inside it.
    doc_start, doc_end = line_of(source, "/**"), line_of(source, " */")
    for block in body["responsibility_blocks"]:
        assert not doc_start < block["ranges"][0][0] <= doc_end, block["label"]
