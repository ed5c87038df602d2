"""``iris lsp``: the real server in a subprocess, spoken to over stdio with LSP framing."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
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
API_CLIENT = SAMPLES / "api_client.ts"
LANGUAGES = {".py": "python", ".ts": "typescript"}


def test_initialize_advertises_each_feature_the_reanalyze_command_and_sync(tmp_path: Path) -> None:
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
        assert capabilities["hoverProvider"]
        assert capabilities["documentHighlightProvider"]
        assert capabilities["executeCommandProvider"]["commands"] == ["iris.reanalyze"]
        assert capabilities["textDocumentSync"]["openClose"] is True
        assert capabilities["textDocumentSync"]["change"] in (1, 2)
    finally:
        client.close()


def open_sample(client: LspClient, path: Path) -> list[str]:
    """Open a sample under its own URI and language id; its lines as the server splits them."""
    text = path.read_text()
    client.open(path.as_uri(), text, language=LANGUAGES[path.suffix])
    return text.split("\n")


def whole_lines(start: int, end: int, lines: list[str]) -> Message:
    """IRIS's 1-based inclusive lines ``start..end`` as the LSP range the server should send."""
    return {
        "start": {"line": start - 1, "character": 0},
        "end": {"line": end - 1, "character": utf16_length(lines[end - 1])},
    }


def block_holding(blocks: list[Message], line: int) -> tuple[int, Message, int] | None:
    """(1-based block number, block, index of the range) holding 1-based ``line``."""
    for number, block in enumerate(blocks, start=1):
        for part, (start, end) in enumerate(block["ranges"]):
            if start <= line <= end:
                return number, block, part
    return None


def markdown_unescaped(text: str) -> str:
    return re.sub(r"\\([\\`*_\[\]<>#|~])", r"\1", text)


@pytest.mark.parametrize("path", [FLASK_APP, UNICODE_TEXT, API_CLIENT], ids=lambda p: p.name)
def test_outline_root_carries_the_intent_over_the_whole_document(
    lsp: LspClient, tmp_path: Path, path: Path
) -> None:
    expected = iris_analyze_json(path, tmp_path)
    lines = open_sample(lsp, path)

    symbols = lsp.on("textDocument/documentSymbol", path.as_uri())

    assert len(symbols) == 1
    root = symbols[0]
    assert root["name"] == expected["file_intent"]
    assert root["kind"] == 1  # File
    assert root["range"] == whole_lines(1, len(lines), lines)
    assert root["selectionRange"] == whole_lines(1, 1, lines)


@pytest.mark.parametrize("path", [FLASK_APP, UNICODE_TEXT, API_CLIENT], ids=lambda p: p.name)
def test_outline_children_are_each_range_of_each_block_in_reading_order(
    lsp: LspClient, tmp_path: Path, path: Path
) -> None:
    blocks = iris_analyze_json(path, tmp_path)["responsibility_blocks"]
    lines = open_sample(lsp, path)

    children = lsp.on("textDocument/documentSymbol", path.as_uri())[0]["children"]

    wanted = []
    for number, block in enumerate(blocks, start=1):
        parts = len(block["ranges"])
        for part, (start, end) in enumerate(block["ranges"], start=1):
            name = block["label"] if part == 1 else f"{block['label']} (part {part} of {parts})"
            lines_name = f"line {start}" if start == end else f"lines {start}–{end}"
            detail = block["description"] if part == 1 else f"§{number}, {lines_name}"
            wanted.append(
                (name, detail, whole_lines(start, end, lines), whole_lines(start, start, lines))
            )
    shown = [(c["name"], c["detail"], c["range"], c["selectionRange"]) for c in children]
    assert shown == wanted
    assert all(c["kind"] == 3 and "children" not in c for c in children)  # Namespace, flat


@pytest.mark.parametrize("path", [FLASK_APP, API_CLIENT], ids=lambda p: p.name)
def test_outline_children_lie_inside_the_root_and_apart_from_each_other(
    lsp: LspClient, path: Path
) -> None:
    open_sample(lsp, path)

    root = lsp.on("textDocument/documentSymbol", path.as_uri())[0]

    def position(where: Message) -> tuple[int, int]:
        return where["line"], where["character"]

    spans = sorted(
        (position(c["range"]["start"]), position(c["range"]["end"])) for c in root["children"]
    )
    assert spans[0][0] >= position(root["range"]["start"])
    assert spans[-1][1] <= position(root["range"]["end"])
    assert all(before[1] < after[0] for before, after in itertools.pairwise(spans))


@pytest.mark.parametrize("path", [FLASK_APP, API_CLIENT], ids=lambda p: p.name)
def test_hover_on_every_line_shows_its_blocks_label_and_description(
    lsp: LspClient, tmp_path: Path, path: Path
) -> None:
    blocks = iris_analyze_json(path, tmp_path)["responsibility_blocks"]
    lines = open_sample(lsp, path)

    for line in range(len(lines)):
        hover = lsp.at("textDocument/hover", path.as_uri(), line, character=2)
        holder = block_holding(blocks, line + 1)
        if holder is None:
            assert hover is None, line
            continue
        number, block, part = holder
        text = markdown_unescaped(hover["contents"]["value"])
        assert hover["contents"]["kind"] == "markdown"
        assert text.startswith(f"**§{number} {block['label']}**"), text
        assert block["description"] in text
        assert hover["range"] == whole_lines(*block["ranges"][part], lines)
    assert hover is None  # the empty line after the last newline is in no block


def test_hover_is_plain_text_for_a_client_without_markdown(
    start_lsp: Callable[..., LspClient], tmp_path: Path
) -> None:
    client = start_lsp(capabilities={"textDocument": {"hover": {"contentFormat": ["plaintext"]}}})
    block = iris_analyze_json(FLASK_APP, tmp_path)["responsibility_blocks"][0]
    open_sample(client, FLASK_APP)

    hover = client.at("textDocument/hover", FLASK_APP.as_uri(), block["ranges"][0][0] - 1)

    assert hover["contents"]["kind"] == "plaintext"
    assert hover["contents"]["value"].startswith(f"§1 {block['label']}")
    assert block["description"] in hover["contents"]["value"]


@pytest.mark.parametrize("path", [FLASK_APP, API_CLIENT], ids=lambda p: p.name)
def test_document_highlights_on_a_line_mark_every_range_of_its_block(
    lsp: LspClient, tmp_path: Path, path: Path
) -> None:
    blocks = iris_analyze_json(path, tmp_path)["responsibility_blocks"]
    lines = open_sample(lsp, path)

    for line in range(len(lines)):
        highlights = lsp.at("textDocument/documentHighlight", path.as_uri(), line)
        holder = block_holding(blocks, line + 1)
        ranges = holder[1]["ranges"] if holder else []
        assert highlights == [{"range": whole_lines(a, b, lines), "kind": 1} for a, b in ranges]


def test_code_lenses_show_intent_on_line_zero_and_each_part_of_each_block(
    lsp: LspClient, tmp_path: Path
) -> None:
    expected = iris_analyze_json(FLASK_APP, tmp_path)
    lsp.open(FLASK_APP.as_uri(), FLASK_APP.read_text())

    lenses = lsp.on("textDocument/codeLens", FLASK_APP.as_uri())

    shown = [
        (lens["range"]["start"]["line"], lens["command"]["title"], lens["command"]["command"])
        for lens in lenses
    ]
    wanted = [(0, f"IRIS: {expected['file_intent']}", "iris.reanalyze")]
    for number, block in enumerate(expected["responsibility_blocks"], start=1):
        parts = len(block["ranges"])
        for part, (start, _) in enumerate(block["ranges"], start=1):
            suffix = f" ({part} of {parts} parts)" if parts > 1 else ""
            wanted.append((start - 1, f"§{number} {block['label']}{suffix}", ""))
    assert shown == wanted
    assert lenses[0]["command"]["arguments"] == [FLASK_APP.as_uri()]


def test_code_lenses_number_the_parts_of_a_block_with_several_ranges() -> None:
    from iris_codes.lsp import convert

    block = {"label": "Order rules", "description": "Rules.", "ranges": [[2, 4], [9, 9]]}
    body = {"success": True, "file_intent": "Orders.", "responsibility_blocks": [block]}
    lenses = convert.code_lenses(body, "file:///orders.py")
    shown = [(lens.range.start.line, lens.command.title) for lens in lenses if lens.command]
    assert shown[1:] == [(1, "§1 Order rules (1 of 2 parts)"), (8, "§1 Order rules (2 of 2 parts)")]


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
    assert len(before[0]["children"]) == 1
    assert before[0]["children"][0]["range"]["end"]["line"] == 1
    assert [c["name"] for c in after[0]["children"] if " (part " not in c["name"]] == [
        b["label"] for b in expected
    ]
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


REFRESHABLE = {
    "workspace": {"codeLens": {"refreshSupport": True}, "foldingRange": {"refreshSupport": True}}
}


def test_reanalyze_analyses_again_returns_the_api_json_and_asks_for_fresh_lenses(
    start_lsp: Callable[..., LspClient], tmp_path: Path
) -> None:
    client = start_lsp(capabilities=REFRESHABLE)
    open_sample(client, API_CLIENT)
    first = client.on("iris/analyze", API_CLIENT.as_uri())

    again = client.execute("iris.reanalyze", API_CLIENT.as_uri())

    expected = iris_analyze_json(API_CLIENT, tmp_path)
    assert_valid_analysis(again, API_CLIENT.read_text())
    assert again["responsibility_blocks"] == expected["responsibility_blocks"]
    assert (first["metadata"]["cache_hit"], again["metadata"]["cache_hit"]) == (0, 1)  # ran again
    asked = [request["method"] for request in client.server_requests]
    assert asked == ["workspace/codeLens/refresh", "workspace/foldingRange/refresh"]
    assert client.on("iris/analyze", API_CLIENT.as_uri()) == again


def test_reanalyze_without_arguments_covers_every_open_document_and_its_edits(
    lsp: LspClient, tmp_path: Path
) -> None:
    typescript = "file:///work/project/api_client.ts"
    lsp.open(typescript, "export const one = 1;\n", language="typescript")
    lsp.change(typescript, API_CLIENT.read_text(), version=2)  # still in its debounce
    open_sample(lsp, FLASK_APP)

    bodies = lsp.execute("iris.reanalyze")

    assert set(bodies) == {typescript, FLASK_APP.as_uri()}
    for uri, path in ((typescript, API_CLIENT), (FLASK_APP.as_uri(), FLASK_APP)):
        expected = iris_analyze_json(path, tmp_path)["responsibility_blocks"]
        assert bodies[uri]["responsibility_blocks"] == expected
    assert lsp.server_requests == []  # this client cannot refresh, so it is not asked to


def test_reanalyze_retries_a_document_once_its_server_is_reachable(
    start_server: StartServer, start_lsp: Callable[..., LspClient]
) -> None:
    port = free_port()
    client = start_lsp("--url", f"http://127.0.0.1:{port}")
    open_sample(client, API_CLIENT)
    assert client.on("iris/analyze", API_CLIENT.as_uri())["success"] is False

    start_server(port=port)
    body = client.execute("iris.reanalyze", {"uri": API_CLIENT.as_uri()})

    assert_valid_analysis(body, API_CLIENT.read_text())
    assert client.on("textDocument/documentSymbol", API_CLIENT.as_uri())[0]["children"]


def test_reanalyze_rejects_a_closed_document_or_a_malformed_argument(lsp: LspClient) -> None:
    for arguments in (["file:///nowhere.py"], [42], [{"textDocument": {}}]):
        params = {"command": "iris.reanalyze", "arguments": arguments}

        response = lsp.request_raw("workspace/executeCommand", params)

        assert response["error"]["code"] == -32602, arguments


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
    assert symbols[0]["name"] == expected["file_intent"]
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

    children = symbols[0]["children"]
    assert len(children) == 1
    assert children[0]["range"]["end"] == {"line": 1, "character": len(last_line.encode())}


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
    repo = Path(__file__).resolve().parents[1]
    assert result.output.strip() == (
        f"Error: The language server needs pygls: {sys.executable} -m pip install -e '{repo}[lsp]'"
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


def test_interleaved_blocks_become_disjoint_children_of_the_root() -> None:
    body = {
        "success": True,
        "file_intent": "Two interleaved blocks",
        "responsibility_blocks": [
            {"label": "First block", "description": "d1", "ranges": [[1, 2], [5, 6]]},
            {"label": "Second block", "description": "d2", "ranges": [[3, 4], [7, 7]]},
        ],
        "metadata": {},
    }
    lines = ["a = 1", "b = 2", "c = 3", "d = 4", "e = 5", "f = 6", "g = 7", ""]

    (root,) = convert.document_symbols(body, lines)

    assert root.children is not None
    assert [(c.name, c.range.start.line, c.range.end.line) for c in root.children] == [
        ("First block", 0, 1),
        ("First block (part 2 of 2)", 4, 5),
        ("Second block", 2, 3),
        ("Second block (part 2 of 2)", 6, 6),
    ]
    assert (root.range.start.line, root.range.end.line) == (0, 7)


def test_single_line_ranges_fold_nothing_and_are_named_line() -> None:
    body = {
        "success": True,
        "file_intent": "x",
        "responsibility_blocks": [{"label": "A b", "description": "d", "ranges": [[3, 3]]}],
        "metadata": {},
    }

    assert convert.folding_ranges(body) == []
    assert convert.span_name((3, 3)) == "line 3"
    assert convert.code_lenses(body, "file:///a.py")[1].range.start.line == 2


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


NEOVIM_CHECK = """
vim.api.nvim_create_autocmd("VimEnter", { nested = true, callback = function()
  vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("IRIS_NVIM_FILE")))
  local attached = vim.wait(30000, function()
    return next(vim.lsp.buf_get_clients(0)) ~= nil
  end, 50)
  local answer = nil
  if attached then
    local params = { textDocument = vim.lsp.util.make_text_document_params() }
    answer = vim.lsp.buf_request_sync(0, "textDocument/documentSymbol", params, 30000)
    vim.lsp.codelens.refresh()
    vim.cmd("doautocmd CursorHold")
    vim.cmd("IrisReanalyze")
    vim.wait(500)
  end
  local out = io.open(os.getenv("IRIS_NVIM_OUT"), "w")
  out:write(vim.fn.json_encode({ attached = attached, answer = answer or {} }))
  out:close()
  vim.cmd("qa!")
end })
"""


def _neovim_snippets() -> str:
    """The Lua blocks of docs/lsp.md's Neovim section, as a user would paste them."""
    text = (Path(__file__).resolve().parents[1] / "docs" / "lsp.md").read_text()
    section = text[text.index("## Neovim") :]
    section = section[: section.index("\n## ", 1)]
    blocks = re.findall(r"```lua\n(.*?)```", section, re.S)
    assert len(blocks) == 2, blocks
    return "\n".join(blocks)


def test_the_documented_neovim_setup_shows_the_outline_in_this_machines_neovim(
    tmp_path: Path,
) -> None:
    from support import require

    nvim = shutil.which("nvim")
    require(nvim is not None, "Neovim is not installed (Debian: apt-get install neovim)")
    assert nvim is not None
    init = tmp_path / "init.lua"
    init.write_text(_neovim_snippets() + NEOVIM_CHECK)
    out = tmp_path / "answer.json"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "IRIS_CACHE_DIR": str(tmp_path / "cache"),
        "IRIS_NVIM_FILE": str(FLASK_APP),
        "IRIS_NVIM_OUT": str(out),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    run = subprocess.run(
        [nvim, "--headless", "-i", "NONE", "-u", str(init)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "Error" not in run.stderr, run.stderr
    result = json.loads(out.read_text())
    assert result["attached"], run.stderr
    replies = result["answer"]  # {client_id: reply}; JSON makes client 1's a list
    replies = replies.values() if isinstance(replies, dict) else replies
    answers = [reply["result"] for reply in replies if reply and "result" in reply]
    assert answers, result
    root = answers[0][0]
    expected = iris_analyze_json(FLASK_APP, tmp_path)
    assert root["name"] == expected["file_intent"]
    labels = [child["name"] for child in root["children"]]
    assert labels[0] == expected["responsibility_blocks"][0]["label"]
