"""The API contract: what a client sends, and the response shapes for the OpenAPI spec.

msgspec Structs: the request is decoded and checked in one pass in C, in microseconds, and
the module loads in a few milliseconds (pydantic took about 250 ms, most of a cold
Lambda request). ``web/openapi.py`` builds its schemas from these same classes. What
engines return (``Analysis``, ``Block``, ``Range``) lives in ``analysis.py`` and is
re-exported here.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from .analysis import Analysis, Block, Range

__all__ = ["Analysis", "AnalyzeRequest", "AnalyzeResponse", "Block", "ErrorResponse", "Range"]


class AnalyzeRequest(msgspec.Struct, kw_only=True):
    """Body of ``POST /api/iris/analyze``; unknown top-level keys are ignored."""

    source_code: Annotated[str, msgspec.Meta(description="The whole file's text.")]
    filename: Annotated[
        str,
        msgspec.Meta(
            max_length=1024,
            description="File name or path; used to detect the language and in the intent.",
        ),
    ] = "untitled"
    language: (
        Annotated[
            str,
            msgspec.Meta(
                max_length=64,
                description="Editor language id (python, typescriptreact, …); detected when "
                "omitted.",
            ),
        ]
        | None
    ) = None
    metadata: Annotated[
        dict[str, Any], msgspec.Meta(description="Client metadata, echoed back in the response.")
    ] = msgspec.field(default_factory=dict)


class BlockOut(msgspec.Struct, omit_defaults=True):
    """A responsibility block as the API returns it (for the OpenAPI spec)."""

    label: str
    description: str
    ranges: list[tuple[int, int]]
    children: Annotated[
        list[BlockOut],
        msgspec.Meta(
            description="Sub-blocks of a long block, the same shape, ranges inside this "
            "block's; present only when there are some (at least two)."
        ),
    ] = msgspec.field(default_factory=list)


class AnalyzeResponse(msgspec.Struct):
    """A successful analysis as the API returns it (for the OpenAPI spec)."""

    file_intent: str
    responsibility_blocks: list[BlockOut]
    metadata: dict[str, Any]
    success: bool = True


class ErrorResponse(msgspec.Struct):
    """Every error the API returns (for the OpenAPI spec)."""

    error: str
    code: str
    success: bool = False
