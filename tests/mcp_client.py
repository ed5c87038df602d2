"""Drive a real ``iris mcp`` subprocess with the MCP SDK's own clients (stdio, streamable HTTP)."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp import types as mcp_types
from mcp.client.streamable_http import streamable_http_client


@asynccontextmanager
async def stdio_session(
    cwd: Path,
    *args: str,
    env: dict[str, str],
    log: Path,
    roots: Sequence[Path] | None = None,
) -> AsyncIterator[ClientSession]:
    """An initialised session with ``iris mcp ARGS`` started in ``cwd``; its stderr to ``log``.

    ``roots``: the folders this client declares (the roots capability), or none at all.
    """
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "iris_codes", "mcp", *args], cwd=cwd, env=env
    )
    with log.open("a") as errlog:
        async with (
            stdio_client(params, errlog=errlog) as (read, write),
            ClientSession(read, write, list_roots_callback=_roots_callback(roots)) as session,
        ):
            await session.initialize()
            yield session


@asynccontextmanager
async def http_session(url: str) -> AsyncIterator[ClientSession]:
    """An initialised session with a running ``iris mcp --http`` at ``url``."""
    async with (
        streamable_http_client(url) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


def _roots_callback(roots: Sequence[Path] | None) -> Any:
    if roots is None:
        return None

    async def list_roots(context: Any) -> mcp_types.ListRootsResult:
        listed = [mcp_types.Root(uri=root.as_uri(), name=root.name) for root in roots]
        return mcp_types.ListRootsResult(roots=listed)

    return list_roots


async def call(session: ClientSession, tool: str, **arguments: Any) -> dict[str, Any]:
    """A successful tool call's structured answer (fails the test on a tool error)."""
    result = await session.call_tool(tool, arguments)
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


async def refusal(session: ClientSession, tool: str, **arguments: Any) -> str:
    """A tool call that must fail: its error sentence."""
    result = await session.call_tool(tool, arguments)
    assert result.is_error, f"{tool}({arguments}) was not refused"
    return text_of(result)


def text_of(result: mcp_types.CallToolResult) -> str:
    """The text content a model reads."""
    return "".join(
        block.text for block in result.content if isinstance(block, mcp_types.TextContent)
    )


def parse_text(result: mcp_types.CallToolResult) -> Any:
    """The text content of a JSON answer."""
    return json.loads(text_of(result))
