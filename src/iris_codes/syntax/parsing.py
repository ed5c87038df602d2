"""Thread-safe, lazily loaded tree-sitter parsers, one per grammar per thread."""

from __future__ import annotations

import logging
import threading
from typing import Any, cast

from ..errors import EngineError

logger = logging.getLogger(__name__)

# tree-sitter Parser objects must not be shared between threads.
_local = threading.local()


def _parsers() -> dict[str, Any]:
    cache: dict[str, Any] | None = getattr(_local, "parsers", None)
    if cache is None:
        cache = {}
        _local.parsers = cache
    return cache


def get_parser(grammar: str) -> Any:
    """This thread's parser for ``grammar``, loading the grammar on first use."""
    cache = _parsers()
    parser = cache.get(grammar)
    if parser is None:
        # Imported here: loading the grammar bundle costs start-up time.
        from tree_sitter_language_pack import get_parser as load_parser

        try:
            parser = load_parser(cast(Any, grammar))
        except Exception as exc:  # the pack raises several library types
            raise EngineError(f"The {grammar} grammar could not be loaded.") from exc
        logger.debug("loaded tree-sitter grammar %s", grammar)
        cache[grammar] = parser
    return parser


def parse(data: bytes, grammar: str) -> Any:
    """The syntax tree of ``data`` (UTF-8) under ``grammar``."""
    parser = get_parser(grammar)
    try:
        return parser.parse(data)
    except Exception as exc:  # tree-sitter raises ValueError/RuntimeError on odd input
        raise EngineError(f"The {grammar} parser failed on this file.") from exc
