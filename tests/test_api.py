"""The HTTP API, exercised over real HTTP against a real ``iris serve``."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
import requests

from invariants import assert_valid_analysis
from iris_codes.errors import IrisError
from iris_codes.testing import ServerProcess
from support import StartServer, post_analyze, read_sample, sample_files

PYTHON_SOURCE = '''"""Order lifecycle helpers."""

import enum


class OrderState(enum.Enum):
    NEW = "new"
    PAID = "paid"


def pay(order: dict) -> dict:
    """Mark an order as paid."""
    order["state"] = OrderState.PAID
    return order
'''

LANGUAGE_SOURCES = {
    "python": ("orders.py", PYTHON_SOURCE),
    "javascript": (
        "server.js",
        "const express = require('express');\nconst app = express();\n\n"
        "app.get('/users', (req, res) => {\n  res.json([]);\n});\n\n"
        "function start(port) {\n  app.listen(port);\n}\n\nmodule.exports = { start };\n",
    ),
    "typescript": (
        "user.ts",
        "export interface User {\n  id: number;\n  name: string;\n}\n\n"
        "export function greet(user: User): string {\n  return `Hello ${user.name}`;\n}\n",
    ),
    "javascriptreact": (
        "Button.jsx",
        "import React from 'react';\n\nexport default function Button({ label, onClick }) {\n"
        "  return <button onClick={onClick}>{label}</button>;\n}\n",
    ),
    "typescriptreact": (
        "Counter.tsx",
        "import { useState } from 'react';\n\ntype Props = { start: number };\n\n"
        "export function Counter({ start }: Props) {\n  const [n, setN] = useState(start);\n"
        "  return <button onClick={() => setN(n + 1)}>{n}</button>;\n}\n",
    ),
}


@pytest.mark.parametrize("language", sorted(LANGUAGE_SOURCES))
def test_analyzes_each_core_language(shared_server: ServerProcess, language: str) -> None:
    filename, source = LANGUAGE_SOURCES[language]
    body = {"filename": filename, "language": language, "source_code": source, "metadata": {}}
    reply = post_analyze(shared_server, body)
    assert reply.status_code == 200, reply.text
    assert_valid_analysis(reply.json(), source)
    assert reply.json()["metadata"]["engine"] == "structural"


@pytest.mark.parametrize("language", sorted(LANGUAGE_SOURCES))
def test_detects_language_from_filename_when_omitted(
    shared_server: ServerProcess, language: str
) -> None:
    filename, source = LANGUAGE_SOURCES[language]
    reply = post_analyze(shared_server, {"filename": filename, "source_code": source})
    assert reply.status_code == 200, reply.text
    assert_valid_analysis(reply.json(), source)


def test_echoes_client_metadata_and_reports_timing(shared_server: ServerProcess) -> None:
    client_meta = {"extension_version": "1.4.2", "request_source": "vscode"}
    body = {"filename": "orders.py", "source_code": PYTHON_SOURCE, "metadata": client_meta}
    meta = post_analyze(shared_server, body).json()["metadata"]
    assert meta["extension_version"] == "1.4.2"
    assert meta["request_source"] == "vscode"
    assert meta["engine"] == "structural"
    assert isinstance(meta["latency_ms"], float | int)


def test_second_identical_request_is_a_cache_hit(shared_server: ServerProcess) -> None:
    body = {"filename": "hit.py", "source_code": PYTHON_SOURCE + "\n# hit test\n"}
    first = post_analyze(shared_server, body)
    second = post_analyze(shared_server, body)
    assert first.json()["metadata"]["cache_hit"] == 0
    assert second.json()["metadata"]["cache_hit"] == 1
    assert second.headers["X-Iris-Cache"] == "hit"
    assert second.json()["responsibility_blocks"] == first.json()["responsibility_blocks"]


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.name)
def test_every_sample_meets_the_invariants(shared_server: ServerProcess, path: Path) -> None:
    source = read_sample(path)
    reply = post_analyze(shared_server, {"filename": path.name, "source_code": source})
    assert reply.status_code == 200, reply.text
    assert_valid_analysis(reply.json(), source)


def test_empty_file_gives_empty_file_intent(shared_server: ServerProcess) -> None:
    reply = post_analyze(shared_server, {"filename": "empty.py", "source_code": ""})
    assert reply.status_code == 200
    assert reply.json()["file_intent"] == "Empty file"
    assert reply.json()["responsibility_blocks"] == []


def test_crlf_ranges_count_editor_lines(shared_server: ServerProcess) -> None:
    source = PYTHON_SOURCE.replace("\n", "\r\n")
    reply = post_analyze(shared_server, {"filename": "crlf.py", "source_code": source})
    assert reply.status_code == 200
    assert_valid_analysis(reply.json(), source)
    last_line = max(end for b in reply.json()["responsibility_blocks"] for _, end in b["ranges"])
    assert last_line <= PYTHON_SOURCE.count("\n")


# -- errors: one JSON shape, the right status and code ---------------------------------------


def _assert_error(reply: requests.Response, status: int, code: str) -> dict[str, object]:
    assert reply.status_code == status, reply.text
    assert reply.headers["Content-Type"].startswith("application/json")
    body: dict[str, object] = reply.json()
    assert body["success"] is False
    assert body["code"] == code
    assert isinstance(body["error"], str)
    assert body["error"]
    return body


def _post_raw(server: ServerProcess, raw: bytes) -> requests.Response:
    """POST bytes as they are, labelled JSON."""
    headers = {"Content-Type": "application/json"}
    return requests.post(f"{server.url}/api/iris/analyze", data=raw, headers=headers, timeout=10)


def test_rejects_malformed_json_with_400(shared_server: ServerProcess) -> None:
    reply = _post_raw(shared_server, b'{"filename": "a.py", "source_code": ')
    _assert_error(reply, 400, "malformed_json")


def test_rejects_non_object_json_with_400(shared_server: ServerProcess) -> None:
    reply = post_analyze(shared_server, ["not", "an", "object"])
    _assert_error(reply, 400, "malformed_json")


def test_rejects_missing_source_code_with_400(shared_server: ServerProcess) -> None:
    body = _assert_error(post_analyze(shared_server, {"filename": "a.py"}), 400, "missing_field")
    assert "source_code" in str(body["error"])


def test_rejects_non_json_body_with_415(shared_server: ServerProcess) -> None:
    reply = requests.post(
        f"{shared_server.url}/api/iris/analyze",
        data="print('hi')",
        headers={"Content-Type": "text/plain"},
        timeout=10,
    )
    _assert_error(reply, 415, "unsupported_media_type")


def test_rejects_oversized_source_with_413(start_server: StartServer) -> None:
    server = start_server({"IRIS_MAX_SOURCE_BYTES": "2048"})
    source = "x = 1\n" * 1000
    _assert_error(post_analyze(server, {"filename": "a.py", "source_code": source}), 413,
                  "payload_too_large")  # fmt: skip


def _raw_exchange(server: ServerProcess, head: bytes, body_parts: list[bytes]) -> bytes:
    """Send ``head`` and ``body_parts`` but never finish the body; return what comes back."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head)
        for part in body_parts:
            sock.sendall(part)
        reply = b""
        while b"\r\n\r\n" not in reply:
            data = sock.recv(65536)
            if not data:
                break
            reply += data
        return reply


def test_declared_oversized_body_gets_413_before_it_is_sent(start_server: StartServer) -> None:
    server = start_server({"IRIS_MAX_SOURCE_BYTES": "4096"})
    head = (
        b"POST /api/iris/analyze HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 10000000\r\n\r\n"
    )
    # No byte of the 10 MB body is sent: the answer can only come from the headers.
    assert _raw_exchange(server, head, []).startswith(b"HTTP/1.1 413")


def test_chunked_oversized_body_gets_413_without_the_rest_being_read(
    start_server: StartServer,
) -> None:
    server = start_server({"IRIS_MAX_SOURCE_BYTES": "4096"})
    head = (
        b"POST /api/iris/analyze HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"x" * 1024
    parts = [b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(6)]
    # 6 KiB of an unending body: the server must answer once it passes 4 KiB.
    assert _raw_exchange(server, head, parts).startswith(b"HTTP/1.1 413")


def test_rejects_unsupported_language_with_422_listing_supported(
    shared_server: ServerProcess,
) -> None:
    body = {"filename": "notes.xyz", "language": "klingon", "source_code": "qapla'"}
    error = _assert_error(post_analyze(shared_server, body), 422, "unsupported_language")
    assert "python" in str(error["error"])
    assert "python" in error["supported_languages"]


def test_rejects_undetectable_language_with_422(shared_server: ServerProcess) -> None:
    body = {"filename": "README", "source_code": "hello"}
    _assert_error(post_analyze(shared_server, body), 422, "unsupported_language")


def test_rejects_wrong_field_type_with_422(shared_server: ServerProcess) -> None:
    body = {"filename": "a.py", "source_code": 42}
    error = _assert_error(post_analyze(shared_server, body), 422, "invalid_field")
    assert "source_code" in str(error["error"])


def test_rejects_binary_source_with_422(shared_server: ServerProcess) -> None:
    body = {"filename": "a.py", "source_code": "\x00\x01ELF\x00"}
    _assert_error(post_analyze(shared_server, body), 422, "undecodable_source")


def test_rejects_non_utf8_body_with_422(shared_server: ServerProcess) -> None:
    raw = b'{"filename": "a.py", "source_code": "caf\xe9"}'
    _assert_error(_post_raw(shared_server, raw), 422, "undecodable_source")


def test_rejects_lone_surrogate_with_422(shared_server: ServerProcess) -> None:
    raw = b'{"filename": "a.py", "source_code": "x = \\"\\ud800\\""}'
    _assert_error(_post_raw(shared_server, raw), 422, "undecodable_source")


def test_unknown_path_gets_json_404(shared_server: ServerProcess) -> None:
    reply = requests.get(f"{shared_server.url}/api/iris/nope", timeout=10)
    _assert_error(reply, 404, "not_found")


def test_wrong_method_gets_json_405(shared_server: ServerProcess) -> None:
    reply = requests.get(f"{shared_server.url}/api/iris/analyze", timeout=10)
    _assert_error(reply, 405, "method_not_allowed")


# -- health, languages, spec ------------------------------------------------------------------


def test_health_needs_no_auth_and_reports_engine_and_cache(start_server: StartServer) -> None:
    server = start_server({"IRIS_API_KEY": "k-123"})
    for path in ("/api/iris/health", "/health"):
        reply = requests.get(server.url + path, timeout=10)
        assert reply.status_code == 200
        body = reply.json()
        assert body["status"] == "ok"
        assert body["primary_engine"] == "structural"
        assert body["cache"]["tier"] == "sqlite"


def test_languages_endpoint_lists_core_languages(shared_server: ServerProcess) -> None:
    listed = requests.get(f"{shared_server.url}/api/iris/languages", timeout=10).json()
    ids = {entry["id"] for entry in listed["languages"]}
    assert {"python", "javascript", "typescript", "javascriptreact", "typescriptreact"} <= ids


def test_serves_openapi_spec(shared_server: ServerProcess) -> None:
    spec = requests.get(f"{shared_server.url}/api/iris/openapi.json", timeout=10).json()
    assert spec["openapi"].startswith("3.")
    operation = spec["paths"]["/api/iris/analyze"]["post"]
    assert {"200", "400", "401", "413", "415", "422"} <= set(operation["responses"])
    assert "AnalyzeRequest" in spec["components"]["schemas"]


def test_metrics_count_requests(shared_server: ServerProcess) -> None:
    post_analyze(shared_server, {"filename": "m.py", "source_code": "x = 1\n"})
    reply = requests.get(
        f"{shared_server.url}/api/iris/metrics", headers={"Accept": "application/json"}, timeout=10
    )
    values = reply.json()["metrics"]
    assert sum(v for k, v in values.items() if k.startswith("requests_total")) >= 1


def test_request_id_is_echoed(shared_server: ServerProcess) -> None:
    reply = requests.get(
        f"{shared_server.url}/api/iris/health", headers={"X-Request-ID": "abc-123"}, timeout=10
    )
    assert reply.headers["X-Request-ID"] == "abc-123"


def test_response_shape_matches_existing_clients(shared_server: ServerProcess) -> None:
    body = {"filename": "orders.py", "language": "python", "source_code": PYTHON_SOURCE,
            "metadata": {"client": "legacy"}}  # fmt: skip
    reply = post_analyze(shared_server, body).json()
    assert set(reply) == {"success", "file_intent", "responsibility_blocks", "metadata"}
    for block in reply["responsibility_blocks"]:
        assert set(block) == {"label", "description", "ranges"}
    json.dumps(reply)


def test_a_named_unknown_language_is_422_even_with_a_detectable_filename(
    shared_server: ServerProcess,
) -> None:
    body = {"filename": "app.py", "language": "klingon", "source_code": "x = 1\n"}
    _assert_error(post_analyze(shared_server, body), 422, "unsupported_language")


def test_openapi_lists_languages_statuses_and_the_key(start_server: StartServer) -> None:
    server = start_server({"IRIS_API_KEY": "k"})
    spec = requests.get(f"{server.url}/api/iris/openapi.json", timeout=10).json()
    language = spec["components"]["schemas"]["AnalyzeRequest"]["properties"]["language"]
    names = language["anyOf"][0]["enum"]
    assert {"python", "typescriptreact", "shellscript"} <= set(names)
    analyze = spec["paths"]["/api/iris/analyze"]["post"]
    assert analyze["security"] == [{"ApiKey": []}]
    assert {"200", "400", "401", "405", "413", "415", "422", "429", "503", "504"} <= set(
        analyze["responses"]
    )
    assert "401" in spec["paths"]["/api/iris/metrics"]["get"]["responses"]
    assert spec["components"]["securitySchemes"]["ApiKey"]["name"] == "X-API-Key"


def test_the_docs_page_is_served_from_the_package(shared_server: ServerProcess) -> None:
    page = requests.get(f"{shared_server.url}/api/iris/docs", timeout=10)
    assert page.status_code == 200
    assert "text/html" in page.headers["Content-Type"]
    assert "/static/docs.js" in page.text
    assert "https://" not in page.text  # no CDN
    script = requests.get(f"{shared_server.url}/static/docs.js", timeout=10)
    assert script.status_code == 200
    assert "openapi.json" in script.text


def _error_classes() -> list[type[IrisError]]:
    import iris_codes.mcp_server.roots  # noqa: F401 - defines PathRefused

    found, pending = [], [IrisError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def _gunicorn_codes() -> set[str]:
    """The codes deploy/gunicorn.py's JSON error pages give Gunicorn's own refusals."""
    import inspect
    import re

    from gunicorn.workers import base

    reasons = set(re.findall(r'reason = "([^"]+)"', inspect.getsource(base.Worker.handle_error)))
    assert "Bad Request" in reasons  # the pattern still reads Gunicorn's source
    return {reason.lower().replace(" ", "_") for reason in reasons}


def test_every_error_code_the_package_or_gunicorn_can_give_is_documented() -> None:
    documented = (Path(__file__).resolve().parents[1] / "docs" / "api.md").read_text()
    errors = documented[documented.index("## Errors") : documented.index("## Other endpoints")]
    codes = {cls.code for cls in _error_classes()} | _gunicorn_codes()
    missing = sorted(code for code in codes if f"`{code}`" not in errors)
    assert not missing, f"error codes missing from docs/api.md's Errors section: {missing}"


@pytest.mark.parametrize(
    ("filename", "source"),
    [
        ("a.py", ""), ("src/App.TSX", ""), ("C:\\work\\main.RS", ""), ("x.c++", ""),
        (".py", ""), ("..py", ""), ("py", ""), ("README", ""), ("notes.txt", ""),
        ("a.py/", ""), ("Rakefile", ""), ("dir/.bashrc", ""), ("rakefile", ""),
        ("run", "#!/usr/bin/env python3\nprint(1)\n"), ("run", "#!/bin/bash\necho\n"),
        ("run", "#!/usr/bin/env -S node --flag\n"), ("run", "#!/usr/bin/python3.11\n"),
        ("run", "#!/usr/bin/pythonx\n"), ("run", "# not a shebang\n"), ("run", "#!\n"),
    ],
)  # fmt: skip
def test_the_spec_says_which_requests_have_a_language_the_server_can_tell(
    filename: str, source: str
) -> None:
    import re

    from iris_codes.syntax.languages import detect_language
    from iris_codes.web.openapi import openapi_spec

    rules = openapi_spec()["components"]["schemas"]["AnalyzeRequest"]["anyOf"]
    name_rule = rules[1]["properties"]["filename"]["pattern"]
    shebang_rule = rules[2]["properties"]["source_code"]["pattern"]
    allowed = bool(re.search(name_rule, filename) or re.search(shebang_rule, source))
    assert allowed == (detect_language(filename, source) is not None)
    named = {"type": "string", "minLength": 1}  # "" is as if omitted
    assert rules[0] == {"required": ["language"], "properties": {"language": named}}
