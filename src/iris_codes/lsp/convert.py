"""An API analysis body → LSP document symbols, hovers, highlights, code lenses, folds.

IRIS ranges are 1-based and inclusive; LSP lines are 0-based, and a range ends after
the last character of its last line, counted in the code units the client negotiated
(UTF-16 unless it asked for UTF-8 or UTF-32).

Every string an editor shows (symbol names and details, hovers, code-lens titles) goes
through ``shown``: an answer from any backend, a remote server's included, reaches the
editor without control characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

import msgspec
from lsprotocol import types

from ..textsafe import strip_controls

Span = tuple[int, int]

UTF16 = "utf-16"
REANALYZE_COMMAND = "iris.reanalyze"


def code_units(text: str, encoding: str = UTF16) -> int:
    """The length of ``text`` in an LSP position encoding's code units."""
    if encoding == "utf-32":
        return len(text)
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _line_end(lines: Sequence[str], line: int, encoding: str) -> types.Position:
    """The position after the last character of 0-based ``line``."""
    text = lines[line] if 0 <= line < len(lines) else ""
    return types.Position(line=line, character=code_units(text, encoding))


def span_range(span: Span, lines: Sequence[str], encoding: str = UTF16) -> types.Range:
    """Whole lines ``start..end`` (1-based, inclusive) as an LSP range."""
    start, end = span
    return types.Range(
        start=types.Position(line=start - 1, character=0),
        end=_line_end(lines, end - 1, encoding),
    )


def document_range(lines: Sequence[str], encoding: str = UTF16) -> types.Range:
    """The whole document, from its first character to the end of its last line."""
    return span_range((1, max(len(lines), 1)), lines, encoding)


def shown(value: object) -> str:
    """Answer text as an editor may show it: no control character, surrounding space trimmed."""
    return strip_controls(str(value)).strip()


def block_label(number: int, block: dict[str, Any]) -> str:
    """The block's label for a symbol or lens; ``§N`` when nothing printable is left."""
    return shown(block.get("label", "")) or f"§{number}"


def span_name(span: Span) -> str:
    """``lines 12–40``, or ``line 7`` for a single line."""
    start, end = span
    return f"line {start}" if start == end else f"lines {start}–{end}"


def _blocks(body: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any], list[Span]]]:
    """Each block with its 1-based number and its ranges as tuples; none for an error body."""
    if not body.get("success"):
        return
    for number, block in enumerate(body["responsibility_blocks"], start=1):
        spans = [(int(start), int(end)) for start, end in block["ranges"]]
        if spans:
            yield number, block, spans


class Located(msgspec.Struct, frozen=True):
    """The block holding one line: its number, the block, its ranges and which one it is."""

    number: int
    block: dict[str, Any]
    spans: list[Span]
    part: int  # index in ``spans`` of the range holding the line

    def part_name(self) -> str:
        """``part 2 of 3``; empty for a block in one range."""
        return f"part {self.part + 1} of {len(self.spans)}" if len(self.spans) > 1 else ""


def block_at(body: dict[str, Any], line: int) -> Located | None:
    """The block holding 1-based ``line``, or None when no block does."""
    for number, block, spans in _blocks(body):
        for part, (start, end) in enumerate(spans):
            if start <= line <= end:
                return Located(number, block, spans, part)
    return None


# Document symbols.


def document_symbols(
    body: dict[str, Any], lines: Sequence[str], encoding: str = UTF16
) -> list[types.DocumentSymbol]:
    """One root symbol carrying the file intent, its children the blocks in reading order."""
    if not body.get("success"):
        return []
    children = [
        symbol
        for number, block, spans in _blocks(body)
        for symbol in _block_symbols(number, block, spans, lines, encoding)
    ]
    root = types.DocumentSymbol(
        # Editors reject a symbol with an empty name, whatever the engine said.
        name=shown(body["file_intent"]) or "IRIS",
        kind=types.SymbolKind.File,
        range=document_range(lines, encoding),
        selection_range=span_range((1, 1), lines, encoding),
        children=children,
    )
    return [root]


def _block_symbols(
    number: int, block: dict[str, Any], spans: list[Span], lines: Sequence[str], encoding: str
) -> list[types.DocumentSymbol]:
    """The block's first range as a symbol named by its label, and each later range after it.

    A block's ranges interleave with other blocks', and LSP wants a symbol's children inside
    it and siblings apart, so a symbol spanning a block's first to last line would overlap
    its neighbours. Each range is a symbol of its own; later ones say whose part they are.
    """
    symbols = []
    for part, span in enumerate(spans):
        located = Located(number, block, spans, part)
        first = part == 0
        label = block_label(number, block)
        symbols.append(
            types.DocumentSymbol(
                name=label if first else f"{label} ({located.part_name()})",
                detail=shown(block["description"]) if first else f"§{number}, {span_name(span)}",
                kind=types.SymbolKind.Namespace,
                range=span_range(span, lines, encoding),
                selection_range=span_range((span[0], span[0]), lines, encoding),
            )
        )
    # Sub-blocks nest in the symbol of the range that holds them (the outline's tree).
    for child in block.get("children") or ():
        child_spans = [(int(start), int(end)) for start, end in child["ranges"]]
        if not child_spans:
            continue
        holder = next(
            (i for i, (start, end) in enumerate(spans) if start <= child_spans[0][0] <= end), 0
        )
        nested = _block_symbols(number, child, child_spans, lines, encoding)
        symbols[holder].children = [*(symbols[holder].children or []), *nested]
    return symbols


# Hover and document highlights: a line → its block.

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
_CODE_SPAN = re.compile(r"(`+[^`]*`+)")


def _markdown_text(text: str) -> str:
    """``text`` shown literally in Markdown, except its backquoted code spans."""
    pieces = _CODE_SPAN.split(text)
    # re.split with one group alternates: text, code span, text, …
    return "".join(
        piece if index % 2 else _MARKDOWN_SPECIAL.sub(r"\\\1", piece)
        for index, piece in enumerate(pieces)
    )


def hover(
    body: dict[str, Any],
    line: int,
    lines: Sequence[str],
    encoding: str = UTF16,
    *,
    markdown: bool = True,
) -> types.Hover | None:
    """The label and description of the block holding 0-based ``line``; None outside blocks."""
    located = block_at(body, line + 1)
    if located is None:
        return None
    return types.Hover(
        contents=types.MarkupContent(
            kind=types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText,
            value=_hover_text(located, markdown),
        ),
        range=span_range(located.spans[located.part], lines, encoding),
    )


def _hover_text(located: Located, markdown: bool) -> str:
    """``§2 Label · part 1 of 2`` (bold in Markdown), the description, every range."""
    label = block_label(located.number, located.block)
    description = shown(located.block["description"])
    title = f"§{located.number} {label}"
    if markdown:
        title = f"**§{located.number} {_markdown_text(label)}**"
        description = _markdown_text(description)
    if located.part_name():
        title += f" · {located.part_name()}"
    numbers = ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in located.spans)
    plural = "s" if len(located.spans) > 1 or located.spans[0][0] != located.spans[0][1] else ""
    return f"{title}\n\n{description}\n\nLine{plural} {numbers}"


def document_highlights(
    body: dict[str, Any], line: int, lines: Sequence[str], encoding: str = UTF16
) -> list[types.DocumentHighlight]:
    """Every range of the block holding 0-based ``line``; none outside blocks."""
    located = block_at(body, line + 1)
    if located is None:
        return []
    return [
        types.DocumentHighlight(
            range=span_range(span, lines, encoding), kind=types.DocumentHighlightKind.Text
        )
        for span in located.spans
    ]


# Code lenses and folding ranges.


def _lens(
    line: int, title: str, command: str = "", arguments: list[Any] | None = None
) -> types.CodeLens:
    # An empty command id makes editors show the title as plain, unclickable text.
    position = types.Position(line=line, character=0)
    return types.CodeLens(
        range=types.Range(start=position, end=position),
        command=types.Command(title=title, command=command, arguments=arguments),
    )


def code_lenses(body: dict[str, Any], uri: str) -> list[types.CodeLens]:
    """The file intent on the first line (click: re-analyse), then ``§2 Label`` on each range."""
    if not body.get("success"):
        return []
    lenses = [_lens(0, f"IRIS: {shown(body['file_intent'])}", REANALYZE_COMMAND, [uri])]
    for number, block, spans in _blocks(body):
        for part, (start, _) in enumerate(spans, start=1):
            title = f"§{number} {block_label(number, block)}"
            if len(spans) > 1:
                title += f" ({part} of {len(spans)} parts)"
            lenses.append(_lens(start - 1, title))
    return lenses


def folding_ranges(body: dict[str, Any]) -> list[types.FoldingRange]:
    """One region per block range longer than one line, in file order."""
    spans = sorted(span for _, _, block_spans in _blocks(body) for span in block_spans)
    return [
        types.FoldingRange(
            start_line=start - 1, end_line=end - 1, kind=types.FoldingRangeKind.Region
        )
        for start, end in spans
        if end > start
    ]
