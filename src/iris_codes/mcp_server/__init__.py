"""``iris mcp``: outline tools for coding agents over the Model Context Protocol.

Importing this package loads nothing heavy; ``serve`` imports the ``mcp`` SDK (the
``mcp`` extra) when it starts.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..config import Settings

HTTP_PATH = "/mcp"


def install_hint() -> str:
    """What to run when the SDK is missing: the ``mcp`` extra, from where IRIS came from."""
    from ..extras import install_hint as hint

    return f"iris mcp needs the MCP SDK: {hint('mcp')}"


def sdk_available() -> bool:
    """Whether the ``mcp`` SDK can be imported."""
    try:
        import mcp.server.mcpserver  # noqa: F401
    except ImportError:
        return False
    return True


def serve(
    settings: Settings,
    roots: Sequence[str],
    *,
    http: tuple[str, int] | None = None,
) -> None:
    """Serve the tools over stdio, or streamable HTTP at ``http`` (host, port), until closed."""
    from ..service import Service
    from .roots import RootPolicy
    from .server import build_server
    from .tools import Outliner

    # stdout carries the protocol on stdio: every log line goes to stderr.
    logging.basicConfig(stream=sys.stderr, level=settings.log_level)
    # The SDK logs whole messages (file text included) below WARNING.
    logging.getLogger("mcp").setLevel(logging.WARNING)
    policy = RootPolicy.create(roots, http=http is not None, cwd=Path.cwd())
    service = Service(settings)
    server = build_server(Outliner(service), policy)
    try:
        if http is None:
            server.run()
        else:
            host, port = http
            server.run("streamable-http", host=host, port=port, streamable_http_path=HTTP_PATH)
    finally:
        service.close()
