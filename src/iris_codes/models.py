"""The API contract: what a client sends, and the response shapes for the OpenAPI spec.

What engines return (``Analysis``, ``Block``, ``Range``) lives in ``analysis.py`` and is
re-exported here.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .analysis import Analysis, Block, Range

__all__ = ["Analysis", "AnalyzeRequest", "AnalyzeResponse", "Block", "ErrorResponse", "Range"]


class AnalyzeRequest(BaseModel):
    """Body of ``POST /api/iris/analyze``; unknown top-level keys are ignored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    filename: str = Field(
        default="untitled",
        max_length=1024,
        description="File name or path; used to detect the language and in the intent.",
    )
    language: str | None = Field(
        default=None,
        max_length=64,
        description="Editor language id (python, typescriptreact, …); detected when omitted.",
    )
    source_code: str = Field(description="The whole file's text.")
    metadata: dict[str, Any] = Field(
        default_factory=dict, description="Client metadata, echoed back in the response."
    )


class BlockOut(BaseModel):
    """A responsibility block as the API returns it (for the OpenAPI spec)."""

    label: str
    description: str
    ranges: list[tuple[int, int]]


class AnalyzeResponse(BaseModel):
    """A successful analysis as the API returns it (for the OpenAPI spec)."""

    success: bool = True
    file_intent: str
    responsibility_blocks: list[BlockOut]
    metadata: dict[str, Any]


class ErrorResponse(BaseModel):
    """Every error the API returns (for the OpenAPI spec)."""

    success: bool = False
    error: str
    code: str
