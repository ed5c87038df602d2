"""Reading the model's answer: validate it, then turn ids or ranges into blocks.

Guided answers name unit ids; each block's ranges are its units' spans. Ids out of
range or already used by an earlier block are ignored (first block wins). Ranges
answers name line ranges; each unit goes to the block covering most of its lines,
which snaps ranges to unit boundaries. Post-processing then clamps, merges and
de-duplicates as for every engine.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..analysis import Block, Range
from ..errors import LLMBadOutput
from ..syntax.units import Unit


class _Strict(BaseModel):
    model_config = ConfigDict(extra="ignore")


class GuidedBlock(_Strict):
    label: str
    description: str = ""
    unit_ids: list[int] = Field(default_factory=list)


class RangesBlock(_Strict):
    label: str
    description: str = ""
    ranges: list[tuple[int, int]] = Field(default_factory=list)


class GuidedAnswer(_Strict):
    file_intent: str
    blocks: list[GuidedBlock]


class RangesAnswer(_Strict):
    file_intent: str
    blocks: list[RangesBlock]

    @field_validator("blocks")
    @classmethod
    def _ordered_pairs(cls, blocks: list[RangesBlock]) -> list[RangesBlock]:
        for block in blocks:
            block.ranges = [(min(a, b), max(a, b)) for a, b in block.ranges]
        return blocks


Answer = GuidedAnswer | RangesAnswer


def parse_answer(text: str | None, mode: str) -> Answer:
    """The validated answer, or LLMBadOutput saying (without the text) what is wrong."""
    if not text or not text.strip():
        raise LLMBadOutput("The LLM returned an empty answer.")
    try:
        data = json.loads(_strip_fences(text))
    except json.JSONDecodeError as exc:
        raise LLMBadOutput(f"The LLM returned malformed JSON ({exc.msg}).") from None
    model: type[GuidedAnswer] | type[RangesAnswer] = (
        GuidedAnswer if mode == "guided" else RangesAnswer
    )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "answer"
        raise LLMBadOutput(
            f"The LLM answer does not match the schema ({where}: {first['msg']})."
        ) from None


def _strip_fences(text: str) -> str:
    # Some OpenAI-compatible servers wrap JSON in a Markdown fence despite the schema.
    stripped = text.strip()
    if stripped.startswith("```"):
        stripped = stripped.split("\n", 1)[-1] if "\n" in stripped else ""
        stripped = stripped.rsplit("```", 1)[0]
    return stripped


def guided_blocks(answer: GuidedAnswer, units: Sequence[Unit]) -> list[Block]:
    """Blocks whose ranges are the spans of their (valid, first-claimed) unit ids."""
    used: set[int] = set()
    blocks: list[Block] = []
    for block in answer.blocks:
        ids = [i for i in dict.fromkeys(block.unit_ids) if 1 <= i <= len(units) and i not in used]
        used.update(ids)
        ranges = [(units[i - 1].start, units[i - 1].end) for i in ids]
        if ranges:
            blocks.append(Block(block.label, block.description, tuple(sorted(ranges))))
    return blocks


def snapped_blocks(answer: RangesAnswer, units: Sequence[Unit]) -> list[Block]:
    """Blocks whose ranges are the spans of the units they cover most (ties: earlier block)."""
    if not units:
        return [Block(b.label, b.description, tuple(b.ranges)) for b in answer.blocks if b.ranges]
    owners: dict[int, list[Range]] = {}
    for unit in units:
        best, best_overlap = -1, 0
        for index, block in enumerate(answer.blocks):
            overlap = sum(_overlap(unit, r) for r in block.ranges)
            if overlap > best_overlap:
                best, best_overlap = index, overlap
        if best >= 0:
            owners.setdefault(best, []).append((unit.start, unit.end))
    return [
        Block(block.label, block.description, tuple(sorted(owners[index])))
        for index, block in enumerate(answer.blocks)
        if index in owners
    ]


def _overlap(unit: Unit, span: Range) -> int:
    return max(0, min(unit.end, span[1]) - max(unit.start, span[0]) + 1)


def unassigned_units(blocks: Sequence[Block], units: Sequence[Unit]) -> list[Unit]:
    """Units no block covers any line of."""
    covered = [r for block in blocks for r in block.ranges]
    return [u for u in units if not any(_overlap(u, r) for r in covered)]


def attach_leftovers(blocks: list[Block], units: Sequence[Unit]) -> list[Block]:
    """Give each unit the model left out to the first block using a name it defines.

    Imports and constants are never a block alone; they join the block that uses them.
    """
    leftovers = unassigned_units(blocks, units)
    if not leftovers or not blocks:
        return blocks
    block_uses = [_names_used(block, units) for block in blocks]
    extra: dict[int, list[Range]] = {}
    for unit in leftovers:
        for index, used in enumerate(block_uses):
            if unit.defines & used:
                extra.setdefault(index, []).append((unit.start, unit.end))
                break
    return [
        Block(b.label, b.description, tuple(sorted([*b.ranges, *extra.get(i, [])])))
        for i, b in enumerate(blocks)
    ]


def _names_used(block: Block, units: Sequence[Unit]) -> frozenset[str]:
    names: set[str] = set()
    for unit in units:
        if any(_overlap(unit, r) for r in block.ranges):
            names |= unit.uses
    return frozenset(names)
