"""JSON on the request path: msgspec where it can, the standard library where it cannot.

A cache hit is mostly JSON: the request is decoded, the cached answer is decoded and the
reply is encoded. msgspec does each several times faster than ``json``, and the service's
hit throughput is bound by exactly that. Where msgspec refuses a value (a lone surrogate,
``NaN``, nesting past its depth limit) the standard library decides, so every body
``json`` accepted is still accepted, and every error is still ``json``'s.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import msgspec

_decode = msgspec.json.Decoder().decode


def loads(raw: bytes | str, fallback: Callable[[bytes | str], Any] = json.loads) -> Any:
    """The value in ``raw``; what msgspec refuses is decoded (or refused) by ``fallback``."""
    try:
        return _decode(raw)
    except (msgspec.DecodeError, RecursionError):  # msgspec's depth limit is a RecursionError
        return fallback(raw)


def dumps(value: Any, default: Callable[[Any], Any] | None = None) -> bytes:
    """Compact UTF-8 JSON for ``value``; ``default`` converts types JSON has no name for."""
    try:
        return msgspec.json.encode(value, enc_hook=default)
    except (msgspec.EncodeError, TypeError, UnicodeEncodeError):
        # Lone surrogates and the like: json spells them as ASCII escapes.
        return json.dumps(value, default=default, separators=(",", ":")).encode()
