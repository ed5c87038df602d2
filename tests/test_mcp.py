"""``iris mcp``: the real server in a subprocess, driven by the MCP SDK's own clients."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import pytest

from iris_codes.mcp_server import sdk_available
from iris_codes.testing import free_port
from openai_stub import OpenAIStub
from support import IN_CI

if not sdk_available():
    reason = "the mcp SDK is not installed: pip install -e '.[dev]'"
    if IN_CI:
        pytest.fail(f"required in CI: {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)

from mcp_client import call, http_session, parse_text, refusal, stdio_session, text_of

REPO = Path(__file__).resolve().parents[1]

APP_PY = '''"""Order book for a small shop: orders, their lines and the totals customers pay."""

from dataclasses import dataclass, field

TAX_RATE = 0.2


@dataclass
class Line:
    """One product in an order, with its quantity and unit price."""

    product: str
    quantity: int
    unit_price: float

    def subtotal(self) -> float:
        return self.quantity * self.unit_price


@dataclass
class Order:
    """A customer's order: its lines and whether it has been paid."""

    customer: str
    lines: list[Line] = field(default_factory=list)
    paid: bool = False

    def add(self, product: str, quantity: int, unit_price: float) -> None:
        self.lines.append(Line(product, quantity, unit_price))

    def total(self) -> float:
        net = sum(line.subtotal() for line in self.lines)
        return round(net * (1 + TAX_RATE), 2)


def parse_quantity(text: str) -> int:
    """A positive quantity from user input."""
    value = int(text.strip())
    if value <= 0:
        raise ValueError("quantity must be positive")
    return value


def format_receipt(order: Order) -> str:
    """The receipt printed for a paid order."""
    rows = [f"{line.product} x{line.quantity}: {line.subtotal():.2f}" for line in order.lines]
    rows.append(f"total: {order.total():.2f}")
    return "\\n".join(rows)
'''
INDEX_JS = """// Renders the shop's product list into the page.
export function renderProducts(list, products) {
  list.innerHTML = "";
  for (const product of products) {
    const item = document.createElement("li");
    item.textContent = `${product.name}: ${product.price}`;
    list.appendChild(item);
  }
}

export function priceOf(products, name) {
  const found = products.find((product) => product.name === name);
  return found ? found.price : null;
}
"""
MAIN_GO = """// Command shop serves the order book over HTTP.
package main

import (
	"fmt"
	"net/http"
)

func health(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintln(w, "ok")
}

func main() {
	http.HandleFunc("/health", health)
	http.ListenAndServe("127.0.0.1:8000", nil)
}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small repository: Python, JS and Go files, a .gitignore, a nested node_modules,
    and a file outside it that a symbolic link inside points to."""
    root = tmp_path / "shop"
    files = {
        "app.py": APP_PY,
        "web/index.js": INDEX_JS,
        "web/node_modules/left-pad/index.js": "module.exports = (s) => s;\n",
        "cmd/shop/main.go": MAIN_GO,
        "secret_settings.py": "TOKEN = 'not for agents'\n",
        ".gitignore": "secret_settings.py\n",
        "README.md": "# Shop\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "private.py").write_text("PASSWORD = 'hunter2'\n", encoding="utf-8")
    (root / "linked.py").symlink_to(outside / "private.py")
    (root / "linked_dir").symlink_to(outside, target_is_directory=True)
    return root


@pytest.fixture
def server_env(tmp_path: Path) -> dict[str, str]:
    """The server's environment (the SDK's stdio client passes only a safe default set)."""
    return {"IRIS_CACHE_DIR": str(tmp_path / "mcp-cache"), "IRIS_ENGINE": "structural"}


def iris_analyze_json(cwd: Path, target: str, cache: Path, *extra: str) -> dict[str, Any]:
    """What ``iris analyze TARGET --json`` prints, run in ``cwd`` with its own cache."""
    env = {**os.environ, "IRIS_CACHE_DIR": str(cache), "IRIS_ENGINE": "structural"}
    run = subprocess.run(
        [sys.executable, "-m", "iris_codes", "analyze", "--json", target, *extra],
        capture_output=True,
        cwd=cwd,
        env=env,
        check=True,
        timeout=60,
    )
    body: dict[str, Any] = json.loads(run.stdout)
    return body


def test_lists_three_tools_each_with_an_input_schema_and_a_description(
    project: Path, server_env: dict[str, str], tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with stdio_session(project, env=server_env, log=tmp_path / "mcp.log") as session:
            listed = await session.list_tools()
        tools = {tool.name: tool for tool in listed.tools}
        assert set(tools) == {"outline_file", "read_block", "outline_repository"}
        for tool in tools.values():
            assert tool.input_schema["type"] == "object"
            assert tool.input_schema["properties"]
            assert tool.description
            assert len(tool.description.split()) >= 30
        assert tools["read_block"].input_schema["required"] == ["path"]
        assert {"label", "index"} <= set(tools["read_block"].input_schema["properties"])
        assert {"include", "exclude", "max_files"} <= set(
            tools["outline_repository"].input_schema["properties"]
        )

    anyio.run(scenario)


def test_outline_file_gives_what_iris_analyze_json_gives(
    project: Path, server_env: dict[str, str], tmp_path: Path
) -> None:
    names = ["app.py", "web/index.js", "cmd/shop/main.go"]
    expected = {name: iris_analyze_json(project, name, tmp_path / "cli-cache") for name in names}

    async def scenario() -> None:
        async with stdio_session(project, env=server_env, log=tmp_path / "mcp.log") as session:
            for name in names:
                answer = await call(session, "outline_file", path=name)
                cli = expected[name]
                assert answer["path"] == name
                assert answer["file_intent"] == cli["file_intent"]
                blocks = [
                    {k: b[k] for k in ("label", "description", "ranges")} for b in answer["blocks"]
                ]
                assert blocks == cli["responsibility_blocks"]
                assert [b["index"] for b in answer["blocks"]] == list(range(1, len(blocks) + 1))
                assert answer["metadata"] == {"engine": "structural", "cache_hit": 0}
            again = await call(session, "outline_file", path="app.py")
            assert again["metadata"]["cache_hit"] == 1
            unsaved = await call(session, "outline_file", source=APP_PY, filename="app.py")
            assert unsaved["file_intent"] == expected["app.py"]["file_intent"]
            assert unsaved["metadata"]["cache_hit"] == 1  # same text, same name: same entry
            # The text a model reads is the same answer, as compact JSON.
            result = await session.call_tool("outline_file", {"path": "app.py"})
            assert parse_text(result) == result.structured_content

    anyio.run(scenario)


def test_read_block_returns_exactly_the_lines_of_the_blocks_ranges(
    project: Path, server_env: dict[str, str], tmp_path: Path
) -> None:
    lines = APP_PY.splitlines()

    async def scenario() -> None:
        async with stdio_session(project, env=server_env, log=tmp_path / "mcp.log") as session:
            outline = await call(session, "outline_file", path="app.py")
            assert len(outline["blocks"]) >= 2
            for block in outline["blocks"]:
                answer = await call(session, "read_block", path="app.py", index=block["index"])
                assert (answer["label"], answer["ranges"]) == (block["label"], block["ranges"])
                wanted = [n for start, end in block["ranges"] for n in range(start, end + 1)]
                numbered = [row.split("\t", 1) for row in answer["text"].split("\n") if row != "…"]
                assert [int(number) for number, _ in numbered] == wanted
                assert [text for _, text in numbered] == [lines[n - 1] for n in wanted]
            last = outline["blocks"][-1]
            by_label = await call(session, "read_block", path="app.py", label=last["label"].upper())
            assert by_label["index"] == last["index"]
            result = await session.call_tool("read_block", {"path": "app.py", "index": 1})
            heading, _, body = text_of(result).partition("\n")
            assert heading.startswith('app.py, block 1 "')
            assert "engine structural" in heading
            assert body == result.structured_content["text"]

    anyio.run(scenario)


def test_read_block_with_an_unknown_label_or_index_is_a_tool_error_listing_the_blocks(
    project: Path, server_env: dict[str, str], tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with stdio_session(project, env=server_env, log=tmp_path / "mcp.log") as session:
            outline = await call(session, "outline_file", path="app.py")
            first = outline["blocks"][0]["label"]
            unknown = await refusal(session, "read_block", path="app.py", label="No such part")
            assert "No block labelled 'No such part'" in unknown
            assert first in unknown
            too_far = await refusal(session, "read_block", path="app.py", index=99)
            assert "No block 99" in too_far
            assert first in too_far
            neither = await refusal(session, "read_block", path="app.py")
            assert "exactly one of label or index" in neither

    anyio.run(scenario)


def test_outline_repository_lists_files_in_the_order_of_iris_analyze_and_skips_vendored(
    project: Path, server_env: dict[str, str], tmp_path: Path
) -> None:
    cli = iris_analyze_json(project, ".", tmp_path / "cli-cache")
    cli_paths = [entry["path"] for entry in cli["files"]]

    async def scenario() -> None:
        async with stdio_session(project, env=server_env, log=tmp_path / "mcp.log") as session:
            answer = await call(session, "outline_repository")
            paths = [entry["path"] for entry in answer["files"]]
            # The CLI reads the symbolic link's target; the server keeps to its roots.
            assert paths == [path for path in cli_paths if path != "linked.py"]
            assert paths == ["app.py", "cmd/shop/main.go", "web/index.js"]
            intents = {entry["path"]: entry["file_intent"] for entry in cli["files"]}
            assert all(entry["intent"] == intents[entry["path"]] for entry in answer["files"])
            assert answer["skipped"]["vendored"] == 1  # web/node_modules
            assert answer["skipped"]["gitignored"] == 1  # secret_settings.py
            assert answer["skipped"]["outside_roots"] == 1  # linked.py
            assert answer["truncated"] is None
            assert answer["metadata"]["engines"] == {"structural": 3}
            only_go = await call(session, "outline_repository", include=["*.go"])
            assert [entry["path"] for entry in only_go["files"]] == ["cmd/shop/main.go"]
            web = await call(session, "outline_repository", path="web")
            assert [entry["path"] for entry in web["files"]] == ["web/index.js"]
            cut = await call(session, "outline_repository", max_files=1)
            assert [entry["path"] for entry in cut["files"]] == ["app.py"]
            assert cut["files_found"] == 3
            assert "only the first 1 of 3 files" in cut["truncated"]

    anyio.run(scenario)


@pytest.mark.parametrize(
    ("path", "folder"),
    [
        ("../elsewhere/private.py", "../elsewhere"),
        ("ABSOLUTE/private.py", "ABSOLUTE"),
        ("linked.py", "linked_dir"),
        ("web/../../elsewhere/private.py", "web/../.."),
    ],
)
def test_a_path_outside_the_root_is_refused_by_every_tool(
    project: Path, server_env: dict[str, str], tmp_path: Path, path: str, folder: str
) -> None:
    path = path.replace("ABSOLUTE", str(tmp_path / "elsewhere"))
    folder = folder.replace("ABSOLUTE", str(tmp_path / "elsewhere"))
    log = tmp_path / "mcp.log"

    async def scenario() -> None:
        async with stdio_session(project, env=server_env, log=log) as session:
            for tool, arguments in [
                ("outline_file", {"path": path}),
                ("read_block", {"path": path, "index": 1}),
                ("outline_repository", {"path": folder}),
            ]:
                error = await refusal(session, tool, **arguments)
                assert "outside the folders this server may read" in error, error
                assert "Traceback" not in error
                assert "hunter2" not in error

    anyio.run(scenario)
    assert "hunter2" not in log.read_text()


def test_the_clients_roots_replace_the_working_directory(
    project: Path, server_env: dict[str, str], tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with stdio_session(
            tmp_path, env=server_env, log=tmp_path / "mcp.log", roots=[project / "web"]
        ) as session:
            inside = await call(session, "outline_file", path="index.js")
            assert inside["path"] == "index.js"
            overview = await call(session, "outline_repository")
            assert [entry["path"] for entry in overview["files"]] == ["index.js"]
            error = await refusal(session, "outline_file", path=str(project / "app.py"))
            assert "outside the folders" in error
            assert str(project / "web") in error

    anyio.run(scenario)


def test_the_llm_engine_answers_when_configured_and_says_so(
    project: Path, tmp_path: Path, openai_stub: OpenAIStub
) -> None:
    env = {
        "IRIS_CACHE_DIR": str(tmp_path / "mcp-cache"),
        "IRIS_ENGINE": "llm",
        "OPENAI_API_KEY": "sk-test-secret-0123456789",
        "OPENAI_BASE_URL": openai_stub.base_url,
        "IRIS_LLM_API": "chat",
    }
    log = tmp_path / "mcp.log"

    async def scenario() -> None:
        async with stdio_session(project, "--root", str(project), env=env, log=log) as session:
            first = await call(session, "outline_file", path="app.py")
            assert first["metadata"]["engine"] == "llm"
            assert first["metadata"]["model"] == "gpt-4.1-mini"
            assert first["file_intent"] == "Handles requests for a small sample service"
            block = await call(session, "read_block", path="app.py", index=1)
            assert block["metadata"] == {**first["metadata"], "cache_hit": 1}

    anyio.run(scenario)
    assert openai_stub.total_calls() == 1
    logged = log.read_text()
    assert "sk-test-secret" not in logged
    assert "TAX_RATE" not in logged


def test_streamable_http_serves_the_same_tools_on_loopback(
    project: Path, server_env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    with (tmp_path / "mcp-http.log").open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "iris_codes", "mcp", "--http", "--port", str(port)],
            cwd=project,
            env={**os.environ, **server_env},
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        _wait_for_port(port, process)

        async def scenario() -> None:
            async with http_session(f"http://127.0.0.1:{port}/mcp") as session:
                listed = await session.list_tools()
                assert len(listed.tools) == 3
                answer = await call(session, "outline_file", path="app.py")
                assert answer["metadata"]["engine"] == "structural"
                error = await refusal(session, "outline_file", path="../elsewhere/private.py")
                assert "outside the folders" in error

        anyio.run(scenario)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_http_refuses_a_non_loopback_address(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "iris_codes", "mcp", "--http", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert "Refusing to serve MCP on 0.0.0.0" in run.stderr


def test_iris_help_does_not_import_the_sdk_and_a_missing_sdk_names_the_install() -> None:
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from iris_codes.cli import main\n"
        "assert CliRunner().invoke(main, ['--help']).exit_code == 0\n"
        "assert CliRunner().invoke(main, ['mcp', '--help']).exit_code == 0\n"
        "assert not any(m == 'mcp' or m.startswith('mcp.') for m in sys.modules), 'mcp loaded'\n"
        "sys.modules['mcp'] = None  # as if the extra were not installed\n"
        "result = CliRunner().invoke(main, ['mcp'])\n"
        "print(result.exit_code, result.output)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert run.stdout.startswith("1 ")
    assert f"{sys.executable} -m pip install -e '{REPO}[mcp]'" in run.stdout
    assert "iris-codes[" not in run.stdout  # never a package no index has


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"iris mcp --http exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("iris mcp --http did not listen within 30 s")


def test_bad_arguments_get_one_clear_sentence_never_a_traceback_or_pydantic_report(
    project: Path, server_env: dict[str, str], tmp_path: Path
) -> None:
    os.mkfifo(project / "pipe.py")

    async def scenario() -> dict[str, str]:
        async with stdio_session(project, env=server_env, log=tmp_path / "mcp.log") as session:
            return {
                "index 0": await refusal(session, "read_block", path="app.py", index=0),
                "index text": await refusal(session, "read_block", path="app.py", index="two"),
                "long path": await refusal(session, "outline_file", path="a/" * 2500),
                "long name": await refusal(session, "outline_file", path="x" * 300 + ".py"),
                "fifo": await refusal(session, "outline_file", path="pipe.py"),
                "fifo folder": await refusal(session, "outline_repository", path="pipe.py"),
                "max files": await refusal(session, "outline_repository", max_files=0),
            }

    answers = anyio.run(scenario)
    assert "index must be at least 1 (1 is the first block)" in answers["index 0"]
    assert "index must be a whole number" in answers["index text"]
    assert "5000 characters long; a path has at most 4096" in answers["long path"]
    assert "file name too long" in answers["long name"]
    assert "'pipe.py' is a FIFO (named pipe), not a source file" in answers["fifo"]
    assert "is a FIFO (named pipe), not a folder" in answers["fifo folder"]
    assert "max_files must be at least 1" in answers["max files"]
    for answer in answers.values():
        assert "validation error" not in answer
        assert "pydantic" not in answer
        assert "Traceback" not in answer
        assert len(answer) < 400
    assert "Traceback" not in (tmp_path / "mcp.log").read_text()
