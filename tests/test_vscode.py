"""The VS Code extension in a real VS Code: code-server with the built .vsix, driven in Chromium.

`make vsix` builds editors/vscode/iris-codes.vsix and `make code-server` installs code-server
(editors/vscode/e2e); without them, or without Chromium and Playwright, these tests skip
locally with the reason and fail under CI=true. The extension finds `iris` on PATH (this
virtualenv's) and starts `iris lsp`; nothing here pins the engine's words: every check
compares what VS Code shows with what `iris analyze --json` gives for the same file.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests

from iris_codes.testing import free_port
from support import require

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # the dev extra installs it; without it the tests skip (fail under CI)
    sync_playwright = None

if TYPE_CHECKING:
    from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parent.parent
EXTENSION = ROOT / "editors" / "vscode"
VSIX = EXTENSION / "iris-codes.vsix"
CODE_SERVER = EXTENSION / "e2e" / "node_modules" / ".bin" / "code-server"
CHROMIUM = "/usr/bin/chromium"  # Debian's package; Playwright never downloads a browser here
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
VIEWPORT = {"width": 1400, "height": 900}
IRIS = Path(sys.executable).with_name("iris")
# A real file from outside this project: Debian's standard library, else this Python's.
DEBIAN_FILE = Path("/usr/lib/python3.11/shlex.py")
OUTSIDE_FILE = DEBIAN_FILE if DEBIAN_FILE.exists() else Path(shlex.__file__)
EDITOR = ".editor-instance .monaco-editor"
PANEL = '[id="workbench.view.extension.iris"]'
THEMES = {"light": "Default Light Modern", "dark": "Default Dark Modern"}
# A folder (resolved now: tests run in their own tmp_path) the screenshots are copied to.
SHOTS = (
    Path(os.environ["IRIS_VSCODE_SHOTS"]).resolve() if "IRIS_VSCODE_SHOTS" in os.environ else None
)


class CodeServer:
    """One code-server with the extension installed, and the folders it runs in."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.data = base / "data"
        self.extensions = base / "extensions"
        self.workspace = base / "workspace"
        self.cache = base / "iris-cache"
        for folder in (self.data / "User", self.extensions, self.workspace, base / "home"):
            folder.mkdir(parents=True, exist_ok=True)
        # VS Code reads PATH from a login shell, as a user's own profile sets it (Debian's
        # /etc/profile resets it): this virtualenv's `iris` is on it, as after `pip install`.
        profile = f'export PATH="{IRIS.parent}:$PATH"\n'
        for name in (".profile", ".bashrc"):
            (base / "home" / name).write_text(profile)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.log = base / "code-server.log"

    def env(self) -> dict[str, str]:
        """No IRIS setting but the structural engine and a cache of its own; iris on PATH."""
        keep = ("LANG", "LC_ALL", "TZ")
        env = {name: os.environ[name] for name in keep if name in os.environ}
        home = self.base / "home"
        env.update(
            HOME=str(home),
            XDG_CONFIG_HOME=str(home / ".config"),
            XDG_DATA_HOME=str(home / ".local" / "share"),
            PATH=f"{IRIS.parent}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
            # Nothing may leave this machine: the extension gallery is a closed loopback port.
            EXTENSIONS_GALLERY=json.dumps(
                {"serviceUrl": "http://127.0.0.1:9/gallery", "itemUrl": "http://127.0.0.1:9/item"}
            ),
            IRIS_ENGINE="structural",
            IRIS_CACHE_DIR=str(self.cache),
        )
        return env

    def settings(self, **overrides: Any) -> None:
        """Write the user settings; code-server applies a change while it runs."""
        settings = {
            "workbench.colorTheme": THEMES["light"],
            "workbench.startupEditor": "none",
            "workbench.tips.enabled": False,
            "workbench.secondarySideBar.defaultVisibility": "hidden",
            "chat.commandCenter.enabled": False,
            "security.workspace.trust.enabled": False,
            "telemetry.telemetryLevel": "off",
            "extensions.autoCheckUpdates": False,
            "extensions.autoUpdate": False,
            "update.mode": "none",
            "editor.minimap.enabled": False,
            "iris.pauseDelay": 300,
        }
        settings.update(overrides)
        (self.data / "User" / "settings.json").write_text(json.dumps(settings, indent=2))

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run the code-server command line on this server's folders."""
        command = [str(CODE_SERVER), "--user-data-dir", str(self.data)]
        command += ["--extensions-dir", str(self.extensions), *args]
        return subprocess.run(
            command, env=self.env(), capture_output=True, text=True, timeout=120, check=False
        )

    def start(self) -> None:
        command = [
            str(CODE_SERVER), "--auth", "none", "--bind-addr", f"127.0.0.1:{self.port}",
            "--user-data-dir", str(self.data), "--extensions-dir", str(self.extensions),
            "--config", str(self.base / "config.yaml"), "--disable-telemetry",
            "--disable-update-check", "--disable-workspace-trust",
            "--disable-getting-started-override", "--ignore-last-opened", str(self.workspace),
        ]  # fmt: skip
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, env=self.env(), stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).ok:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"code-server did not start:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def extension_log(self) -> str:
        """The IRIS output channel, as the extension host wrote it."""
        return "\n".join(path.read_text() for path in self.data.glob("logs/*/exthost*/*/IRIS.log"))


@pytest.fixture(scope="module")
def code_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CodeServer]:
    require(VSIX.exists(), f"{VSIX.relative_to(ROOT)} is not built (make vsix)")
    require(CODE_SERVER.exists(), "code-server is not installed (make code-server)")
    require(IRIS.exists(), f"no iris next to {sys.executable}")
    server = CodeServer(tmp_path_factory.mktemp("vscode"))
    installed = server.cli("--install-extension", str(VSIX))
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert "was successfully installed" in installed.stdout
    server.settings()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def page(code_server: CodeServer) -> Iterator[Page]:
    require(sync_playwright is not None, "playwright is not installed (pip install -e '.[dev]')")
    require(Path(CHROMIUM).exists(), "Chromium is not installed (apt-get install chromium)")
    assert sync_playwright is not None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        opened = browser.new_context(viewport=VIEWPORT).new_page()
        opened.goto(f"{code_server.url}/?folder={code_server.workspace}")
        opened.wait_for_selector(".monaco-workbench .part.editor", timeout=60_000)
        try:
            yield opened
        finally:
            browser.close()


def analyze(code_server: CodeServer, path: Path) -> dict[str, Any]:
    """What `iris analyze --json` says of ``path``, with the extension's environment and cache."""
    env = {**os.environ, **code_server.env()}
    done = subprocess.run(
        [str(IRIS), "analyze", "--json", str(path)],
        env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    answer: dict[str, Any] = json.loads(done.stdout)
    assert answer["success"], answer
    return answer


@pytest.fixture(scope="module")
def expected(code_server: CodeServer) -> dict[str, Any]:
    """The outside file's answer from `iris analyze --json`."""
    answer = analyze(code_server, OUTSIDE_FILE)
    assert len(answer["responsibility_blocks"]) >= 3
    return answer


# Driving VS Code.


def run_command(page: Page, title: str) -> None:
    """Run a command from the Command Palette, as a user would."""
    page.keyboard.press("F1")
    box = page.locator(".quick-input-widget input")
    expect(box).to_be_visible()
    box.fill(f">{title}")
    page.locator(f'.quick-input-list .monaco-list-row[aria-label^="{title}"]').first.click()


def open_file(page: Page, path: Path) -> None:
    """Open ``path`` with Go to File (an absolute path opens files outside the folder)."""
    if page.locator(f'.tabs-container .tab.active[data-resource-name="{path.name}"]').count():
        return
    page.keyboard.press("Control+P")
    box = page.locator(".quick-input-widget input")
    expect(box).to_be_visible()
    box.fill(str(path))
    page.locator(".quick-input-list .monaco-list-row", has_text=path.name).first.click()
    expect(page.locator(".tabs-container .tab.active")).to_contain_text(path.name)


def status_text(page: Page) -> str:
    return page.locator('[id="iris-codes.iris-codes.iris.status"]').inner_text()


def wait_for_answer(page: Page, code_server: CodeServer) -> str:
    """The IRIS status once the active file's answer is shown."""
    status = page.locator('[id="iris-codes.iris-codes.iris.status"]')
    try:
        expect(status).to_contain_text("IRIS: ", timeout=30_000)
    except AssertionError:
        raise AssertionError(f"no answer; IRIS log:\n{code_server.extension_log()}") from None
    return status.inner_text()


def show_panel(page: Page) -> None:
    if not page.locator(PANEL).is_visible():
        page.locator('.activitybar [aria-label^="IRIS"]').first.click()
    expect(page.locator(PANEL)).to_be_visible()


def panel_rows(page: Page) -> list[dict[str, Any]]:
    """Each row of the IRIS panel: its depth, label and description, top to bottom."""
    rows: list[dict[str, Any]] = page.eval_on_selector_all(
        f'{PANEL} .monaco-list-row[role="treeitem"]',
        """rows => rows.map(row => ({
          level: Number(row.getAttribute('aria-level')),
          label: row.querySelector('.label-name')?.textContent ?? '',
          description: row.querySelector('.label-description')?.textContent ?? '',
          top: parseFloat(row.style.top),
        }))""",
    )
    return sorted(rows, key=lambda row: row["top"])


def tree_rows(blocks: list[dict[str, Any]], level: int = 1) -> list[tuple[int, str, str]]:
    """The panel's rows for ``blocks``: each block, then its sub-blocks (shown expanded)."""
    rows = []
    for block in blocks:
        rows.append((level, block["label"], ranges_text(block["ranges"])))
        rows.extend(tree_rows(block.get("children") or [], level + 1))
    return rows


def block_stops(blocks: list[dict[str, Any]]) -> list[int]:
    """Every block's and sub-block's first line, sorted: where next/previous block stop."""
    starts = {block["ranges"][0][0] for block in blocks}
    for block in blocks:
        starts |= set(block_stops(block.get("children") or []))
    return sorted(starts)


def ranges_text(ranges: list[list[int]]) -> str:
    return ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in ranges)


def cursor_line(page: Page) -> int:
    text = page.locator('[id="status.editor.selection"]').inner_text()
    match = re.search(r"Ln (\d+)", text)
    assert match, text
    return int(match.group(1))


def focus_editor_at_top(page: Page) -> None:
    box = page.locator(f"{EDITOR} .overflow-guard").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.keyboard.press("Control+Home")
    expect(page.locator('[id="status.editor.selection"]')).to_contain_text("Ln 1,")


VISIBLE_LINES = """selector => {
  const editor = document.querySelector(selector);
  const tints = new Map();
  for (const row of editor.querySelectorAll('.view-overlays > div')) {
    const colours = [...row.querySelectorAll('.cdr[class*="TextEditorDecorationType"]')]
      .map(cell => getComputedStyle(cell).backgroundColor)
      .filter(colour => colour !== 'rgba(0, 0, 0, 0)');
    tints.set(row.style.top, colours);
  }
  const texts = new Map();
  for (const row of editor.querySelectorAll('.view-lines > .view-line')) {
    const spans = [...row.querySelectorAll('span span')].filter(s => s.textContent.trim());
    texts.set(row.style.top, spans.map(span => [getComputedStyle(span).color,
      getComputedStyle(span).opacity]));
  }
  const background = getComputedStyle(editor.querySelector('.monaco-editor-background'))
    .backgroundColor;
  const foreground = getComputedStyle(editor).color;
  return [...editor.querySelectorAll('.margin-view-overlays > div')]
    .filter(row => row.querySelector('.line-numbers'))
    .map(row => ({
      line: Number(row.querySelector('.line-numbers').textContent),
      tints: tints.get(row.style.top) ?? [],
      text: texts.get(row.style.top) ?? [],
      background,
      foreground,
    }));
}"""


def every_line(page: Page, line_count: int) -> dict[int, dict[str, Any]]:
    """What the editor paints on each line, read while scrolling from the top to the bottom."""
    seen: dict[int, dict[str, Any]] = {}
    box = page.locator(f"{EDITOR} .view-lines").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 200, box["y"] + 200)
    for _ in range(4 * line_count):
        for row in page.evaluate(VISIBLE_LINES, EDITOR):
            seen[row["line"]] = row
        if line_count in seen:
            break
        page.mouse.wheel(0, 300)
        page.wait_for_timeout(120)
    return seen


# Colours, as WCAG 2 computes contrast.


def rgba(css: str) -> tuple[float, float, float, float]:
    numbers = [float(n) for n in re.findall(r"[\d.]+", css)]
    assert len(numbers) in (3, 4), css
    return (numbers[0], numbers[1], numbers[2], numbers[3] if len(numbers) == 4 else 1.0)


def luminance(colour: tuple[float, ...]) -> float:
    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: tuple[float, ...], second: tuple[float, ...]) -> float:
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def over(colour: tuple[float, ...], background: tuple[float, ...]) -> tuple[float, ...]:
    alpha = colour[3]
    return tuple(
        alpha * c + (1 - alpha) * b for c, b in zip(colour[:3], background[:3], strict=True)
    )


def tint_colours(kind: str) -> list[tuple[float, float, float, float]]:
    """The tints package.json gives a theme kind, block by block, as CSS would compute them."""
    manifest = json.loads((EXTENSION / "package.json").read_text())
    by_id = {colour["id"]: colour["defaults"][kind] for colour in manifest["contributes"]["colors"]}
    tints = []
    for index in range(12):
        value = by_id[f"iris.block{index}Background"]
        channels = [int(value[at : at + 2], 16) for at in (1, 3, 5, 7)]
        tints.append((channels[0], channels[1], channels[2], channels[3] / 255))
    return tints


def same_colour(css: str, expected: tuple[float, float, float, float]) -> bool:
    actual = rgba(css)
    close = all(abs(a - e) <= 1 for a, e in zip(actual[:3], expected[:3], strict=True))
    return close and abs(actual[3] - expected[3]) <= 0.01


def owner_of(answer: dict[str, Any], line: int) -> int | None:
    for index, block in enumerate(answer["responsibility_blocks"]):
        if any(start <= line <= end for start, end in block["ranges"]):
            return index
    return None


def check_tints(page: Page, answer: dict[str, Any], kind: str) -> dict[str, float]:
    """Every line of every block carries its block's tint, none other does; the contrast kept."""
    line_count = len(OUTSIDE_FILE.read_text().split("\n"))
    seen = every_line(page, line_count)
    assert set(range(1, line_count + 1)) <= set(seen), "lines never shown while scrolling"
    tints = tint_colours(kind)
    worst = {"foreground": 21.0, "kept": 1.0}
    for line in range(1, line_count + 1):
        row, owner = seen[line], owner_of(answer, line)
        if owner is None:
            assert row["tints"] == [], (line, row["tints"])
            continue
        assert len(row["tints"]) == 1, (line, row["tints"])
        assert same_colour(row["tints"][0], tints[owner % 12]), (line, owner, row["tints"])
        background = rgba(row["background"])
        painted = over(rgba(row["tints"][0]), background)
        worst["foreground"] = min(worst["foreground"], contrast(rgba(row["foreground"]), painted))
        for colour, _opacity in row["text"]:
            text = rgba(colour)
            worst["kept"] = min(worst["kept"], contrast(text, painted) / contrast(text, background))
    return worst


def screenshot(page: Page, name: str, tmp: Path) -> Path:
    shot = tmp / name
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / name).write_bytes(shot.read_bytes())
    print(f"screenshot: {shot}")  # shown with -s; docs/vscode.md says how to refresh docs/
    return shot


# The tests.


def test_the_extension_attaches_to_every_language_iris_reads() -> None:
    from iris_codes.syntax.languages import supported_languages

    manifest = json.loads((EXTENSION / "package.json").read_text())
    events = [event.removeprefix("onLanguage:") for event in manifest["activationEvents"]]
    source = (EXTENSION / "src" / "languages.ts").read_text()
    listed = re.findall(r'"([a-z]+)"', source.partition("[")[2].partition("]")[0])
    assert sorted(events) == sorted(listed) == sorted(supported_languages())


def test_the_vsix_installs_into_code_server(code_server: CodeServer) -> None:
    listed = code_server.cli("--list-extensions", "--show-versions")
    version = json.loads((EXTENSION / "package.json").read_text())["version"]
    assert f"iris-codes.iris-codes@{version}" in listed.stdout.split()


def test_panel_lists_the_blocks_iris_analyze_gives(
    page: Page, code_server: CodeServer, expected: dict[str, Any]
) -> None:
    open_file(page, OUTSIDE_FILE)
    status = wait_for_answer(page, code_server)
    # `iris analyze` filled the cache the extension's `iris lsp` reads: the status says so.
    assert f"IRIS: {expected['metadata']['engine']} · cache hit · " in status, status
    show_panel(page)
    want = tree_rows(expected["responsibility_blocks"])
    expect(page.locator(f'{PANEL} .monaco-list-row[role="treeitem"]')).to_have_count(1 + len(want))
    intent, *rows = panel_rows(page)
    assert intent["label"] == expected["file_intent"]
    assert "cache hit" in intent["description"]
    assert [(row["level"], row["label"], row["description"]) for row in rows] == want


def test_every_block_line_is_tinted_keeping_the_text_readable(
    page: Page, code_server: CodeServer, expected: dict[str, Any], tmp_path: Path
) -> None:
    open_file(page, OUTSIDE_FILE)
    wait_for_answer(page, code_server)
    show_panel(page)
    focus_editor_at_top(page)
    worst = check_tints(page, expected, "light")
    screenshot(page, "vscode-light.png", tmp_path)  # scrolled to the end: several blocks
    # The editor's text keeps WCAG AA on every tint; every syntax colour 85% of its contrast.
    assert worst["foreground"] >= 4.5, worst
    assert worst["kept"] >= 0.85 - 0.01, worst  # the palette's KEEP, less rounding in the DOM
    print(f"light: text on a tint {worst['foreground']:.2f}:1 at worst, kept {worst['kept']:.2f}")


def test_next_and_previous_block_stop_at_each_first_line_in_order(
    page: Page, code_server: CodeServer, expected: dict[str, Any]
) -> None:
    open_file(page, OUTSIDE_FILE)
    wait_for_answer(page, code_server)
    starts = block_stops(expected["responsibility_blocks"])
    # From the file's last line, next wraps round to the first block, then steps in order.
    focus_editor_at_top(page)
    page.keyboard.press("Control+End")
    last = len(OUTSIDE_FILE.read_text().split("\n"))
    expect(page.locator('[id="status.editor.selection"]')).to_contain_text(f"Ln {last},")
    assert last > starts[-1]
    assert step(page, "Control+Alt+BracketRight", len(starts)) == starts
    # Previous walks back from the last block, then wraps round to it.
    assert step(page, "Control+Alt+BracketLeft", len(starts)) == [*starts[-2::-1], starts[-1]]


def step(page: Page, keys: str, times: int) -> list[int]:
    """Press ``keys`` ``times`` times; the cursor's line after each press."""
    lines = []
    for _ in range(times):
        before = cursor_line(page)
        page.keyboard.press(keys)
        expect(page.locator('[id="status.editor.selection"]')).not_to_contain_text(f"Ln {before},")
        lines.append(cursor_line(page))
    return lines


def test_clicking_a_block_reveals_it_and_focus_mode_dims_the_rest(
    page: Page, code_server: CodeServer, expected: dict[str, Any]
) -> None:
    open_file(page, OUTSIDE_FILE)
    wait_for_answer(page, code_server)
    show_panel(page)
    blocks = expected["responsibility_blocks"]
    target = len(blocks) // 2
    row = len(tree_rows(blocks[:target]))  # the rows above it, sub-blocks included
    page.locator(f'{PANEL} .monaco-list-row[role="treeitem"]').nth(1 + row).click()
    start, end = blocks[target]["ranges"][0]
    expect(page.locator('[id="status.editor.selection"]')).to_contain_text(f"Ln {start},")
    run_command(page, "IRIS: Toggle focus mode")
    page.wait_for_timeout(300)
    rows = {row["line"]: row for row in page.evaluate(VISIBLE_LINES, EDITOR)}
    inside = [rows[line] for line in range(start, end + 1) if line in rows]
    outside_rows = [row for line, row in rows.items() if owner_of(expected, line) != target]
    assert inside
    assert outside_rows
    assert all(float(opacity) == 1 for row in inside for _, opacity in row["text"])
    dimmed = [float(opacity) for row in outside_rows for _, opacity in row["text"]]
    assert dimmed
    assert all(abs(value - 0.35) < 0.01 for value in dimmed), dimmed
    run_command(page, "IRIS: Toggle focus mode")


def test_editing_a_file_is_analysed_again_after_a_pause(
    page: Page, code_server: CodeServer, expected: dict[str, Any]
) -> None:
    copy = code_server.workspace / "edited.py"
    copy.write_text(OUTSIDE_FILE.read_text())
    edited = code_server.workspace / "expected.py"
    edited.write_text("\n\n\n" + OUTSIDE_FILE.read_text())
    after = analyze(code_server, edited)
    open_file(page, copy)
    wait_for_answer(page, code_server)
    show_panel(page)
    expect(page.locator(f'{PANEL} .monaco-list-row[role="treeitem"]')).to_have_count(
        1 + len(tree_rows(expected["responsibility_blocks"]))
    )
    # Three lines typed at the top, no save: after the pause the panel shows the new answer.
    focus_editor_at_top(page)
    for _ in range(3):
        page.keyboard.press("Enter")
    want = tree_rows(after["responsibility_blocks"])
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        shown = [(row["level"], row["label"], row["description"]) for row in panel_rows(page)]
        if shown[1:] == want:
            break
        page.wait_for_timeout(200)
    assert shown[1:] == want
    run_command(page, "File: Revert File")
    run_command(page, "View: Close Editor")


def test_dark_theme_tints_keep_the_text_readable(
    page: Page, code_server: CodeServer, expected: dict[str, Any], tmp_path: Path
) -> None:
    choose_theme(page, THEMES["dark"])
    try:
        expect(page.locator(".monaco-workbench.vs-dark")).to_be_visible(timeout=15_000)
        open_file(page, OUTSIDE_FILE)
        wait_for_answer(page, code_server)
        show_panel(page)
        focus_editor_at_top(page)
        worst = check_tints(page, expected, "dark")
        screenshot(page, "vscode-dark.png", tmp_path)
        assert worst["foreground"] >= 4.5, worst
        assert worst["kept"] >= 0.85 - 0.01, worst
        print(
            f"dark: text on a tint {worst['foreground']:.2f}:1 at worst, kept {worst['kept']:.2f}"
        )
    finally:
        choose_theme(page, THEMES["light"])


def choose_theme(page: Page, theme: str) -> None:
    """Preferences: Color Theme, then the theme, as a user switches themes."""
    run_command(page, "Preferences: Color Theme")
    name = theme.removeprefix("Default ")
    page.locator(f'.quick-input-list .monaco-list-row[aria-label^="{name}"]').first.click()


# A running IRIS server elsewhere (iris.serverUrl), with a key, answering with nested blocks.

NESTED_ANSWER = {
    "success": True,
    "file_intent": "Order lifecycle state machine",
    "responsibility_blocks": [
        {"label": "Order states", "description": "The states.", "ranges": [[1, 8]]},
        {
            "label": "State transition rules",
            "description": "Which event moves an order where.",
            "ranges": [[10, 30]],
            "children": [
                {"label": "Payment events", "description": "Paid.", "ranges": [[10, 19]]},
                {
                    "label": "Shipping events",
                    "description": "Shipped.",
                    "ranges": [[20, 30]],
                    "children": [{"label": "Returns", "description": "", "ranges": [[26, 30]]}],
                },
            ],
        },
        {"label": "Audit trail", "description": "Who did what.", "ranges": [[32, 40]]},
    ],
    "metadata": {
        "engine": "structural",
        "cache_hit": 0,
        "latency_ms": 5,
        "degraded": "llm_timeout",
    },
}
KEY = "e2e-key-1"


class StubIris(BaseHTTPRequestHandler):
    """`POST /api/iris/analyze` of a server with one key, recording the keys it was sent."""

    keys: list[str | None] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        StubIris.keys.append(self.headers.get("X-API-Key"))
        if self.headers.get("X-API-Key") == KEY:
            status, body = 200, NESTED_ANSWER
        else:
            status = 401
            body = {
                "success": False,
                "error": "A valid API key is required.",
                "code": "unauthorized",
            }
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


@pytest.fixture
def stub_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), StubIris)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    StubIris.keys = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_server_url_and_a_stored_key_show_nested_blocks_and_the_status(
    page: Page, tmp_path_factory: pytest.TempPathFactory, stub_server: str
) -> None:
    remote = CodeServer(tmp_path_factory.mktemp("vscode-remote"))
    installed = remote.cli("--install-extension", str(VSIX))
    assert installed.returncode == 0, installed.stdout + installed.stderr
    remote.settings(**{"iris.serverUrl": stub_server})
    source = remote.workspace / "orders.py"
    source.write_text("".join(f"step_{n} = {n}\n" for n in range(1, 41)))
    remote.start()
    try:
        page.goto(f"{remote.url}/?folder={remote.workspace}")
        page.wait_for_selector(".monaco-workbench .part.editor", timeout=60_000)
        open_file(page, source)
        show_panel(page)
        # No key yet: the server's refusal, in its own words.
        expect(page.locator(PANEL)).to_contain_text("A valid API key is required.", timeout=30_000)
        expect(page.locator(PANEL)).to_contain_text("(unauthorized)")
        # IRIS: Set API key stores it in VS Code's secret storage; the extension restarts with it.
        run_command(page, "IRIS: Set API key")
        box = page.locator(".quick-input-widget input")
        expect(box).to_have_attribute("type", "password")
        box.fill(KEY)
        page.keyboard.press("Enter")
        rows = page.locator(f'{PANEL} .monaco-list-row[role="treeitem"]')
        expect(rows).to_have_count(7, timeout=30_000)
        shown = [(row["level"], row["label"], row["description"]) for row in panel_rows(page)]
        assert shown[1:] == [
            (1, "Order states", "1–8"),
            (1, "State transition rules", "10–30"),
            (2, "Payment events", "10–19"),
            (2, "Shipping events", "20–30"),
            (3, "Returns", "26–30"),
            (1, "Audit trail", "32–40"),
        ]
        assert shown[0][1] == "Order lifecycle state machine"
        assert status_text(page).strip() == "IRIS: structural · fresh analysis · 5 ms · degraded"
        expect(page.locator(PANEL)).to_contain_text("Degraded answer: llm_timeout")
        assert StubIris.keys[0] is None
        assert StubIris.keys[-1] == KEY
        # The key never reaches settings.json: it lives in the secret storage only.
        assert KEY not in (remote.data / "User" / "settings.json").read_text()
    finally:
        remote.stop()
