"""An API analysis body → LSP document symbols, code lenses and folding ranges.

IRIS ranges are 1-based and inclusive; LSP lines are 0-based, and a range ends after
the last character of its last line, counted in the code units the client negotiated
(UTF-16 unless it asked for UTF-8 or UTF-32).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from lsprotocol import types

Span = tuple[int, int]


UTF16 = "utf-16"


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


def document_symbols(
    body: dict[str, Any], lines: Sequence[str], encoding: str = UTF16
) -> list[types.DocumentSymbol]:
    """One symbol per block in reading order, with one child per line range."""
    symbols = []
    for _, block, spans in _blocks(body):
        children = [
            types.DocumentSymbol(
                name=span_name(span),
                kind=types.SymbolKind.Namespace,
                range=span_range(span, lines, encoding),
                selection_range=span_range((span[0], span[0]), lines, encoding),
            )
            for span in spans
        ]
        first_line = (spans[0][0], spans[0][0])
        symbols.append(
            types.DocumentSymbol(
                name=block["label"],
                detail=block["description"],
                kind=types.SymbolKind.Namespace,
                range=span_range((spans[0][0], spans[-1][1]), lines, encoding),
                selection_range=span_range(first_line, lines, encoding),
                children=children,
            )
        )
    return symbols


def _lens(line: int, title: str) -> types.CodeLens:
    # An empty command id makes editors show the title as plain, unclickable text.
    position = types.Position(line=line, character=0)
    return types.CodeLens(
        range=types.Range(start=position, end=position),
        command=types.Command(title=title, command=""),
    )


def code_lenses(body: dict[str, Any]) -> list[types.CodeLens]:
    """The file intent on the first line, then ``§2 Label (2 of 3 parts)`` on each range."""
    if not body.get("success"):
        return []
    lenses = [_lens(0, f"IRIS: {body['file_intent']}")]
    for number, block, spans in _blocks(body):
        for part, (start, _) in enumerate(spans, start=1):
            title = f"§{number} {block['label']}"
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
