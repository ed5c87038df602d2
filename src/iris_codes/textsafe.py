"""Text that is shown, never obeyed: control characters out of answers and file names.

Answers quote the file (docstrings, identifiers) and clients print them on terminals, in
editors and in Markdown, where an escape sequence would be a command (OSC 52 writes the
clipboard, ``ESC[2J`` clears the screen). ``strip_controls`` drops C0 and C1 controls from
answer text; ``printable`` makes a file name visible as it is, each control or
direction-changing character written as an escape (``\\n``, ``\\x1b``, ``\\u202e``).

Standard library only, no imports from the package: every layer may use it.
"""

from __future__ import annotations

import re

# C0 (U+0000-U+001F), DEL and C1 (U+0080-U+009F): what a terminal may act on.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# File names also lose what reorders or hides text on screen: bidirectional overrides and
# isolates (a "Trojan Source" name), and lone surrogates (undecodable bytes in a name).
_NAME_UNSAFE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
# A terminal escape sequence whole: CSI (``ESC[2J``, or C1 CSI), OSC up to its BEL or ST
# (``ESC]0;title BEL``: the title is a command's argument, not prose), or ESC and one char.
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -~]?"
)
# What source text keeps: tab, newline, carriage return and form feed are layout.
_NOT_LAYOUT = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# What ``json.dumps(..., ensure_ascii=False)`` leaves raw: DEL, C1 and lone surrogates.
_RAW_IN_JSON = re.compile(r"[\x7f-\x9f\ud800-\udfff]")


def strip_controls(text: str) -> str:
    """``text`` with every C0/C1 control character replaced by a space."""
    # A space, not nothing: a control often separates words ("name\x1bvalue").
    return _CONTROLS.sub(" ", text)


def blank_escapes(text: str) -> str:
    """``text`` with each escape sequence and control (other than layout) as spaces.

    The same length and the same lines: what reads the text as prose sees no command and
    no argument of one, and every offset and line number still holds.
    """
    if not _NOT_LAYOUT.search(text):
        return text
    blanked = _ESCAPE_SEQUENCE.sub(lambda match: " " * len(match.group()), text)
    return _NOT_LAYOUT.sub(" ", blanked)


def printable(name: str, keep: str = "") -> str:
    """``name`` with each control or direction character shown as an escape, e.g. ``\\x1b``.

    Characters in ``keep`` stay as they are (a tab in a source line).
    """
    if not _NAME_UNSAFE.search(name):
        return name
    return _NAME_UNSAFE.sub(
        lambda match: match.group() if match.group() in keep else _escape(match), name
    )


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def json_escaped(text: str) -> str:
    """JSON text from ``json.dumps(..., ensure_ascii=False)`` with no raw control left.

    ``json.dumps`` escapes C0 itself; DEL, C1 and lone surrogates become ``\\u`` escapes
    here, which decode to the same data.
    """
    return _RAW_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
