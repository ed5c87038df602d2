"""Rendering of ``iris analyze`` results: terminal text, one JSON document, a Markdown report.

What a file or a server says is shown, never obeyed: file names go through
``textsafe.printable`` and answer text through ``strip_controls`` (an answer from a remote
server included), so no escape sequence reaches the terminal, and in Markdown a name is a
code span that no newline, backtick or ``<tag>`` in it can leave.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import click

from .textsafe import printable, strip_controls

if TYPE_CHECKING:
    from .batch import FileResult, Run

_MARKDOWN_SPECIAL = re.compile(r"([\\*_\[\]<>#])")
# Code spans (single or double backticks, as docstrings write them) stay whole: they render as code.
_CODE_SPAN = re.compile(r"(`+)[^`].*?\1")


def render_toc(name: str, body: dict[str, Any]) -> str:
    """A readable table of contents for a terminal."""
    meta = body["metadata"]
    head = click.style(f"{printable(name)}: {_text(body['file_intent'])}", bold=True)
    detail = f"engine {_text(meta.get('engine'))}, {_text(meta.get('latency_ms'))} ms"
    if meta.get("cache_hit"):
        detail += ", cached"
    if meta.get("degraded"):
        detail += f", degraded: {_text(meta['degraded'])}"
    lines = [head, click.style(f"({detail})", dim=True), ""]
    for number, block in enumerate(body["responsibility_blocks"], start=1):
        lines += block_lines(str(number), block)
    return "\n".join(lines)


def block_lines(number: str, block: dict[str, Any], indent: str = "") -> list[str]:
    """One block on a terminal: ``2. Label  lines 5-9`` and its description below, then
    its sub-blocks indented (``2.1.``)."""
    spans = ", ".join(f"{a}-{b}" if a != b else f"{a}" for a, b in block["ranges"])
    label = click.style(_text(block["label"]), bold=True)
    lines = [
        f"{indent}{number}. {label}  lines {spans}",
        f"{indent}   {_text(block['description'])}",
    ]
    for index, child in enumerate(block.get("children") or (), start=1):
        lines += block_lines(f"{number}.{index}", child, indent + "   ")
    return lines


def _text(value: object) -> str:
    """Answer text as plain text for a terminal: no control character, on one line."""
    return strip_controls(str(value))


def render_result(result: FileResult) -> str:
    """One file's text output: its table of contents, or why it has none."""
    if result.body is not None:
        return render_toc(result.path, result.body) + "\n"
    label = "skipped" if result.status == "skipped" else "failed"
    message = f"{printable(result.path)}: {label}: {_text(result.error)}"
    return click.style(message, fg="red") + "\n"


def summary_line(summary: dict[str, Any]) -> str:
    """``42 files in 1.3 s (32.3 files/s): 30 analysed, 12 from cache, …``."""
    parts = [
        f"{summary['analysed']} analysed",
        f"{summary['cache_hits']} from cache",
        f"{summary['failed']} failed",
    ]
    if summary["unfinished"]:
        parts.append(f"{summary['unfinished']} not reached")
    skipped = summary["skipped"]
    if skipped:
        reasons = ", ".join(f"{reason} {count}" for reason, count in skipped.items())
        parts.append(f"{sum(skipped.values())} skipped ({reasons})")
    head = f"{summary['files']} files in {summary['seconds']:.2f} s"
    head += f" ({summary['files_per_second']} files/s)"
    if summary["interrupted"]:
        head = "interrupted: " + head
    return f"{head}: {', '.join(parts)}"


def json_document(run: Run) -> dict[str, Any]:
    """``{"files": [...], "skipped": [...], "summary": {...}}`` for ``--json``."""
    return {
        "files": [result.to_dict() for result in run.results],
        "skipped": [{"path": item.display, "reason": item.reason} for item in run.skipped],
        "summary": run.summary(),
    }


def markdown_report(run: Run, roots: Sequence[str], report_path: str) -> str:
    """An overview of the project, then each file's table of contents with linked ranges.

    Links are relative to the report's folder, so the report reads on a forge in place.
    """
    base = os.path.dirname(os.path.abspath(report_path))
    summary = run.summary()
    lines = [
        f"# Table of contents: {', '.join(_code(root) for root in roots)}",
        "",
        _overview_line(summary).replace("_", "\\_"),
        "",
        "## Overview",
    ]
    folder = None
    for result in run.results:
        parent = os.path.dirname(result.path)
        if parent != folder:
            folder = parent
            lines += ["", f"**{_code(parent + '/' if parent else './')}**", ""]
        name = os.path.basename(result.path)
        lines.append(f"- [{_code(name)}]({_link(result.path, base)}): {_gist(result)}")
    lines += ["", "## Files"]
    for result in run.results:
        lines += ["", *_file_section(result, base)]
    return "\n".join(lines) + "\n"


def _file_section(result: FileResult, base: str) -> list[str]:
    target = _link(result.path, base)
    lines = [f"### [{_code(result.path)}]({target})", ""]
    if result.body is None:
        return [*lines, f"*{_escape(result.status)}: {_escape(result.error or '')}*"]
    lines += [_escape(result.body["file_intent"]), ""]
    lines += _report_blocks(result.body["responsibility_blocks"], target, "")
    return lines


def _report_blocks(blocks: list[dict[str, Any]], target: str, indent: str) -> list[str]:
    """Numbered blocks with linked ranges; sub-blocks as a nested list under theirs."""
    lines = []
    for number, block in enumerate(blocks, start=1):
        spans = ", ".join(_range_link(target, start, end) for start, end in block["ranges"])
        label, description = _escape(block["label"]), _escape(block["description"])
        lines.append(f"{indent}{number}. **{label}** ({spans}): {description}")
        lines += _report_blocks(block.get("children") or [], target, indent + "   ")
    return lines


def _gist(result: FileResult) -> str:
    if result.body is not None:
        return _escape(result.body["file_intent"])
    return f"*{_escape(result.status)}: {_escape(result.error or '')}*"


def _range_link(target: str, start: int, end: int) -> str:
    anchor = f"L{start}" if start == end else f"L{start}-L{end}"
    return f"[{anchor.replace('L', '')}]({target}#{anchor})"


def _link(path: str, base: str) -> str:
    relative = os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")
    return quote(relative, safe="/.-_~")


def _escape(text: str) -> str:
    """Prose as Markdown: special characters escaped outside code spans, on one line."""
    text = strip_controls(text)  # newlines too: a line break could start a heading
    parts, position = [], 0
    for span in _CODE_SPAN.finditer(text):
        parts += [_MARKDOWN_SPECIAL.sub(r"\\\1", text[position : span.start()]), span.group()]
        position = span.end()
    parts.append(_MARKDOWN_SPECIAL.sub(r"\\\1", text[position:]))
    return "".join(parts)


def _code(path: str) -> str:
    """A path as a code span: nothing inside one is Markdown or HTML.

    Controls are escapes (a newline would end the span's paragraph and start a heading),
    and the fence is longer than any run of backticks in the name, so none closes it early.
    """
    text = printable(path)
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


_BACKTICKS = re.compile(r"`+")


def _overview_line(summary: dict[str, Any]) -> str:
    # Counts that depend on the tree only, so a kept report changes when the code does.
    line = f"{summary['files']} files"
    if summary["failed"]:
        line += f", {summary['failed']} failed"
    if summary["skipped"]:
        reasons = ", ".join(f"{reason} {count}" for reason, count in summary["skipped"].items())
        line += f"; {sum(summary['skipped'].values())} paths skipped ({reasons})"
    if summary["interrupted"]:
        line += f"; interrupted, {summary['unfinished']} not reached"
    return line + "."
