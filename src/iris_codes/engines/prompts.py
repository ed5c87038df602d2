"""Prompts and output schemas for the LLM engine, in its two modes.

Guided mode shows the file as numbered syntactic units (the first line of unit 3
is marked ``U3> ``, its other lines follow) and asks for blocks as lists of unit ids;
ranges come from the units, so they are always valid. Ranges mode shows every line
with its number and asks for line ranges. Guided mode skips blank lines between
units, needs no per-line numbers, and on big files shows each unit's head only, so
its prompt is the smaller of the two; its answer (ids, not ranges) is smaller too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from ..postprocess import count_lines
from ..syntax.units import Unit

# Bump whenever a prompt, a schema or the way answers are read changes: it is part of
# the engine's cache identity, so old answers miss.
PROMPT_VERSION = "3"

# Above this many characters of unit text the guided prompt shows each unit's head only.
GUIDED_FULL_TEXT_CHARS = 12_000
# Hard caps on what one prompt carries (about 10-15k tokens).
GUIDED_MAX_CHARS = 40_000
# Past this, units are not shown at all (a file of thousands of one-line statements).
GUIDED_HARD_CAP_CHARS = 48_000
RANGES_MAX_CHARS = 60_000
MAX_LINE_CHARS = 240
UNIT_MARK = "U{number}> "

SYSTEM_PROMPT = """\
You write the table of contents of one source file for a developer about to read it.
Return JSON only, matching the schema.
- file_intent: why the file exists, one sentence of at most 20 words, no filler like
  "This file", no markup, never the file name echoed.
- blocks are sections a reader can follow: each is one contiguous run of the file in most
  cases; give a block several ranges only when related code really is apart (a type at the
  top, the functions using it at the bottom). Never scatter single lines.
- how many: follow the author's own groups, not a line count: a small file whose author
  grouped it (blank-line groups of different topics, comment headings) gets one block per
  group, down to about 5 lines of code a block; a long file about one block per 20-40 lines
  of code, at most 12. Never cut inside a docstring; a long function may be cut only at its
  comment-headed paragraphs.
- the preamble (module docstring, licence header, imports, module-level setup) stays whole:
  one range joined to the first block, never dealt out between blocks, never a block alone.
- order: as the file reads; a program's command-line entry point may come first.
- label: a noun phrase of 2-5 words in the code's own vocabulary (e.g. "Order state
  transitions"), no raw identifiers, never generic words such as misc, helpers,
  utilities, other, everything else.
- description: one sentence on what the block does and why it matters; no list of names,
  no counts ("3 methods, starting with x"), never "The function x." or a copied comment
  about one line.
- Every part of the file belongs to exactly one block."""

GUIDED_TASK = """\
Units start at lines marked "U<id>> " (blank lines and long bodies may be cut).
Put each unit id in exactly one block's "unit_ids"."""

RANGES_TASK = """\
Each line of the file is shown as "<number>| <text>".
Give each block its 1-based inclusive line ranges as [start, end] pairs in "ranges".
Ranges must not overlap, and a line belongs to one block only."""

REPAIR_PROMPT = """\
Your previous answer could not be used: {problem}
Answer again with JSON only, exactly matching the schema."""


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    # Strict structured output needs every property required and no extras.
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def output_schema(mode: str) -> dict[str, Any]:
    """The JSON schema the model's answer must match in ``mode`` (guided or ranges)."""
    if mode == "guided":
        where: dict[str, Any] = {"unit_ids": {"type": "array", "items": {"type": "integer"}}}
    else:
        pair = {"type": "array", "items": {"type": "integer"}}
        where = {"ranges": {"type": "array", "items": pair}}
    block = _object({"label": {"type": "string"}, "description": {"type": "string"}, **where})
    return _object({"file_intent": {"type": "string"}, "blocks": {"type": "array", "items": block}})


def schema_name(mode: str) -> str:
    return f"iris_toc_{mode}"


class Prompt(msgspec.Struct, frozen=True):
    """What one LLM call sends: system text, user text, mode and the output schema."""

    system: str
    user: str
    mode: str

    @property
    def schema(self) -> dict[str, Any]:
        return output_schema(self.mode)

    @property
    def chars(self) -> int:
        return len(self.system) + len(self.user)


def estimate_tokens(text_chars: int) -> int:
    """A rough token count for English and code (about 4 characters a token)."""
    return (text_chars + 3) // 4


def _clip(line: str) -> str:
    return line if len(line) <= MAX_LINE_CHARS else line[: MAX_LINE_CHARS - 1] + "…"


def _file_header(filename: str, language: str, line_count: int) -> str:
    return f"File: {filename or 'untitled'} ({language}, {line_count} lines)"


def _unit_text(number: int, unit: Unit, lines: Sequence[str], head_lines: int | None) -> str:
    """The unit's non-blank lines, the first marked with its id; long ones cut to a head."""
    body = [_clip(line) for line in lines[unit.start - 1 : unit.end] if line.strip()] or [""]
    if head_lines is not None and len(body) > head_lines:
        hidden = len(body) - head_lines
        body = [*body[:head_lines], f"    … {hidden} more lines"]
    body[0] = UNIT_MARK.format(number=number) + body[0]
    return "\n".join(body)


def _head_lines_for(units: Sequence[Unit], lines: Sequence[str]) -> int | None:
    """None (show everything) for small files, else the head size that fits the budget."""
    total = sum(len(line) + 1 for u in units for line in lines[u.start - 1 : u.end])
    if total <= GUIDED_FULL_TEXT_CHARS:
        return None
    average = max(1, total // max(1, sum(u.end - u.start + 1 for u in units)))
    per_unit = GUIDED_FULL_TEXT_CHARS // max(1, len(units))
    return max(2, per_unit // average)


def guided_prompt(source: str, units: Sequence[Unit], filename: str, language: str) -> Prompt:
    """The guided-mode prompt: units numbered from 1 in the order given."""
    lines = source.split("\n")
    head = _head_lines_for(units, lines)
    parts = [GUIDED_TASK, "", _file_header(filename, language, count_lines(source))]
    size = sum(len(part) + 1 for part in parts)
    for number, unit in enumerate(units, start=1):
        chunk = _unit_text(number, unit, lines, head)
        if size + len(chunk) > GUIDED_MAX_CHARS:
            chunk = _unit_text(number, unit, lines, 1)
        if size + len(chunk) > GUIDED_HARD_CAP_CHARS:
            parts.append(f"… units {number}-{len(units)} not shown")
            break
        parts.append(chunk)
        size += len(chunk) + 1
    return Prompt(SYSTEM_PROMPT, "\n".join(parts), "guided")


def ranges_prompt(source: str, filename: str, language: str) -> Prompt:
    """The ranges-mode prompt: every line with its 1-based number."""
    lines = source.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    parts = [RANGES_TASK, "", _file_header(filename, language, len(lines))]
    size = sum(len(part) + 1 for part in parts)
    for number, line in enumerate(lines, start=1):
        row = f"{number}| {_clip(line)}".rstrip()
        if size + len(row) > RANGES_MAX_CHARS:
            parts.append(f"… lines {number}-{len(lines)} not shown")
            break
        parts.append(row)
        size += len(row) + 1
    return Prompt(SYSTEM_PROMPT, "\n".join(parts), "ranges")


def repair_message(problem: str) -> str:
    """The follow-up message asking the model to fix an unusable answer."""
    return REPAIR_PROMPT.format(problem=problem)
