"""Output is text, never control codes: a file full of escape sequences, and hostile names.

Every client is driven for real: the HTTP API, both engines, ``iris analyze`` on a
pseudo-terminal (one file, and a folder with the rich progress bar), the Markdown report
rendered by a CommonMark renderer, the language server and the MCP server.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from markdown_it import MarkdownIt

from invariants import CONTROL_CHARACTERS, assert_no_control_characters, assert_valid_analysis
from iris_codes.config import Settings
from iris_codes.models import AnalyzeRequest
from iris_codes.service import Service
from iris_codes.testing import ServerProcess
from lsp_client import LspClient
from support import post_analyze

# Every C0 control but NUL (refused as binary), newline, carriage return and tab; DEL; C1.
CONTROLS = [
    chr(code)
    for code in [*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, *range(0x80, 0xA0)]
]
OSC_52 = "\x1b]52;c;SGVsbG8=\x07"  # writes the clipboard
OSC_0 = "\x1b]0;pwned\x07"  # sets the window title
CLEAR = "\x1b[2J"
RED = "\x1b[31mINJECTED\x1b[0m"
LINK = "\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\"  # OSC 8 hyperlink
C1_CSI = "\x9b31m"
INJECTIONS = [OSC_52, OSC_0, CLEAR, RED, LINK, C1_CSI]
# What must never reach a terminal raw, whatever else a terminal program writes.
NEVER_ON_A_TERMINAL = ["\x1b]", "\x07", CLEAR, "\x1b[31mINJECTED", "\x9b", "\x9d"]
# A file name that is a terminal attack of its own.
HOSTILE_NAME = f"name{RED}{OSC_0}.py"


def hostile_python() -> str:
    """A module whose docstrings and comments hold every control and escape sequence."""
    lines = [f'"""Reads {RED} logs {OSC_52} and {OSC_0} titles{CLEAR}."""', "", "import os", ""]
    for index, control in enumerate(CONTROLS):
        injection = INJECTIONS[index % len(INJECTIONS)]
        lines += [
            f"# {control}Section{control} {index} {CLEAR}",
            f"def handler_{index}(event):",
            f'    """Handles{control} the {control}event {injection} kind {index}."""',
            f"    return os.getenv('X{index}')",
            "",
        ]
    return "\n".join(lines) + "\n"


def hostile_javascript() -> str:
    """The same attack in JSDoc comments and a section banner."""
    lines = [f"/** Streams {RED} events {OSC_52}{CLEAR} to listeners. */", ""]
    for index, control in enumerate(CONTROLS[:20]):
        lines += [
            f"// ===== {control}Part {index}{OSC_0} =====",
            f"/** Sends{control} {INJECTIONS[index % len(INJECTIONS)]} message {index}. */",
            f"export function send{index}(bus) {{ return bus.emit('m{index}'); }}",
            "",
        ]
    return "\n".join(lines)


def test_printable_names_show_each_control_as_an_escape() -> None:
    from iris_codes.textsafe import printable

    assert printable("plain name.py") == "plain name.py"
    assert printable("a\nb\tc\x1b[2J\x9b.py") == "a\\nb\\tc\\x1b[2J\\x9b.py"
    assert printable("evil\u202eyp.exe") == "evil\\u202eyp.exe"  # a right-to-left override
    assert printable("caf\udce9.py") == "caf\\xe9.py"  # a byte that was not UTF-8
    assert printable("a\tb\x07", keep="\t") == "a\tb\\x07"


def test_json_output_escapes_what_json_dumps_leaves_raw() -> None:
    import json

    from iris_codes.textsafe import json_escaped

    data = {"path": "x\x7f\x9b\udcff\x1b.py"}
    text = json_escaped(json.dumps(data, ensure_ascii=False))
    assert not CONTROL_CHARACTERS.search(text)
    assert json.loads(text) == data  # the same data


# -- every engine, through the API --------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "make"), [("hostile.py", hostile_python), ("hostile.js", hostile_javascript)]
)
def test_no_answer_field_carries_a_control_character_from_the_file(
    shared_server: ServerProcess, filename: str, make: Callable[[], str]
) -> None:
    source = make()
    reply = post_analyze(shared_server, {"filename": filename, "source_code": source})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert_valid_analysis(body, source)  # includes assert_no_control_characters
    # The docstring's words still come through, as text.
    assert "INJECTED" in reply.text or "Section" in reply.text


def test_the_llm_engines_words_lose_their_control_characters_too(
    llm_settings: Callable[..., Settings],
) -> None:
    from iris_codes.engines.llm import LLMEngine

    settings = llm_settings(cache_url="memory://")
    service = Service(settings, engines={"llm": LLMEngine(settings)})
    try:
        openai_stub_default(service, "controls")
        source = hostile_python()
        analysis = service.analyze(AnalyzeRequest(filename="h.py", source_code=source))
    finally:
        service.close()
    body = analysis.to_dict()
    assert body["metadata"]["engine"] == "llm"
    assert_valid_analysis(body, source)
    assert any("Public request handling" in b["label"] for b in body["responsibility_blocks"])


def openai_stub_default(service: Service, behaviour: str) -> None:
    """Make the stub behind ``service``'s LLM engine answer with ``behaviour``."""
    import json
    import urllib.request

    base = str(service.settings.openai_base_url).removesuffix("/v1")
    request = urllib.request.Request(
        f"{base}/_stub/script",
        data=json.dumps({"default": behaviour}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as reply:
        assert reply.status == 200


# -- iris analyze on a terminal -----------------------------------------------------------

# click.style's own codes for bold, dim and reset: the only escapes the one-file output has.
OWN_STYLES = re.compile(r"\x1b\[(?:0|1|2|22)m")


def run_on_a_terminal(args: list[str], cwd: Path, timeout: float = 90.0) -> str:
    """What ``iris ARGS`` writes to a pseudo-terminal (stdout and stderr both on it)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "160"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "iris_codes", *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        cwd=cwd,
        env=env,
    )
    os.close(follower)
    output = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.5)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the child closed its side
                break
            if not chunk:
                break
            output += chunk
        process.wait(timeout=30)
    finally:
        os.close(leader)
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output.decode("utf-8", "replace")
    return output.decode("utf-8", "replace")


def test_iris_analyze_on_a_terminal_prints_no_control_character_from_the_file(
    tmp_path: Path,
) -> None:
    (tmp_path / HOSTILE_NAME).write_text(hostile_python(), encoding="utf-8")
    output = run_on_a_terminal(["analyze", HOSTILE_NAME], tmp_path)
    plain = OWN_STYLES.sub("", output)
    leftover = [c for c in plain if c not in "\r\n" and CONTROL_CHARACTERS.match(c)]
    assert leftover == [], f"control characters on the terminal: {sorted(set(leftover))!r}"
    assert "1m" in output  # it was a terminal: the intent is bold
    assert "name\\x1b[31mINJECTED\\x1b[0m\\x1b]0;pwned\\x07.py" in plain  # the name, visibly


def test_iris_analyze_of_a_folder_with_the_rich_bar_shows_nothing_injected(
    tmp_path: Path,
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / HOSTILE_NAME).write_text(hostile_python(), encoding="utf-8")
    (project / "stream.js").write_text(hostile_javascript(), encoding="utf-8")
    output = run_on_a_terminal(["analyze", "project"], tmp_path)
    for sequence in NEVER_ON_A_TERMINAL:
        assert sequence not in output, f"{sequence!r} reached the terminal"
    assert "name\\x1b[31mINJECTED" in output  # the file name, shown as escapes
    assert "files" in output  # the summary line: the run finished on the terminal


# -- the Markdown report ------------------------------------------------------------------

MARKDOWN_NAME = "notes\n# Injected heading\n<img src=x onerror=alert(1)>`x``.py"


def test_a_markdown_report_renders_no_injected_heading_and_no_live_html(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "sub\n## Folder heading").mkdir(parents=True)
    (project / MARKDOWN_NAME).write_text(hostile_python(), encoding="utf-8")
    (project / "sub\n## Folder heading" / "ok.py").write_text("x = 1\n", encoding="utf-8")
    report = tmp_path / "toc.md"
    run = subprocess.run(
        [sys.executable, "-m", "iris_codes", "analyze", "project", "--markdown", str(report)],
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    text = report.read_text(encoding="utf-8")
    html = MarkdownIt("commonmark").render(text)
    headings = re.findall(r"<h(\d)>(.*?)</h\1>", html)
    assert [level for level, _ in headings] == ["1", "2", "2", "3", "3"], headings
    assert not any("Injected heading" in title.split("</code>")[-1] for _, title in headings)
    assert "Folder heading</h2>" not in html
    assert "<img" not in html  # shown as text (&lt;img…), never a live tag
    assert "onerror=alert(1)" in html  # …but shown
    assert not CONTROL_CHARACTERS.search(text.replace("\n", ""))


# -- the language server ------------------------------------------------------------------


def test_lsp_symbols_hovers_and_code_lenses_carry_no_control_character(tmp_path: Path) -> None:
    env = {**os.environ, "IRIS_CACHE_DIR": str(tmp_path / "lsp-cache")}
    client = LspClient([], env, tmp_path / "lsp.log")
    try:
        client.initialize()
        uri = (tmp_path / HOSTILE_NAME).as_uri()
        source = hostile_python()
        client.open(uri, source)
        symbols = client.on("textDocument/documentSymbol", uri)
        lenses = client.on("textDocument/codeLens", uri)
        hover = client.at("textDocument/hover", uri, 5)
    finally:
        client.close()
    shown: list[str] = []

    def collect(symbol: dict[str, Any]) -> None:
        shown.extend([symbol["name"], symbol.get("detail") or ""])
        for child in symbol.get("children") or []:
            collect(child)

    for symbol in symbols:
        collect(symbol)
    shown += [lens["command"]["title"] for lens in lenses]
    shown.append(hover["contents"]["value"] if hover else "")
    assert len(shown) > 4
    for text in shown:
        assert not CONTROL_CHARACTERS.search(text.replace("\n", "")), repr(text)


def test_lsp_conversion_strips_controls_from_any_backends_answer() -> None:
    from iris_codes.lsp import convert

    body = {
        "success": True,
        "file_intent": f"Intent{OSC_52}",
        "responsibility_blocks": [
            {"label": f"{RED} label", "description": f"Says{CLEAR}", "ranges": [[1, 2]]},
            {"label": "\x1b\x07", "description": "", "ranges": [[3, 3]]},
        ],
        "metadata": {},
    }
    lines = ["a", "b", "c"]
    symbols = convert.document_symbols(body, lines)
    titles = [
        lens.command.title for lens in convert.code_lenses(body, "file:///x.py") if lens.command
    ]
    names = [symbols[0].name] + [child.name for child in symbols[0].children or []]
    hover = convert.hover(body, 0, lines)
    assert hover is not None
    for text in [*names, *titles, hover.contents.value]:  # type: ignore[union-attr]
        assert not CONTROL_CHARACTERS.search(text.replace("\n", "")), repr(text)
    assert names[2] == "§2"  # nothing printable left: the block's number names it


# -- the MCP server -----------------------------------------------------------------------


def test_mcp_answers_carry_no_raw_control_character(tmp_path: Path) -> None:
    from mcp_client import call, stdio_session, text_of

    project = tmp_path / "project"
    project.mkdir()
    (project / HOSTILE_NAME).write_text(hostile_python(), encoding="utf-8")
    env = {"IRIS_CACHE_DIR": str(tmp_path / "mcp-cache"), "IRIS_ENGINE": "structural"}

    async def scenario() -> list[str]:
        async with stdio_session(project, env=env, log=tmp_path / "mcp.log") as session:
            outline = await session.call_tool("outline_file", {"path": HOSTILE_NAME})
            block = await session.call_tool("read_block", {"path": HOSTILE_NAME, "index": 1})
            overview = await session.call_tool("outline_repository", {})
            structured = await call(session, "outline_file", path=HOSTILE_NAME)
            assert structured["path"] == HOSTILE_NAME  # the data keeps the real name
            assert_no_control_characters(
                {
                    "file_intent": structured["file_intent"],
                    "responsibility_blocks": structured["blocks"],
                }
            )
            return [text_of(outline), text_of(block), text_of(overview)]

    texts = anyio.run(scenario)
    for text in texts:
        raw = [c for c in text if c not in "\n\t" and CONTROL_CHARACTERS.match(c)]
        assert raw == [], f"raw controls in an MCP answer: {sorted(set(raw))!r}"
    assert texts[1].startswith("name\\x1b[31mINJECTED")  # read_block's heading names it visibly
    assert "\\x1b[" in texts[1]  # the source lines show their escapes as text
