"""Line-number prefixes some clients add to every line, recognised and stripped once.

The VS Code extension sends each line as ``f"{n} | {line}"`` ("per API contract"); other
tools send a right-aligned ``"   n|line"``. Read as code, the numbers become identifiers,
so the service strips them before hashing and analysis. Only a prefix on *every* line,
numbered 1, 2, 3… in one consistent layout, counts (a newline may follow the last line):
anything that merely looks similar (numbers not consecutive from 1, a line without the
prefix, mixed layouts) is left alone.
"""

from __future__ import annotations

import re

# Padding, the number, an optional space, the bar; the rest of the line follows.
_PREFIX = re.compile(r"( *)([0-9]+)( ?)\|")


def strip_line_numbers(source: str) -> str:
    """``source`` without its line-number prefixes when every line has one, else unchanged.

    Expects ``\\n`` line endings (the service normalises them first).
    """
    # Cheap reject first: this runs on every request, the cache-hit path included.
    first = _PREFIX.match(source)
    if first is None or first.group(2) != "1":
        return source
    # A newline after the last numbered line ends that line; it is not an unnumbered line.
    # The payload then reads as the same one without it: same answer, same cache entry.
    rests = _rests(source.removesuffix("\n").split("\n"), first)
    if rests is None:
        return source
    # In the extension's ``"n | line"`` layout one space after the bar belongs to the prefix
    # when every non-empty rest has it (``"3 | "`` on a blank line, or ``"3 |"`` when an
    # editor trimmed it); the right-aligned ``"   n|line"`` layout has none to take.
    spaced = first.group(3) == " " and all(rest.startswith(" ") for rest in rests if rest)
    return "\n".join(rest[1:] if spaced else rest for rest in rests)


def _rests(lines: list[str], first: re.Match[str]) -> list[str] | None:
    """What follows each line's prefix, or None unless all are numbered 1..n alike."""
    width = len(first.group(1)) + 1  # right-aligned numbers keep this width
    gap = first.group(3)
    rests = []
    for number, line in enumerate(lines, start=1):
        match = _PREFIX.match(line)
        if match is None:
            return None
        pad, digits, space = match.groups()
        if digits != str(number) or space != gap or len(pad) != max(0, width - len(digits)):
            return None
        rests.append(line[match.end() :])
    return rests
