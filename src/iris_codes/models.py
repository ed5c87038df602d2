"""The API contract: what a client sends and what every engine returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Range = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Block:
    """One responsibility of a file: a label, a sentence, and 1-based inclusive line ranges."""

    label: str
    description: str
    ranges: tuple[Range, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "description": self.description,
            "ranges": [[start, end] for start, end in self.ranges],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Block:
        ranges = tuple((int(start), int(end)) for start, end in data["ranges"])
        return cls(str(data["label"]), str(data.get("description", "")), ranges)


@dataclass(frozen=True, slots=True)
class Analysis:
    """An engine's answer for one file: intent, blocks in reading order, engine metadata."""

    file_intent: str
    blocks: tuple[Block, ...]
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The success body the API returns."""
        return {
            "success": True,
            "file_intent": self.file_intent,
            "responsibility_blocks": [block.to_dict() for block in self.blocks],
            "metadata": dict(self.metadata),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Analysis:
        blocks = tuple(Block.from_dict(b) for b in data["responsibility_blocks"])
        return cls(str(data["file_intent"]), blocks, dict(data.get("metadata", {})))


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
