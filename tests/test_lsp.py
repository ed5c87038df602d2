"""``iris lsp``: the real server in a subprocess, spoken to over stdio with LSP framing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from invariants import assert_valid_analysis
from iris_codes.cli import main
from iris_codes.errors import ConfigError, EngineError
from iris_codes.lsp import HttpAnalyzer, convert, uri_to_filename
from iris_codes.testing import free_port
from lsp_client import LspClient, Message
from openai_stub import OpenAIStub
from support import SAMPLES, StartServer


@pytest.fixture
def start_lsp(tmp_path: Path) -> Iterator[Callable[..., LspClient]]:
    """Start real ``iris lsp`` processes (environment already cleaned); all stop afterwards."""
    started: list[LspClient] = []

    def start(
        *args: str, env: dict[str, str] | None = None, capabilities: Message | None = None
    ) -> LspClient:
        environment = {**os.environ, **(env or {})}
        client = LspClient(list(args), environment, tmp_path / f"lsp-{len(started)}.log")
        started.append(client)
        client.initialize(capabilities)
        return client

    yield start
    for client in started:
        client.close()


@pytest.fixture
def lsp(start_lsp: Callable[..., LspClient]) -> LspClient:
    return start_lsp()


def iris_analyze_json(path: Path, tmp_path: Path) -> Message:
    """What ``iris analyze --json`` prints for ``path``."""
    env = {**os.environ, "IRIS_CACHE_DIR": str(tmp_path / "cli-cache")}
    run = subprocess.run(
        [sys.executable, "-m", "iris_codes", "analyze", "--json", str(path)],
        capture_output=True,
        env=env,
        check=True,
        timeout=60,
    )
    body: Message = json.loads(run.stdout)
    return body


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def sample_uri(name: str) -> str:
    return (SAMPLES / name).as_uri()


FLASK_APP = SAMPLES / "flask_app.py"
UNICODE_TEXT = SAMPLES / "unicode_text.py"


def test_initialize_advertises_symbols_lenses_folding_and_sync(tmp_path: Path) -> None:
    client = LspClient([], dict(os.environ), tmp_path / "handshake.log")
    try:
        result = client.request(
            "initialize", {"processId": None, "rootUri": None, "capabilities": {}}
        )
        client.notify("initialized", {})
        capabilities = result["capabilities"]
        assert result["serverInfo"]["name"] == "iris"
        assert capabilities["documentSymbolProvider"]
        assert capabilities["codeLensProvider"] == {"resolveProvider": False}
        assert capabilities["foldingRangeProvider"]
        assert capabilities["textDocumentSync"]["openClose"] is True
        assert capabilities["textDocumentSync"]["change"] in (1, 2)
    finally:
        client.close()


@pytest.mark.parametrize("path", [FLASK_APP, UNICODE_TEXT], ids=lambda p: p.name)
def test_document_symbols_are_the_blocks_of_iris_analyze_with_zero_based_lines(
    lsp: LspClient, tmp_path: Path, path: Path
) -> None:
    text = path.read_text()
    lines = text.split("\n")
    expected = iris_analyze_json(path, tmp_path)["responsibility_blocks"]
    lsp.open(path.as_uri(), text)

    symbols = lsp.on("textDocument/documentSymbol", path.as_uri())

    assert [s["name"] for s in symbols] == [b["label"] for b in expected]
    for symbol, block in zip(symbols, expected, strict=True):
        first, last = block["ranges"][0][0], block["ranges"][-1][1]
        assert symbol["detail"] == block["description"]
        assert symbol["kind"] == 3  # Namespace
        assert symbol["range"] == {
            "start": {"line": first - 1, "character": 0},
            "end": {"line": last - 1, "character": utf16_length(lines[last - 1])},
        }
        assert symbol["selectionRange"]["start"] == {"line": first - 1, "character": 0}
        assert symbol["selectionRange"]["end"]["line"] == first - 1
        children = [
            (c["name"], c["range"]["start"]["line"], c["range"]["end"]["line"])
            for c in symbol["children"]
        ]
        assert children == [
            (f"lines {a}–{b}" if a != b else f"line {a}", a - 1, b - 1) for a, b in block["ranges"]
        ]


def test_code_lenses_show_intent_on_line_zero_and_each_part_of_each_block(
    lsp: LspClient, tmp_path: Path
) -> None:
    expected = iris_analyze_json(FLASK_APP, tmp_path)
    lsp.open(FLASK_APP.as_uri(), FLASK_APP.read_text())

    lenses = lsp.on("textDocument/codeLens", FLASK_APP.as_uri())

    shown = [(lens["range"]["start"]["line"], lens["command"]["title"]) for lens in lenses]
    wanted = [(0, f"IRIS: {expected['file_intent']}")]
    for number, block in enumerate(expected["responsibility_blocks"], start=1):
        parts = len(block["ranges"])
        for part, (start, _) in enumerate(block["ranges"], start=1):
            suffix = f" ({part} of {parts} parts)" if parts > 1 else ""
            wanted.append((start - 1, f"§{number} {block['label']}{suffix}"))
    assert shown == wanted
    assert any(" (2 of " in title for _, title in shown)  # the sample has scattered blocks


def test_folding_ranges_cover_each_multi_line_range_in_file_order(
    lsp: LspClient, tmp_path: Path
) -> None:
    expected = iris_analyze_json(FLASK_APP, tmp_path)["responsibility_blocks"]
    lsp.open(FLASK_APP.as_uri(), FLASK_APP.read_text())

    folds = lsp.on("textDocument/foldingRange", FLASK_APP.as_uri())

    spans = sorted((a - 1, b - 1) for block in expected for a, b in block["ranges"] if b > a)
    assert [(f["startLine"], f["endLine"]) for f in folds] == spans
    assert all(f["kind"] == "region" for f in folds)


def test_did_change_updates_the_answer(lsp: LspClient, tmp_path: Path) -> None:
    uri = "file:///work/project/flask_app.py"  # the name the CLI sees below
    lsp.open(uri, "def area(r):\n    return 3.14 * r * r\n")
    before = lsp.on("textDocument/documentSymbol", uri)

    new_text = FLASK_APP.read_text()
    lsp.change(uri, new_text, version=2)
    after = lsp.on("textDocument/documentSymbol", uri)
    raw = lsp.on("iris/analyze", uri)

    expected = iris_analyze_json(FLASK_APP, tmp_path)["responsibility_blocks"]
    assert len(before) == 1
    assert before[0]["range"]["end"]["line"] == 1
    assert [s["name"] for s in after] == [b["label"] for b in expected]
    assert raw["responsibility_blocks"] == expected
    assert_valid_analysis(raw, new_text)


def test_iris_analyze_request_returns_the_api_json(lsp: LspClient, tmp_path: Path) -> None:
    text = FLASK_APP.read_text()
    lsp.open(FLASK_APP.as_uri(), text)

    body = lsp.on("iris/analyze", FLASK_APP.as_uri())

    assert_valid_analysis(body, text)
    assert set(body) == {"success", "file_intent", "responsibility_blocks", "metadata"}
    assert {"engine", "cache_hit", "latency_ms"} <= set(body["metadata"])
    expected = iris_analyze_json(FLASK_APP, tmp_path)
    assert body["file_intent"] == expected["file_intent"]
    assert body["responsibility_blocks"] == expected["responsibility_blocks"]


def test_uses_the_llm_when_configured_and_its_cache_across_documents(
    start_lsp: Callable[..., LspClient], openai_stub: OpenAIStub
) -> None:
    env = {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": openai_stub.base_url}
    client = start_lsp(env={**env, "IRIS_LLM_API": "chat"})
    text = FLASK_APP.read_text()
    client.open("file:///one/flask_app.py", text)
    client.open("file:///two/flask_app.py", text)

    first = client.on("iris/analyze", "file:///one/flask_app.py")
    second = client.on("iris/analyze", "file:///two/flask_app.py")

    assert_valid_analysis(first, text)
    assert first["metadata"]["engine"] == "llm"
    assert "degraded" not in first["metadata"]
    assert second["responsibility_blocks"] == first["responsibility_blocks"]
    assert openai_stub.total_calls() == 1


def test_iris_analyze_on_a_closed_document_is_an_invalid_params_error(lsp: LspClient) -> None:
    response = lsp.request_raw("iris/analyze", {"textDocument": {"uri": "file:///nowhere.py"}})

    assert response["error"]["code"] == -32602


def test_unsupported_language_gives_empty_results_and_a_log_message(lsp: LspClient) -> None:
    uri = "file:///work/notes.txt"
    lsp.open(uri, "Remember: the secret is swordfish.\n", language="plaintext")

    assert lsp.on("textDocument/documentSymbol", uri) == []
    assert lsp.on("textDocument/codeLens", uri) == []
    assert lsp.on("textDocument/foldingRange", uri) == []
    body = lsp.on("iris/analyze", uri)
    message = lsp.wait_for_notification("window/logMessage")["params"]["message"]

    assert body["success"] is False
    assert body["code"] == "unsupported_language"
    assert "notes.txt" in message
    assert "not supported" in message
    assert "swordfish" not in message
    lsp.open(FLASK_APP.as_uri(), FLASK_APP.read_text())
    assert lsp.on("textDocument/documentSymbol", FLASK_APP.as_uri()) != []


def test_edits_and_saves_are_analysed_without_a_request(lsp: LspClient) -> None:
    uri = "file:///work/todo.txt"
    lsp.open(uri, "first draft\n", language="plaintext")
    first = lsp.wait_for_notification("window/logMessage")

    lsp.change(uri, "second draft\n", version=2)
    after_change = lsp.wait_for_notification("window/logMessage")
    lsp.change(uri, "third draft\n", version=3)
    lsp.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    after_save = lsp.wait_for_notification("window/logMessage")

    assert "todo.txt" in first["params"]["message"]
    assert after_change["params"] == first["params"]
    assert after_save["params"] == first["params"]


def test_shutdown_then_exit_ends_the_process_with_code_0(lsp: LspClient) -> None:
    lsp.open(FLASK_APP.as_uri(), FLASK_APP.read_text())
    lsp.on("textDocument/documentSymbol", FLASK_APP.as_uri())

    assert lsp.exit() == 0


def test_url_mode_analyses_through_a_running_server_with_the_api_key(
    start_server: StartServer, start_lsp: Callable[..., LspClient], tmp_path: Path
) -> None:
    server = start_server({"IRIS_API_KEY": "lsp-test-key"})
    client = start_lsp("--url", server.url, env={"IRIS_API_KEY": "lsp-test-key"})
    text = FLASK_APP.read_text()
    client.open(FLASK_APP.as_uri(), text)

    body = client.on("iris/analyze", FLASK_APP.as_uri())
    symbols = client.on("textDocument/documentSymbol", FLASK_APP.as_uri())

    assert_valid_analysis(body, text)
    expected = iris_analyze_json(FLASK_APP, tmp_path)
    assert body["responsibility_blocks"] == expected["responsibility_blocks"]
    assert [s["name"] for s in symbols] == [b["label"] for b in expected["responsibility_blocks"]]
    assert client.exit() == 0


def test_url_mode_reports_a_rejected_key_without_crashing(
    start_server: StartServer, start_lsp: Callable[..., LspClient]
) -> None:
    server = start_server({"IRIS_API_KEY": "right-key"})
    client = start_lsp("--url", server.url, env={"IRIS_API_KEY": "wrong-key"})
    client.open(FLASK_APP.as_uri(), FLASK_APP.read_text())

    body = client.on("iris/analyze", FLASK_APP.as_uri())

    assert body["success"] is False
    assert body["code"] == "unauthorized"
    assert client.on("textDocument/documentSymbol", FLASK_APP.as_uri()) == []
    message = client.wait_for_notification("window/logMessage")["params"]["message"]
    assert body["error"] in message
    assert "wrong-key" not in message


def test_http_analyzer_turns_an_unreachable_server_into_an_engine_error() -> None:
    analyzer = HttpAnalyzer(f"http://127.0.0.1:{free_port()}")

    with pytest.raises(EngineError, match="Cannot reach the IRIS server"):
        analyzer.analyze("app.py", "python", "x = 1\n")


def test_http_analyzer_accepts_only_http_urls() -> None:
    with pytest.raises(ConfigError, match="http:// or https://"):
        HttpAnalyzer("file:///etc/passwd")


# Pure conversions: 1-based inclusive IRIS lines → 0-based LSP positions.


def test_ranges_count_characters_in_the_encoding_the_client_negotiated(
    start_lsp: Callable[..., LspClient],
) -> None:
    client = start_lsp(capabilities={"general": {"positionEncodings": ["utf-8", "utf-16"]}})
    uri = "file:///work/greet.py"
    last_line = '    return "héllo wörld 😀"'
    client.open(uri, f"def greet():\n{last_line}\n")

    symbols = client.on("textDocument/documentSymbol", uri)

    assert len(symbols) == 1
    assert symbols[0]["range"]["end"] == {"line": 1, "character": len(last_line.encode())}


def test_tcp_mode_serves_a_client_on_a_port(start_lsp: Callable[..., LspClient]) -> None:
    client = start_lsp("--tcp", f"127.0.0.1:{free_port()}")
    client.open(FLASK_APP.as_uri(), FLASK_APP.read_text())

    assert client.on("textDocument/documentSymbol", FLASK_APP.as_uri()) != []
    assert client.exit() == 0


def test_rejects_a_malformed_tcp_address_in_one_line() -> None:
    result = CliRunner().invoke(main, ["lsp", "--tcp", "2087"])

    assert result.exit_code == 2
    assert "expected HOST:PORT" in result.output


def test_names_the_extra_to_install_when_pygls_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "pygls", None)  # makes `import pygls` fail

    result = CliRunner().invoke(main, ["lsp"])

    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: The language server needs pygls: pip install 'iris-codes[lsp]'"
    )
    assert result.exception is not None


def test_span_range_ends_after_the_last_line_in_utf16_units() -> None:
    lines = ["first", "naïve 😀", "third"]

    lsp_range = convert.span_range((1, 2), lines)

    assert (lsp_range.start.line, lsp_range.start.character) == (0, 0)
    assert (lsp_range.end.line, lsp_range.end.character) == (1, 8)  # the emoji counts 2


@pytest.mark.parametrize(("encoding", "units"), [("utf-8", 11), ("utf-16", 8), ("utf-32", 7)])
def test_code_units_follow_the_position_encoding(encoding: str, units: int) -> None:
    assert convert.code_units("naïve 😀", encoding) == units


def test_single_line_ranges_fold_nothing_and_are_named_line() -> None:
    body = {
        "success": True,
        "file_intent": "x",
        "responsibility_blocks": [{"label": "A b", "description": "d", "ranges": [[3, 3]]}],
        "metadata": {},
    }

    assert convert.folding_ranges(body) == []
    assert convert.span_name((3, 3)) == "line 3"
    assert convert.code_lenses(body)[1].range.start.line == 2


@pytest.mark.parametrize(
    ("uri", "name"),
    [
        ("file:///home/me/src/app.py", "app.py"),
        ("file:///c%3A/Users/me/My%20App/main.ts", "main.ts"),
        ("untitled:Untitled-1", "Untitled-1"),
        ("file:///", "untitled"),
    ],
)
def test_uri_to_filename_gives_the_base_name(uri: str, name: str) -> None:
    assert uri_to_filename(uri) == name
