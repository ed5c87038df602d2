"""``iris mcp``: the table of contents as MCP tools, on the official SDK's ``MCPServer``.

The SDK does the protocol (schemas from the signatures, validation, transports); this
module only says what each tool is for, which roots are in force for a request, and
turns IRIS's errors into tool errors a model can read.
"""

from __future__ import annotations

import functools
import json
import logging
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import anyio
import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.shared.exceptions import MCPDeprecationWarning, MCPError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import Field, ValidationError

from ..errors import IrisError
from ..textsafe import json_escaped, printable, strip_controls
from .roots import RootPolicy, paths_from_uris
from .tools import MAX_CHARS, MAX_FILES, MAX_FILES_LIMIT, Outliner

log = logging.getLogger(__name__)
T = TypeVar("T")
_ROOTS_SECONDS = 5.0  # how long a client may take to list its roots

INSTRUCTIONS = (
    "IRIS gives the table of contents of source files: what a file is for and which line "
    "ranges hold which responsibility. Before reading a whole file, call outline_file; then "
    "read_block for the one section the task needs. For an unfamiliar project, start with "
    "outline_repository."
)

OUTLINE_FILE = (
    "Table of contents of one source file: a one-sentence file intent and its responsibility "
    "blocks in file order, each with an index, a short label, a one-sentence description and "
    "the 1-based inclusive line ranges it covers. Call it before reading a file, to find "
    "which lines matter, instead of reading the whole file. Pass `path` (relative to the "
    "project root) for a file on disk, or `source` with `filename` for text that is not "
    "saved. `metadata.engine` says which engine answered (structural or llm) and "
    "`metadata.cache_hit` whether the answer came from the cache."
)
READ_BLOCK = (
    "The source lines of one responsibility block of a file, with their line numbers "
    "(`number<TAB>text`, a `…` line between ranges that are apart). Choose the block by "
    "`index` (1 is the first block outline_file lists) or by its exact `label`. Use it "
    "after outline_file to read exactly the section a question needs rather than the "
    "whole file; an unknown label or index is an error that lists the file's blocks."
)
OUTLINE_REPOSITORY = (
    "Overview of a project folder: each source file's path and one-sentence intent, in "
    "tree order (each folder's files by name, then its subfolders). It honours .gitignore "
    "and leaves out vendored folders (node_modules, vendor, .venv…), binaries, minified "
    "bundles and unsupported languages, counting them under `skipped`. The answer is "
    f"bounded: at most `max_files` files (default {MAX_FILES}) and about {MAX_CHARS} "
    "characters; `truncated` says when and where it was cut. Use `include`/`exclude` "
    "(gitignore-style globs) or a narrower `path` to look deeper."
)
_READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True)

PathArg = Annotated[
    str, Field(description="File path, relative to the project root (or absolute inside it).")
]
LanguageArg = Annotated[
    str | None,
    Field(description="Editor language id (python, typescript, go…); detected when omitted."),
]


def build_server(outliner: Outliner, policy: RootPolicy) -> MCPServer[Any]:
    """The MCP server with IRIS's three tools registered."""
    # Roots are deprecated from protocol 2026-07-28, but the clients in use today (on
    # older protocol versions) still declare their workspace through them. Set once here:
    # catch_warnings around each call would race between concurrent tool calls.
    warnings.filterwarnings("ignore", "The roots capability", MCPDeprecationWarning)
    server: MCPServer[Any] = _IrisMCPServer("iris", instructions=INSTRUCTIONS, version=_version())

    async def roots(ctx: Context[Any, Any]) -> tuple[Path, ...]:
        return policy.allowed(await _declared_roots(ctx))

    @server.tool(description=OUTLINE_FILE, annotations=_READ_ONLY)
    async def outline_file(
        ctx: Context[Any, Any],
        path: Annotated[
            str | None, Field(description="File to outline, relative to the project root.")
        ] = None,
        source: Annotated[
            str | None, Field(description="The file's text, when it is not on disk.")
        ] = None,
        filename: Annotated[
            str | None, Field(description="Name for `source` (e.g. app.py): sets the language.")
        ] = None,
        language: LanguageArg = None,
    ) -> CallToolResult:
        allowed = await roots(ctx)
        body = await _call(outliner.outline_file, allowed, path, source, filename, language)
        return _result(body, _compact(body))

    @server.tool(description=READ_BLOCK, annotations=_READ_ONLY)
    async def read_block(
        ctx: Context[Any, Any],
        path: PathArg,
        label: Annotated[
            str | None, Field(description="The block's label, as outline_file gives it.")
        ] = None,
        index: Annotated[
            int | str | None,
            Field(
                description='The block\'s index: 1 is the first block, "3.2" the second '
                "sub-block of block 3 (as outline_file numbers them)."
            ),
        ] = None,
        language: LanguageArg = None,
    ) -> CallToolResult:
        allowed = await roots(ctx)
        body = await _call(outliner.read_block, allowed, path, label, index, language)
        return _result(body, f"{block_heading(body)}\n{body['text']}")

    @server.tool(description=OUTLINE_REPOSITORY, annotations=_READ_ONLY)
    async def outline_repository(
        ctx: Context[Any, Any],
        path: Annotated[
            str, Field(description="Folder to outline, relative to the project root.")
        ] = ".",
        include: Annotated[
            list[str] | None, Field(description="Only files matching these globs, e.g. '*.py'.")
        ] = None,
        exclude: Annotated[
            list[str] | None, Field(description="Leave out matches, e.g. 'tests/'.")
        ] = None,
        max_files: Annotated[
            int, Field(description="Most files to read.", ge=1, le=MAX_FILES_LIMIT)
        ] = MAX_FILES,
    ) -> CallToolResult:
        allowed = await roots(ctx)
        body = await _call(
            outliner.outline_repository,
            allowed,
            path,
            tuple(include or ()),
            tuple(exclude or ()),
            max_files,
        )
        return _result(body, _compact(body))

    return server


class _IrisMCPServer(MCPServer[Any]):
    """The SDK's server, with arguments that fail its schema answered in one sentence."""

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> Any:
        """Call the tool; a pydantic report on bad arguments becomes a readable tool error."""
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            cause = exc.__cause__
            if isinstance(exc, UnexpectedToolError) or not isinstance(cause, ValidationError):
                raise
            # Raised from the ValidationError, so the SDK still logs field names only.
            raise ToolError(f"Error executing tool {name}: {argument_errors(cause)}") from cause


def argument_errors(error: ValidationError) -> str:
    """``index must be at least 1; path is required.``: what was wrong, per argument."""
    return "; ".join(_argument_error(detail) for detail in error.errors()) + "."


def _argument_error(detail: Any) -> str:
    field = ".".join(str(part) for part in detail.get("loc", ())) or "the arguments"
    context = detail.get("ctx") or {}
    problem = {
        "missing": "is required",
        "greater_than_equal": f"must be at least {context.get('ge')}",
        "less_than_equal": f"must be at most {context.get('le')}",
        "int_parsing": "must be a whole number",
        "int_type": "must be a whole number",
        "int_from_float": "must be a whole number",
        "string_type": "must be text",
        "list_type": "must be a list of strings",
    }.get(str(detail.get("type")))
    if problem is None:  # the message names the rule, never the value sent
        problem = f"is invalid: {str(detail.get('msg', '')).lower()}"
    hint = " (1 is the first block)" if field == "index" else ""
    return f"{field} {problem}{hint}"


def block_heading(body: dict[str, Any]) -> str:
    """``path, block 2 "Label", lines 36-58 (engine structural, cache hit)``."""
    spans = ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in body["ranges"])
    meta = body["metadata"]
    source = f"engine {meta.get('engine')}" + (", cache hit" if meta.get("cache_hit") else "")
    name, label = printable(body["path"]), strip_controls(body["label"])
    return f'{name}, block {body["index"]} "{label}", lines {spans} ({source})'


def _result(body: dict[str, Any], text: str) -> CallToolResult:
    # The text is what a model reads: compact, so an outline costs few tokens; the same
    # answer goes as structured content for clients that read JSON.
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=body)


def _compact(body: dict[str, Any]) -> str:
    return json_escaped(json.dumps(body, ensure_ascii=False, separators=(",", ":")))


async def _call(function: Callable[..., T], *args: Any) -> T:
    """Run a blocking tool body on a worker thread; IRIS's errors become tool errors."""
    try:
        return await anyio.to_thread.run_sync(functools.partial(function, *args))
    except IrisError as exc:
        raise ToolError(exc.message) from None


async def _declared_roots(ctx: Context[Any, Any]) -> list[Path] | None:
    """The folders the client declares as its roots, or None when it declares none."""
    capabilities = ctx.client_capabilities
    if capabilities is None or capabilities.roots is None:
        return None
    try:
        with anyio.fail_after(_ROOTS_SECONDS):
            listed = await ctx.session.list_roots()
    except (MCPError, TimeoutError) as exc:
        # The server's own roots still apply: a silent client cannot widen them.
        log.info("the client declared roots but did not list them (%s)", type(exc).__name__)
        return None
    return paths_from_uris([str(root.uri) for root in listed.roots]) or None


def _version() -> str:
    from importlib.metadata import version

    return version("iris-codes")
