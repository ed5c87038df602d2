"""The web page at ``/`` in real headless Chromium against a live ``iris serve``.

The engine's labels and block count change over time, so nothing here pins them: every check
compares what the page shows with the JSON answer the page itself received.
"""

from __future__ import annotations

import fnmatch
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests

from iris_codes.testing import ServerProcess
from support import StartServer, post_analyze, require

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # the dev extra installs it; without it the tests skip (fail under CI)
    sync_playwright = None

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = "/usr/bin/chromium"  # Debian's package; Playwright never downloads a browser here
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
VIEWPORT = {"width": 1280, "height": 800}
# A file from outside this project, read at test time: the page must handle real code.
OUTSIDE_FILE = Path(fnmatch.__file__)
ANALYZE = "/api/iris/analyze"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require(sync_playwright is not None, "playwright is not installed (pip install -e '.[dev]')")
    require(Path(CHROMIUM).exists(), "Chromium is not installed (apt-get install chromium)")
    assert sync_playwright is not None
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


# Uncaught JavaScript errors per open page, checked when the page is closed.
PAGE_ERRORS: dict[int, list[str]] = {}


def open_page(browser: Browser, server: ServerProcess, scheme: str = "light") -> Page:
    """The page at ``/`` in a fresh context, once it has loaded the server's languages."""
    context = browser.new_context(viewport=VIEWPORT, color_scheme=scheme)
    page = context.new_page()
    errors = PAGE_ERRORS.setdefault(id(page), [])
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server.url}/")
    # A selector, not wait_for_function: its polling evaluates a string, which the page's
    # Content-Security-Policy (no 'unsafe-eval') rightly refuses.
    page.wait_for_selector("#language option:nth-child(2)", state="attached")
    return page


def close_page(page: Page) -> None:
    page.context.close()
    assert PAGE_ERRORS.pop(id(page)) == []


@pytest.fixture
def page(browser: Browser, shared_server: ServerProcess) -> Iterator[Page]:
    opened = open_page(browser, shared_server)
    yield opened
    close_page(opened)


def paste_and_analyze(page: Page, filename: str, source: str) -> Any:
    """Fill the form as a user pasting a file would; the answer the page received."""
    page.fill("#filename", filename)
    page.fill("#source", source)
    with page.expect_response(lambda reply: reply.url.endswith(ANALYZE)) as reply:
        page.click("#analyze")
    answer = reply.value.json()
    expect(page.locator("#intent")).to_have_text(answer.get("file_intent", ""))
    return answer


def owners(answer: Any, line_count: int) -> list[str | None]:
    """For lines 1..line_count, the index of the block whose ranges hold it, as the DOM says it."""
    owner: list[str | None] = [None] * line_count
    for index, block in enumerate(answer["responsibility_blocks"]):
        for start, end in block["ranges"]:
            for line in range(start, end + 1):
                owner[line - 1] = str(index)
    return owner


def lines_of(source: str) -> list[str]:
    """The file's lines as IRIS counts them (these samples use ``\\n`` only)."""
    return source.removesuffix("\n").split("\n")


def line_box(page: Page, line: int) -> dict[str, float]:
    box = page.locator(f'#code [data-line="{line}"]').bounding_box()
    assert box is not None
    return box


def in_viewport(page: Page, line: int) -> bool:
    box = line_box(page, line)
    return box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"]


def scroll_away_from(page: Page, line: int) -> None:
    """Scroll the page to whichever end leaves ``line`` out of view."""
    middle = page.evaluate("document.documentElement.scrollHeight / 2")
    top = line_box(page, line)["y"] + page.evaluate("window.scrollY")
    page.evaluate(f"window.scrollTo(0, {0 if top > middle else 'document.body.scrollHeight'})")
    assert not in_viewport(page, line)


def test_pasted_file_shows_intent_blocks_and_every_line_in_its_block(page: Page) -> None:
    source = OUTSIDE_FILE.read_text()
    answer = paste_and_analyze(page, "fnmatch.py", source)

    assert answer["success"] is True
    buttons = page.locator("#blocks button")
    blocks = answer["responsibility_blocks"]
    assert buttons.count() == len(blocks) > 0
    for index, block in enumerate(blocks):
        item = page.locator(f'#blocks button[data-block="{index}"]')
        expect(item.locator(".label")).to_have_text(block["label"])
        expect(item.locator(".num")).to_have_text(str(index + 1))
    lines = page.eval_on_selector_all(
        "#code [data-line]",
        "rows => rows.map(r => [Number(r.dataset.line), r.dataset.block ?? null])",
    )
    line_count = len(lines_of(source))
    assert [number for number, _ in lines] == list(range(1, line_count + 1))
    assert [block for _, block in lines] == owners(answer, line_count)
    # The source is shown as text, exactly as pasted, line by line.
    texts = page.eval_on_selector_all("#code .line .tx", "cells => cells.map(c => c.textContent)")
    assert texts == lines_of(source)
    meta = page.locator("#meta")
    expect(meta).to_contain_text(f"engine {answer['metadata']['engine']}")
    expect(meta).to_contain_text("fresh analysis" if not answer["metadata"]["cache_hit"] else "hit")
    expect(page.locator("#key-field")).to_be_hidden()  # this server needs no key


def test_page_sends_the_file_name_and_only_a_chosen_language(page: Page) -> None:
    page.fill("#filename", "notes.txt")
    page.fill("#source", "def f():\n    return 1\n")
    page.select_option("#language", "python")
    with page.expect_request(lambda request: request.url.endswith(ANALYZE)) as request:
        page.click("#analyze")
    assert request.value.post_data_json["filename"] == "notes.txt"
    assert request.value.post_data_json["language"] == "python"
    expect(page.locator("#code [data-line]")).to_have_count(2)

    page.select_option("#language", "")  # "detect": the server detects from the file name
    with page.expect_request(lambda request: request.url.endswith(ANALYZE)) as request:
        page.click("#analyze")
    assert "language" not in request.value.post_data_json


def test_clicking_a_block_scrolls_to_its_ranges_in_turn(page: Page) -> None:
    answer = paste_and_analyze(page, "fnmatch.py", OUTSIDE_FILE.read_text())
    blocks = answer["responsibility_blocks"]
    index = max(range(len(blocks)), key=lambda i: len(blocks[i]["ranges"]))
    ranges = blocks[index]["ranges"]
    button = page.locator(f'#blocks button[data-block="{index}"]')
    # Each click shows the next range; after the last, the first again.
    for click in range(len(ranges) + 1):
        start, end = ranges[click % len(ranges)]
        scroll_away_from(page, start)
        button.click()
        assert in_viewport(page, start), f"click {click + 1}: line {start} is not in view"
        current = page.eval_on_selector_all(
            "#code .line.current", "rows => rows.map(r => Number(r.dataset.line))"
        )
        assert current == list(range(start, end + 1))


def test_hovering_a_line_marks_its_block_and_focus_marks_the_lines(page: Page) -> None:
    answer = paste_and_analyze(page, "fnmatch.py", OUTSIDE_FILE.read_text())
    blocks = answer["responsibility_blocks"]
    active = page.locator("#blocks button.active")
    for index in reversed(range(len(blocks))):
        start = blocks[index]["ranges"][-1][0]
        page.hover(f'#code [data-line="{start}"]')
        expect(active).to_have_count(1)
        expect(active).to_have_attribute("data-block", str(index))
    page.mouse.move(VIEWPORT["width"] - 5, 5)  # off the code
    expect(active).to_have_count(0)

    # Blocks are buttons: reachable by keyboard, and focus lights the block's lines.
    page.focus('#blocks button[data-block="0"]')
    if len(blocks) > 1:
        page.keyboard.press("Tab")
    focused = str(min(1, len(blocks) - 1))
    expect(active).to_have_attribute("data-block", focused)
    lit = page.eval_on_selector_all("#code .line.lit", "rows => rows.map(r => r.dataset.block)")
    expected = owners(answer, len(lines_of(OUTSIDE_FILE.read_text()))).count(focused)
    assert lit == [focused] * expected
    page.keyboard.press("Enter")
    assert in_viewport(page, blocks[int(focused)]["ranges"][0][0])


def test_source_is_shown_as_text_never_as_markup(page: Page) -> None:
    source = '# <img src=x onerror="document.title=\'owned\'">\nx = "<b>bold</b>"\n'
    paste_and_analyze(page, "tags.py", source)
    texts = page.eval_on_selector_all("#code .line .tx", "cells => cells.map(c => c.textContent)")
    assert texts == lines_of(source)
    assert page.locator("#code img, #code b").count() == 0
    assert page.title() != "owned"


def test_key_is_asked_for_only_when_needed_and_a_bad_one_reads_clearly(
    browser: Browser, start_server: StartServer
) -> None:
    server = start_server({"IRIS_API_KEY": "right-key"})
    health = requests.get(f"{server.url}/api/iris/health", timeout=10).json()
    assert health["auth"] is True
    assert "right-key" not in str(health)
    page = open_page(browser, server)
    expect(page.locator("#key")).to_be_visible()

    page.fill("#key", "wrong-key")
    body = {"filename": "a.py", "source_code": "x = 1\n"}
    refused = paste_and_analyze(page, body["filename"], body["source_code"])
    direct = post_analyze(server, body, headers={"X-API-Key": "wrong-key"})
    assert direct.status_code == 401
    assert refused == direct.json()
    expect(page.locator("#status")).to_contain_text(refused["error"])
    expect(page.locator("#status")).to_have_class(re.compile(r"\berror\b"))
    expect(page.locator("#result")).to_be_hidden()
    assert page.evaluate("sessionStorage.getItem('iris-api-key')") is None

    page.fill("#key", "right-key")
    answer = paste_and_analyze(page, body["filename"], body["source_code"])
    assert answer["success"] is True
    storage = page.evaluate("[sessionStorage.getItem('iris-api-key'), localStorage.length]")
    assert storage == ["right-key", 0]  # the tab keeps it; nothing outlives the tab
    page.reload()
    expect(page.locator("#key")).to_have_value("right-key")
    close_page(page)


def test_refusals_and_a_server_gone_read_as_sentences(
    browser: Browser, start_server: StartServer
) -> None:
    server = start_server({"IRIS_MAX_SOURCE_BYTES": "2000"})
    page = open_page(browser, server)
    source = OUTSIDE_FILE.read_text()  # well over the limit
    refused = paste_and_analyze(page, OUTSIDE_FILE.name, source)
    direct = post_analyze(server, {"filename": OUTSIDE_FILE.name, "source_code": source})
    assert direct.status_code == 413
    expect(page.locator("#status")).to_contain_text(direct.json()["error"])
    assert refused["code"] == direct.json()["code"]

    server.stop()
    page.click("#analyze")
    expect(page.locator("#status")).to_contain_text("Could not reach the IRIS server")
    close_page(page)


def in_view(page: Page, selector: str, height: float = VIEWPORT["height"]) -> bool:
    """Whether the top of ``selector`` is on screen."""
    box = page.locator(selector).bounding_box()
    assert box is not None
    return 0 <= box["y"] < height


def test_a_file_picked_while_scrolled_down_shows_its_result_on_screen(page: Page) -> None:
    paste_and_analyze(page, "fnmatch.py", OUTSIDE_FILE.read_text())
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # reading the end
    assert not in_view(page, "#intent")
    other = Path(textwrap.__file__)  # long too: the page stays scrolled where it was
    with page.expect_response(lambda reply: reply.url.endswith(ANALYZE)) as reply:
        page.set_input_files(
            "#file",
            files=[{"name": other.name, "mimeType": "text/x-python", "buffer": other.read_bytes()}],
        )
    expect(page.locator("#intent")).to_have_text(reply.value.json()["file_intent"])
    assert in_view(page, "#intent"), "the new file's result is off screen"


def test_an_error_takes_the_previous_result_off_the_page(page: Page) -> None:
    paste_and_analyze(page, "fnmatch.py", OUTSIDE_FILE.read_text())
    expect(page.locator("#result")).to_be_visible()
    page.fill("#filename", "notes.unknownext")
    page.fill("#source", "some text\n")
    with page.expect_response(lambda reply: reply.url.endswith(ANALYZE)):
        page.click("#analyze")
    expect(page.locator("#status")).to_have_class(re.compile(r"\berror\b"))
    expect(page.locator("#result")).to_be_hidden()


def test_an_undetectable_language_points_at_the_language_menu(page: Page) -> None:
    page.fill("#filename", "notes.unknownext")
    page.fill("#source", "def f():\n    return 1\n")
    with page.expect_response(lambda reply: reply.url.endswith(ANALYZE)) as reply:
        page.click("#analyze")
    assert reply.value.json()["code"] == "unsupported_language"
    status = page.locator("#status")
    expect(status).to_contain_text("choose it in the Language menu")
    expect(status).not_to_contain_text("--language")
    expect(status).not_to_contain_text("in the API")
    page.select_option("#language", "python")  # what the sentence says to do works
    with page.expect_response(lambda reply: reply.url.endswith(ANALYZE)) as reply:
        page.click("#analyze")
    assert reply.value.json()["success"] is True
    expect(page.locator("#result")).to_be_visible()


@pytest.mark.parametrize("where", ["#source", "#filename"])
def test_ctrl_enter_analyses_from_the_form(page: Page, where: str) -> None:
    page.fill("#filename", "ctrl.py")
    page.fill("#source", "def f():\n    return 1\n")
    page.focus(where)
    with page.expect_response(lambda reply: reply.url.endswith(ANALYZE)) as reply:
        page.keyboard.press("Control+Enter")
    expect(page.locator("#intent")).to_have_text(reply.value.json()["file_intent"])
    assert page.input_value("#source") == "def f():\n    return 1\n"  # no newline typed


PHONE = {"width": 390, "height": 844}


def test_on_a_phone_a_button_brings_the_list_back_from_the_code(
    browser: Browser, shared_server: ServerProcess
) -> None:
    context = browser.new_context(viewport=PHONE, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{shared_server.url}/")
    page.wait_for_selector("#language option:nth-child(2)", state="attached")
    answer = paste_and_analyze(page, "fnmatch.py", OUTSIDE_FILE.read_text())
    blocks = answer["responsibility_blocks"]
    assert len(blocks) > 1
    back = page.locator("#to-blocks")
    expect(back).to_be_hidden()  # the list is on screen
    last = len(blocks) - 1
    page.locator(f'#blocks button[data-block="{last}"]').click()  # read the last block
    assert not in_view(page, "#toc", PHONE["height"]) or not in_view(
        page, '#blocks button[data-block="0"]', PHONE["height"]
    )
    expect(back).to_be_visible()
    back.click()
    expect(back).to_be_hidden()
    box = page.locator("#toc").bounding_box()
    assert box is not None
    assert 0 <= box["y"] < PHONE["height"]  # the list is back on screen
    focused = page.evaluate("document.activeElement.dataset.block")
    assert focused == str(last)  # at the block just read
    context.close()
    assert errors == []


def test_health_says_no_key_is_needed_when_auth_is_off(shared_server: ServerProcess) -> None:
    assert requests.get(f"{shared_server.url}/api/iris/health", timeout=10).json()["auth"] is False


# -- what it looks like ------------------------------------------------------------------------


def relative_luminance(rgb: tuple[float, float, float]) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(value) for value in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: tuple[float, float, float], second: tuple[float, float, float]) -> float:
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def css_rgb(value: str) -> tuple[float, float, float]:
    """An opaque computed colour: ``rgb(r, g, b)`` or ``color(srgb r g b)`` (from color-mix)."""
    if value.startswith("color(srgb"):
        numbers = re.findall(r"[\d.]+", value.removeprefix("color(srgb"))
        assert len(numbers) == 3, f"expected an opaque colour, got {value}"
        return (float(numbers[0]) * 255, float(numbers[1]) * 255, float(numbers[2]) * 255)
    numbers = re.findall(r"[\d.]+", value)
    assert len(numbers) == 3, f"expected an opaque colour, got {value}"
    return (float(numbers[0]), float(numbers[1]), float(numbers[2]))


COLOURS = """row => {
  const cell = getComputedStyle(row.querySelector('.tx'));
  return [cell.color, cell.backgroundColor];
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_dropped_file_reads_well_in_each_theme(
    browser: Browser, shared_server: ServerProcess, scheme: str, tmp_path: Path
) -> None:
    page = open_page(browser, shared_server, scheme)
    source = OUTSIDE_FILE.read_text()
    with page.expect_response(lambda reply: reply.url.endswith(ANALYZE)) as reply:
        page.evaluate(
            """([name, text]) => {
              const data = new DataTransfer();
              data.items.add(new File([text], name, {type: 'text/x-python'}));
              const drop = new DragEvent('drop', {dataTransfer: data, bubbles: true});
              document.body.dispatchEvent(drop);
            }""",
            [OUTSIDE_FILE.name, source],
        )
    answer = reply.value.json()
    expect(page.locator("#intent")).to_have_text(answer["file_intent"])
    expect(page.locator("#filename")).to_have_value(OUTSIDE_FILE.name)
    expect(page.locator("#language")).to_have_value("python")  # taken from the name
    assert reply.value.request.post_data_json["source_code"] == source

    # Each block's tint differs from its neighbours' and from plain lines, and code on it
    # stays readable (WCAG AA, 4.5:1), tinted and when its block is lit by hovering.
    blocks = answer["responsibility_blocks"]
    plain = page.locator("#code .line:not([data-block])")
    backgrounds = {}
    if plain.count():
        backgrounds["plain"] = page.eval_on_selector("#code .line:not([data-block])", COLOURS)[1]
    for index, block in enumerate(blocks):
        row = f'#code [data-line="{block["ranges"][0][0]}"]'
        text, background = page.eval_on_selector(row, COLOURS)
        assert contrast(css_rgb(text), css_rgb(background)) >= 4.5, (scheme, index, background)
        page.hover(row)
        expect(page.locator(row)).to_have_class(re.compile(r"\blit\b"))
        text, lit = page.eval_on_selector(row, COLOURS)
        assert contrast(css_rgb(text), css_rgb(lit)) >= 4.5, (scheme, index, lit)
        backgrounds[index] = background
    assert len(set(backgrounds.values())) == len(backgrounds)

    page.mouse.move(VIEWPORT["width"] - 5, 5)
    page.evaluate("window.scrollTo(0, 0)")
    shot = tmp_path / f"web-page-{scheme}.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")  # shown with -s; docs/web.md says how to refresh the README's
    close_page(page)


def test_page_assets_are_served_from_the_package(shared_server: ServerProcess) -> None:
    page = requests.get(f"{shared_server.url}/", timeout=10)
    assert page.status_code == 200
    # Ready for a strict Content-Security-Policy: no inline script, style or handler.
    html = page.text
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r"<style|\sstyle=|\son[a-z]+=", html)
    for asset in re.findall(r'(?:href|src)="(static/[^"]+)"', html):
        reply = requests.get(f"{shared_server.url}/{asset}", timeout=10)
        assert reply.status_code == 200, asset
