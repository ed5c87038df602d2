"""What every engine returns: an Analysis of one file and its Blocks (no dependencies).

Kept apart from the request models so that engines, post-processing and the CLI's output
load without pydantic: start-up time is a feature.
"""

from __future__ import annotations

from typing import Any

import msgspec

Range = tuple[int, int]


class Block(msgspec.Struct, frozen=True):
    """One responsibility of a file: a label, a sentence, 1-based inclusive line ranges, and
    optionally its sub-blocks (``children``: same shape, ranges inside this block's)."""

    label: str
    description: str
    ranges: tuple[Range, ...]
    children: tuple[Block, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "label": self.label,
            "description": self.description,
            "ranges": [[start, end] for start, end in self.ranges],
        }
        if self.children:
            body["children"] = [child.to_dict() for child in self.children]
        return body

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Block:
        ranges = tuple((int(start), int(end)) for start, end in data["ranges"])
        children = tuple(cls.from_dict(child) for child in data.get("children") or ())
        return cls(str(data["label"]), str(data.get("description", "")), ranges, children)


class Analysis(msgspec.Struct, frozen=True):
    """An engine's answer for one file: intent, blocks in reading order, engine metadata."""

    file_intent: str
    blocks: tuple[Block, ...]
    metadata: dict[str, Any] = msgspec.field(default_factory=dict)

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
