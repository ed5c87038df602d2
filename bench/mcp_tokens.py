"""What ``iris mcp`` saves an agent: an outline plus one block against the whole file.

    .venv/bin/python bench/mcp_tokens.py [--count N] [--root DIR]

For each of the N largest Python files (by characters) under ``src/iris_codes``, a real
``iris mcp`` subprocess (structural engine, a fresh cache) is asked, through the MCP SDK's
stdio client, for ``outline_file`` and then ``read_block`` of the block a question would
need. The rule for that block: the **largest** one (most lines; the first on a tie), the
worst case for the saving; the summary also gives the median-sized block's figure.
Characters are those of the text content a model reads; tokens are estimated as
characters / 4. Prints a Markdown table for docs/mcp.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp import types as mcp_types

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True, slots=True)
class Row:
    """One file's measures."""

    path: str
    lines: int
    file_chars: int
    outline_chars: int
    block: str
    block_lines: int
    block_chars: int
    median_block_chars: int

    @property
    def mcp_chars(self) -> int:
        return self.outline_chars + self.block_chars


def largest_files(root: Path, count: int) -> list[Path]:
    """The ``count`` largest ``*.py`` files under ``root``, largest first."""
    files = [path for path in root.rglob("*.py") if "__pycache__" not in path.parts]
    size = {path: len(path.read_text(encoding="utf-8")) for path in files}
    return sorted(files, key=lambda path: (-size[path], str(path)))[:count]


def _text(result: mcp_types.CallToolResult) -> str:
    if result.is_error:
        raise RuntimeError(f"tool error: {result.content}")
    return "".join(b.text for b in result.content if isinstance(b, mcp_types.TextContent))


def _size(block: dict[str, Any]) -> int:
    return sum(end - start + 1 for start, end in block["ranges"])


async def measure(files: list[Path], cache_dir: str) -> tuple[list[Row], int]:
    """Each file's row, and the characters of the tool list (sent once per session)."""
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "iris_codes", "mcp", "--root", str(REPO)],
        cwd=REPO,
        env={"IRIS_CACHE_DIR": cache_dir, "IRIS_ENGINE": "structural"},
    )
    rows = []
    async with (
        stdio_client(params) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        listed = await session.list_tools()
        tools_chars = len(json.dumps([t.model_dump(mode="json") for t in listed.tools]))
        for path in files:
            name = path.relative_to(REPO).as_posix()
            outline = _text(await session.call_tool("outline_file", {"path": name}))
            blocks = json.loads(outline)["blocks"]
            largest = max(blocks, key=lambda block: (_size(block), -block["index"]))
            by_size = sorted(blocks, key=_size)
            median = by_size[(len(by_size) - 1) // 2]
            block = await _block(session, name, largest["index"])
            median_block = await _block(session, name, median["index"])
            text = path.read_text(encoding="utf-8")
            rows.append(
                Row(
                    name,
                    len(text.splitlines()),
                    len(text),
                    len(outline),
                    largest["label"],
                    _size(largest),
                    len(block),
                    len(median_block),
                )
            )
    return rows, tools_chars


async def _block(session: ClientSession, path: str, index: int) -> str:
    return _text(await session.call_tool("read_block", {"path": path, "index": index}))


def table(rows: list[Row], tools_chars: int) -> str:
    """The Markdown table, with a total row."""
    out = [
        "| file | lines | whole file | outline_file | largest block (lines) | read_block "
        "| outline + block | share of the file |",
        "|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    for row in rows:
        out.append(
            f"| `{row.path.removeprefix('src/iris_codes/')}` | {row.lines} | {row.file_chars:,} "
            f"| {row.outline_chars:,} | {row.block} ({row.block_lines}) | {row.block_chars:,} "
            f"| {row.mcp_chars:,} | {row.mcp_chars / row.file_chars:.0%} |"
        )
    whole = sum(row.file_chars for row in rows)
    used = sum(row.mcp_chars for row in rows)
    typical = sum(row.outline_chars + row.median_block_chars for row in rows)
    out.append(
        f"| **total** | {sum(row.lines for row in rows)} | {whole:,} "
        f"| {sum(row.outline_chars for row in rows):,} | | "
        f"{sum(row.block_chars for row in rows):,} | {used:,} | {used / whole:.0%} |"
    )
    out += [
        "",
        f"Whole files: {whole:,} characters (about {whole // 4:,} tokens at 4 characters a "
        f"token); outline + largest block: {used:,} (about {used // 4:,} tokens), "
        f"{whole / used:.1f}x fewer; with the median-sized block instead, {typical:,} "
        f"({typical / whole:.0%} of the files). The three tools' definitions cost {tools_chars:,} "
        f"characters (about {tools_chars // 4:,} tokens) once per session.",
    ]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10, help="how many files [10]")
    parser.add_argument("--root", type=Path, default=REPO / "src" / "iris_codes")
    args = parser.parse_args()
    files = largest_files(args.root.resolve(), args.count)
    with tempfile.TemporaryDirectory(prefix="iris-mcp-bench-") as cache_dir:
        rows, tools_chars = anyio.run(measure, files, cache_dir)
    print(table(rows, tools_chars))


if __name__ == "__main__":
    main()
