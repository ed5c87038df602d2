"""StructuralEngine: valid, cohesive, well-named, ordered answers for every sample and edge case."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from invariants import assert_valid_analysis
from iris_codes.engines import naming
from iris_codes.engines.base import Engine
from iris_codes.engines.structural import StructuralEngine
from iris_codes.models import Analysis
from iris_codes.postprocess import enforce
from iris_codes.syntax.languages import detect_language
from iris_codes.syntax.units import Unit
from support import read_sample, sample_files

SAMPLES = Path(__file__).parent / "samples"
GENERIC = {"misc", "miscellaneous", "helpers", "utilities", "utils", "other", "stuff"}


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


def run_sample(engine: StructuralEngine, name: str) -> tuple[dict[str, Any], str]:
    path = SAMPLES / name
    source = read_sample(path).replace("\r\n", "\n")
    language = detect_language(path.name)
    assert language is not None
    return run(engine, source, language.id, path.name), source


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


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.name)
def test_every_sample_gets_a_valid_answer(engine: StructuralEngine, path: Path) -> None:
    source = read_sample(path).replace("\r\n", "\n")
    language = detect_language(path.name)
    assert language is not None
    body = run(engine, source, language.id, path.name)
    blocks = body["responsibility_blocks"]
    if source.strip():
        assert 1 <= len(blocks) <= 8
        if len(source.split("\n")) < 30:
            assert len(blocks) <= 2
    for block in blocks:
        assert not set(block["label"].lower().split()) <= GENERIC, block["label"]
        assert "\n" not in block["description"]
    assert body["metadata"]["engine"] == "structural"


def test_engine_follows_the_engine_protocol(engine: StructuralEngine) -> None:
    assert isinstance(engine, Engine)
    assert engine.name == "structural"
    assert re.fullmatch(r"structural:\d+", engine.cache_identity())
    health = engine.health()
    assert health["status"] == "ok"
    assert health["languages"] >= 22


def test_empty_file_gives_empty_file_intent_and_no_blocks(engine: StructuralEngine) -> None:
    analysis = engine.analyze("\n\n", "python", "empty.py")
    assert analysis == Analysis("Empty file", (), {"engine": "structural"})


SCATTERED = '''"""Invoices and e-mail notifications, written in no particular order."""

import smtplib
from decimal import Decimal
from email.message import EmailMessage

SMTP_HOST = "localhost"
VAT_RATE = Decimal("0.2")
AUDIT_PREFIX = "AUDIT"


def invoice_subtotal(invoice_lines):
    return sum(line.price * line.quantity for line in invoice_lines)


def build_email_message(recipient, subject, body):
    message = EmailMessage()
    message["To"] = recipient
    message["Subject"] = subject
    message.set_content(body)
    return message


def invoice_vat(invoice_lines):
    return invoice_subtotal(invoice_lines) * VAT_RATE


def send_email_message(message):
    with smtplib.SMTP(SMTP_HOST) as smtp:
        smtp.send_message(message)


def invoice_total(invoice_lines):
    return invoice_subtotal(invoice_lines) + invoice_vat(invoice_lines)


def append_audit_entry(audit_path, actor, action):
    with open(audit_path, "a", encoding="utf-8") as audit_file:
        audit_file.write(format_audit_entry(actor, action) + "\n")


def email_invoice_reminder(recipient, invoice_lines):
    body = "Amount due: " + str(invoice_total(invoice_lines))
    send_email_message(build_email_message(recipient, "Invoice reminder", body))


def format_audit_entry(actor, action):
    return f"{AUDIT_PREFIX} {actor}: {action}"


def read_audit_entries(audit_path):
    with open(audit_path, encoding="utf-8") as audit_file:
        return [line for line in audit_file if line.startswith(AUDIT_PREFIX)]
'''


def test_scattered_code_of_one_concern_lands_in_one_block(engine: StructuralEngine) -> None:
    body = run(engine, SCATTERED, "python", "billing.py")
    invoice = {block_of(body, line_of(SCATTERED, f"def {n}(")) for n in
               ("invoice_subtotal", "invoice_vat", "invoice_total")}  # fmt: skip
    email = {block_of(body, line_of(SCATTERED, f"def {n}(")) for n in
             ("build_email_message", "send_email_message")}  # fmt: skip
    audit = {block_of(body, line_of(SCATTERED, f"def {n}(")) for n in
             ("append_audit_entry", "format_audit_entry", "read_audit_entries")}  # fmt: skip
    assert len(invoice) == 1, body
    assert len(email) == 1, body
    assert len(audit) == 1, body
    assert len(invoice | email | audit) == 3


def test_imports_and_constants_attach_to_the_blocks_using_them(engine: StructuralEngine) -> None:
    body = run(engine, SCATTERED, "python", "billing.py")
    assert block_of(body, line_of(SCATTERED, "import smtplib")) == block_of(
        body, line_of(SCATTERED, "def send_email_message(")
    )
    assert block_of(body, line_of(SCATTERED, "from decimal import")) == block_of(
        body, line_of(SCATTERED, "def invoice_vat(")
    )
    assert block_of(body, line_of(SCATTERED, "VAT_RATE =")) == block_of(
        body, line_of(SCATTERED, "def invoice_vat(")
    )
    import_lines = {line_of(SCATTERED, "import smtplib"), line_of(SCATTERED, "from decimal")}
    for block in body["responsibility_blocks"]:
        lines = {n for start, end in block["ranges"] for n in range(start, end + 1)}
        assert not lines <= import_lines, f"imports alone in {block['label']!r}"


def test_labels_come_from_the_code_vocabulary(engine: StructuralEngine) -> None:
    body = run(engine, SCATTERED, "python", "billing.py")
    labels = " ".join(b["label"].lower() for b in body["responsibility_blocks"])
    assert "invoice" in labels
    assert "email" in labels
    assert "audit" in labels


def test_intent_is_the_module_docstring_first_sentence(engine: StructuralEngine) -> None:
    body = run(engine, SCATTERED, "python", "billing.py")
    assert body["file_intent"] == (
        "Invoices and e-mail notifications, written in no particular order."
    )


def test_intent_without_docstring_names_role_and_domain(engine: StructuralEngine) -> None:
    body, _ = run_sample(engine, "express_routes.js")
    assert body["file_intent"].startswith("Express routes for user")
    body, _ = run_sample(engine, "todo_list.jsx")
    assert body["file_intent"].startswith("React component TodoList")


def test_route_handlers_come_first_and_say_so(engine: StructuralEngine) -> None:
    body, source = run_sample(engine, "flask_app.py")
    first = body["responsibility_blocks"][0]
    assert block_of(body, line_of(source, '@app.get("/books/<isbn>")')) == 0
    assert "route" in first["label"].lower()
    body, source = run_sample(engine, "http_handlers.go")
    assert block_of(body, line_of(source, 'mux.HandleFunc("/notes"')) == 0
    assert "route" in body["responsibility_blocks"][0]["label"].lower()


def test_cli_entry_point_comes_first(engine: StructuralEngine) -> None:
    body, source = run_sample(engine, "cli_tool.py")
    assert block_of(body, line_of(source, "def main(")) == 0
    assert "CLI entry point" in body["responsibility_blocks"][0]["label"]
    roles = [b["label"] for b in body["responsibility_blocks"] if "CLI" in b["label"]]
    assert len(roles) == 1


def test_react_component_rendering_is_recognised(engine: StructuralEngine) -> None:
    body, source = run_sample(engine, "user_profile.tsx")
    first = body["responsibility_blocks"][0]
    assert block_of(body, line_of(source, "export function UserProfile")) == 0
    assert "component rendering" in first["label"].lower()


def test_data_models_and_validation_are_recognised(engine: StructuralEngine) -> None:
    body, _source = run_sample(engine, "user_profile.tsx")
    labels = {b["label"] for b in body["responsibility_blocks"]}
    assert "User profile props type" in labels
    assert any("validation" in label for label in labels)


def test_small_files_get_one_or_two_blocks(engine: StructuralEngine) -> None:
    body, _ = run_sample(engine, "crlf_settings.py")
    assert 1 <= len(body["responsibility_blocks"]) <= 2


def test_larger_files_get_three_to_eight_blocks(engine: StructuralEngine) -> None:
    for name in ("flask_app.py", "api_client.ts", "http_handlers.go", "OrderService.java"):
        body, _ = run_sample(engine, name)
        assert 3 <= len(body["responsibility_blocks"]) <= 8, name


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
    assert 3 <= len(body["responsibility_blocks"]) <= 8


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
    first, _ = run_sample(engine, "express_routes.js")
    second, _ = run_sample(engine, "express_routes.js")
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


# --- Label quality on class-heavy modules -------------------------------------------------

TIERED_CACHE = '''"""An in-process cache tier with per-key locks."""

import threading
import time


class MemoryTier:
    """Entries held in memory, bounded by count."""

    def __init__(self, max_entries):
        self._entries = {}
        self._locks = {}
        self._guard = threading.Lock()
        self.max_entries = max_entries

    def try_lock(self, key, ttl):
        """Take the per-process lock on ``key`` for ``ttl`` seconds (None when held)."""
        with self._guard:
            held = self._locks.get(key)
            if held is not None and held > time.monotonic():
                return None
            self._locks[key] = time.monotonic() + ttl
            return key

    def unlock(self, key):
        """Release the lock on ``key``."""
        with self._guard:
            self._locks.pop(key, None)
            self._locks.pop(key + ":extra", None)

    def lock_holder(self, key):
        with self._guard:
            return self._locks.get(key)

    def get(self, key):
        """The value stored under ``key`` (moved to most recent), or None."""
        with self._guard:
            value = self._entries.pop(key, None)
            if value is not None:
                self._entries[key] = value
            return value

    def set(self, key, value):
        """Store ``value`` under ``key``, evicting the oldest entries past the bound."""
        with self._guard:
            self._entries[key] = value
            while len(self._entries) > self.max_entries:
                self._entries.pop(next(iter(self._entries)))

    def delete(self, key):
        with self._guard:
            self._entries.pop(key, None)
            self._entries.pop(key + ":meta", None)
'''


def _unit(uid: int, kind: str, name: str, start: int, end: int, **extra: Any) -> Unit:
    return Unit(uid, kind, name, start, end, **extra)


def test_method_blocks_of_one_class_get_distinct_labels_saying_what_they_do() -> None:
    locks = [
        _unit(
            1,
            "method",
            "try_lock",
            10,
            20,
            parent="MemoryTier",
            signature="def try_lock(self, key, ttl):",
        ),
        _unit(
            2, "method", "unlock", 21, 26, parent="MemoryTier", signature="def unlock(self, key):"
        ),
    ]
    entries = [
        _unit(3, "method", "get", 30, 38, parent="MemoryTier", signature="def get(self, key):"),
        _unit(
            4, "method", "set", 39, 48, parent="MemoryTier", signature="def set(self, key, value):"
        ),
        _unit(
            5, "method", "delete", 49, 52, parent="MemoryTier", signature="def delete(self, key):"
        ),
    ]
    infos = [naming.describe_block(units, "") for units in (locks, entries)]
    first, second = naming.label_blocks(infos)
    assert first != second
    assert "locking" in first.lower()
    assert "lookup" in second.lower()
    assert "storage" in second.lower()
    for label in (first, second):
        assert "methods" not in label.lower()
        assert "memory tier" not in label.lower()


def test_class_split_into_blocks_is_not_labelled_class_and_methods(
    engine: StructuralEngine,
) -> None:
    body = run(engine, TIERED_CACHE, "python", "memory.py")
    labels = [b["label"] for b in body["responsibility_blocks"]]
    assert len(set(labels)) == len(labels)
    assert not any(label.endswith(" methods") for label in labels), labels
    assert any("locking" in label.lower() for label in labels), labels


def test_acronyms_keep_their_case_in_labels() -> None:
    units = [
        _unit(1, "function", "parse_json_payload", 1, 10, signature="def parse_json_payload(raw):"),
        _unit(2, "function", "load_yaml_config", 11, 20, signature="def load_yaml_config(path):"),
        _unit(3, "class", "WsgiApp", 21, 40),
    ]
    labels = naming.label_blocks([naming.describe_block([u], "") for u in units])
    words = " ".join(labels).split()
    assert {"JSON", "YAML", "WSGI"} <= set(words), labels
    assert not {"Json", "json", "Yaml", "yaml", "Wsgi", "wsgi"} & set(words), labels
    assert naming.display_word("sqlite") == "SQLite"


FASTPATH = '''"""WSGI middleware answering cached requests."""

from pydantic import ValidationError


class CacheHitFastPath:
    """Serves cache hits before the framework sees the request."""

    def __init__(self, app, cache):
        self.app = app
        self.cache = cache

    def __call__(self, environ, start_response):
        try:
            key = environ["PATH_INFO"]
            hit = self.cache.lookup(key)
        except (KeyError, ValidationError, ValueError):
            hit = None
        if hit is None:
            return self.app(environ, start_response)
        start_response("200 OK", [("Content-Type", "application/json")])
        return [hit]
'''


def test_wsgi_call_catching_validation_error_is_not_labelled_validation(
    engine: StructuralEngine,
) -> None:
    body = run(engine, FASTPATH, "python", "fastpath.py")
    labels = " ".join(b["label"].lower() for b in body["responsibility_blocks"])
    assert "validation" not in labels
    call = body["responsibility_blocks"][block_of(body, line_of(FASTPATH, "def __call__"))]
    assert call["description"]


def test_wsgi_call_is_request_handling() -> None:
    call = _unit(
        1, "method", "__call__", 10, 30, parent="FastPath",
        signature="def __call__(self, environ, start_response):",
    )  # fmt: skip
    (label,) = naming.label_blocks([naming.describe_block([call], "")])
    assert "request handling" in label.lower()


def test_description_never_doubles_parentheses(engine: StructuralEngine) -> None:
    doc_with_parens = "The stored keys, re-read when the file changed (at most once a second)."
    units = [
        _unit(1, "method", "keys", 1, 20, parent="KeyStore", doc=doc_with_parens),
        _unit(2, "method", "_write", 21, 30, parent="KeyStore"),
    ]
    info = naming.describe_block(units, "")
    description = naming.describe(info, "Key file reading")
    assert ") (" not in description
    assert "at most once a second" in description
    assert "_write" in description
    for path in sample_files():
        source = read_sample(path).replace("\r\n", "\n")
        language = detect_language(path.name)
        assert language is not None
        body = run(engine, source, language.id, path.name)
        for block in body["responsibility_blocks"]:
            assert ") (" not in block["description"], (path.name, block["description"])


def test_banner_comment_is_not_used_as_a_description() -> None:
    unit = _unit(1, "function", "connect", 1, 20, doc="-- internals -------------------------")
    info = naming.describe_block([unit], "")
    assert "---" not in naming.describe(info, "Connection logic")


def test_methods_without_verbs_are_named_by_what_they_do() -> None:
    units = [
        _unit(1, "method", "qsize", 1, 4, parent="Queue"),
        _unit(2, "method", "empty", 5, 17, parent="Queue"),
        _unit(3, "method", "full", 18, 27, parent="Queue"),
    ]
    (label,) = naming.label_blocks([naming.describe_block(units, "")])
    assert label == "Queue size queries"


def test_private_helpers_weigh_less_than_public_methods() -> None:
    units = [
        _unit(1, "method", "_lead", 1, 30, parent="Service"),
        _unit(2, "method", "_single_flight", 31, 60, parent="Service"),
        _unit(3, "method", "__init__", 61, 76, parent="Service"),
        _unit(4, "method", "health", 77, 89, parent="Service"),
    ]
    (label,) = naming.label_blocks([naming.describe_block(units, "")])
    assert label == "Single-flight coordination"


def test_docstring_verb_names_an_action_the_name_does_not() -> None:
    units = [
        _unit(1, "function", "keys_create", 1, 12, doc="Create a key called NAME."),
        _unit(2, "function", "keys_revoke", 13, 20, doc="Revoke the key called NAME."),
    ]
    (label,) = naming.label_blocks([naming.describe_block(units, "")])
    assert label == "Key creation and revocation"


def test_parameter_words_like_name_do_not_become_the_object() -> None:
    units = [
        _unit(1, "function", "inc", 1, 7, signature="def inc(name, amount=1.0):",
              doc="Add ``amount`` to the counter ``name``."),
        _unit(2, "function", "publish", 8, 22, doc="Write this process's counters to its file."),
        _unit(3, "function", "_counters", 23, 25),
    ]  # fmt: skip
    (label,) = naming.label_blocks([naming.describe_block(units, "")])
    assert label == "Counter publishing"


def test_persistence_words_in_strings_and_comments_are_not_persistence() -> None:
    text = (
        "def describe(word):\n"
        '    """Say what the database would call it."""\n'
        '    return {"commit": "commits", "execute": "execution"}.get(word)  # cursor\n'
    )
    unit = _unit(1, "function", "describe", 1, 3)
    assert naming.describe_block([unit], text).role == ""
    real = (
        "def save(conn, row):\n"
        '    conn.execute("INSERT INTO t VALUES (?)", row)\n'
        "    conn.commit()\n"
    )
    assert naming.describe_block([_unit(1, "function", "save", 1, 3)], real).role == "persistence"


def test_julia_module_is_not_labelled_a_class(engine: StructuralEngine) -> None:
    source = (SAMPLES / "stats.jl").read_text()
    body = run(engine, source, "julia", "stats.jl")
    labels = [block["label"] for block in body["responsibility_blocks"]]
    assert not any(label.endswith(" class") for label in labels), labels


def test_class_header_block_says_what_its_methods_do_of_the_class() -> None:
    units = [
        _unit(1, "class", "Service", 1, 2),
        _unit(2, "method", "health", 3, 15, parent="Service"),
        _unit(3, "method", "warm_up", 16, 24, parent="Service"),
        _unit(4, "method", "engine", 25, 34, parent="Service"),
    ]
    (label,) = naming.label_blocks([naming.describe_block(units, "")])
    assert label == "Service health checks and warm-up"


def test_short_verbless_methods_read_as_accessors() -> None:
    units = [
        _unit(1, "method", "cache_path", 1, 3, parent="Settings"),
        _unit(2, "method", "keys_path", 4, 6, parent="Settings"),
        _unit(3, "method", "llm_configured", 7, 9, parent="Settings"),
    ]
    (label,) = naming.label_blocks([naming.describe_block(units, "")])
    assert label.endswith("accessors")


def test_intent_without_a_domain_word_ends_cleanly(engine: StructuralEngine) -> None:
    analysis = engine.analyze("def main():\n    pass\n", "python", "app.py")
    assert analysis.file_intent == "Python command-line program"
