"""Small pieces of English the describer and the intent writer put sentences together with:
lists in reading order, names as the code writes them, the plural of a kind."""

from __future__ import annotations

import re
from collections.abc import Sequence

from . import vocabulary
from .weights import PHRASES

KIND_NOUNS = {
    "function": ("function", "functions"),
    "method": ("method", "methods"),
    "class": ("class", "classes"),
    "type": ("type", "types"),
    "constant": ("constant", "constants"),
    "paragraph": ("step", "steps"),
    "statement": ("statement", "statements"),
}


def and_list(items: Sequence[str], limit: int = PHRASES.list_limit) -> str:
    """``a``, ``a and b``, ``a, b and c``; a longer list as its first few … its last."""
    items = list(dict.fromkeys(i for i in items if i))
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    if len(items) > limit:
        return f"{', '.join(items[: limit - 1])} … {items[-1]}"
    return f"{', '.join(items[:-1])} and {items[-1]}"


def or_list(items: Sequence[str]) -> str:
    items = list(dict.fromkeys(i for i in items if i))
    if len(items) <= 1:
        return items[0] if items else ""
    return f"{', '.join(items[:-1])} or {items[-1]}"


def quoted(literal: str) -> str:
    """A string literal as a reader sees it in prose: in quotes, one line, bounded."""
    text = " ".join(literal.split())
    if len(text) > PHRASES.literal_chars:
        text = text[: PHRASES.literal_chars - 1].rstrip() + "…"
    return f"'{text}'"


def kind_noun(kind: str, count: int) -> str:
    singular, plural = KIND_NOUNS.get(kind, ("definition", "definitions"))
    return singular if count == 1 else plural


def sentence(text: str, capital: bool = True) -> str:
    """``text`` with a full stop, and a capital first letter unless it opens with a name
    from the code (``capital=False``: ``initTree calls…`` stays as the code spells it)."""
    text = " ".join(text.split()).strip(" ,;:")
    if not text:
        return ""
    if capital:
        text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def noun_phrase(words: Sequence[str], plural: bool = False) -> str:
    """Words as a noun phrase, the last one plural when asked."""
    words = list(words)
    if plural and words:
        words[-1] = vocabulary.plural(words[-1])
    return " ".join(words)


_SEPARATORS = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|_")


def common_prefix(names: Sequence[str]) -> str:
    """The prefix all ``names`` share up to a word boundary (``BZ_``, ``get_cookie_``)."""
    if len(names) < 2:
        return ""
    first = min(names)
    last = max(names)
    size = 0
    while size < min(len(first), len(last)) and first[size] == last[size]:
        size += 1
    prefix = first[:size]
    cut = max(prefix.rfind("_") + 1, _last_camel_boundary(prefix))
    return prefix[:cut] if cut >= PHRASES.min_prefix else ""


def _last_camel_boundary(prefix: str) -> int:
    found = [m.start() for m in re.finditer(r"(?<=[a-z0-9])(?=[A-Z])", prefix)]
    return found[-1] if found else 0


def inner(text: str) -> str:
    """``text`` inside a sentence: its first letter lower-cased unless it starts an acronym
    or a name written in capitals ("KEY GENERATION", "HTTP routes")."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def article(word: str) -> str:
    """ "a" or "an" before ``word`` (by its first letter; "an HTTP…" is not guessed)."""
    return "an" if word[:1].lower() in "aeiou" else "a"


def base_names(bases: Sequence[str]) -> list[str]:
    """Base classes as a reader names them: without generic arguments (``Action<T>`` →
    Action), each once."""
    import re

    names = [re.sub(r"<.*$|\[.*$", "", b).strip() for b in bases]
    # A type parameter read as a base ("Action<T>" → Action, T) is no base: T, E, K, V.
    return list(dict.fromkeys(n for n in names if n and not re.fullmatch(r"[A-Z][A-Z0-9]?", n)))
