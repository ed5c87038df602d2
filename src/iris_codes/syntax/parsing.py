"""Thread-safe, lazily loaded tree-sitter parsers, one per grammar per thread."""

from __future__ import annotations

import functools
import logging
import re
import threading
import time
from collections.abc import Callable
from typing import Any, cast

from .. import deadlines
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
        try:
            parser = _load_parser(grammar)
        except Exception as exc:  # the pack raises several library types
            raise EngineError(f"The {grammar} grammar could not be loaded.") from exc
        logger.debug("loaded tree-sitter grammar %s", grammar)
        cache[grammar] = parser
    return parser


def _load_parser(grammar: str) -> Any:
    # Imported here: tree-sitter and the grammars cost start-up time.
    from tree_sitter import Parser

    return Parser(_language(grammar))


@functools.cache
def _language(grammar: str) -> Any:
    """The grammar, loaded once per process (a Language is shared; a Parser is not)."""
    from tree_sitter import Language

    binding = _binding(grammar)
    if binding is None:
        from tree_sitter_language_pack import get_language

        return get_language(cast(Any, grammar))
    return Language(binding.language())


def _binding(grammar: str) -> Any | None:
    """The pack's compiled module for ``grammar``, loaded without the pack's ``__init__``.

    That ``__init__`` imports three separately packaged grammars (C#, YAML, embedded
    templates) and ctypes before any grammar is asked for: half of a cold request's grammar
    time. The pack's own loader stays the fallback for anything not laid out this way.
    """
    import importlib.machinery
    import importlib.util
    from pathlib import Path

    pack = importlib.util.find_spec("tree_sitter_language_pack")
    if pack is None or not pack.submodule_search_locations:
        return None
    folder = Path(next(iter(pack.submodule_search_locations))) / "bindings"
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = folder / f"{grammar}{suffix}"
        if path.is_file():
            spec = importlib.util.spec_from_file_location(
                f"tree_sitter_language_pack.bindings.{grammar}", path
            )
            if spec is None or spec.loader is None:
                return None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
    return None


_CHUNK = 1 << 16

# tree-sitter-bash's scanner (0.13's pack and tree-sitter-bash 0.25.1 alike) passes the
# code point after a `{`, and after `{1..`, to the C library's isdigit(), which indexes a
# 384-entry table with it: anything above U+00FF reads up to 2 MiB past the table, and
# from about U+80000 on that address is unmapped in about half of all runs (SIGSEGV).
# The character is replaced by as many `_` as it has bytes: every offset stays, the
# scanner sees a word character as before, and the units' text is read from the source.
_BRACE_THEN_WIDE = re.compile(
    rb"(\{[0-9]*(?:\.\.[0-9]*)?)"
    rb"([\xc4-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3})"
)


def _guard_bash(data: bytes) -> bytes:
    if b"{" not in data:
        return data
    return _BRACE_THEN_WIDE.sub(lambda m: m.group(1) + b"_" * len(m.group(2)), data)


#: Input rewrites, by grammar, that keep a grammar's known C bug from being reached;
#: each keeps every byte offset. docs/security.md has the bug reports.
INPUT_GUARDS: dict[str, Callable[[bytes], bytes]] = {"bash": _guard_bash}


def parse(data: bytes, grammar: str) -> Any:
    """The syntax tree of ``data`` (UTF-8) under ``grammar``, by this thread's deadline."""
    parser = get_parser(grammar)
    guard = INPUT_GUARDS.get(grammar)
    if guard is not None:
        data = guard(data)
    if not data.endswith(b"\n"):
        # tree-sitter-perl's scanner never returns at an end of file inside a comment after
        # a bareword (`foo#bar`, found by the fuzzer): no deadline reaches that loop. A final
        # newline, as POSIX text has, ends the comment and moves no offset.
        data += b"\n"
    deadline = deadlines.current()
    try:
        if deadline is None:
            return parser.parse(data)
        # tree-sitter calls progress_callback only when it reads through a callable.
        return parser.parse(
            lambda offset, _point: data[offset : offset + _CHUNK],
            progress_callback=lambda *_state: time.monotonic() > deadline,
        )
    except Exception as exc:  # tree-sitter raises ValueError/RuntimeError on odd input
        parser.reset()  # a halted parse would otherwise resume on the next call
        if deadline is not None and time.monotonic() > deadline:
            raise deadlines.DeadlinePassed(f"the {grammar} parse reached its deadline") from exc
        raise EngineError(f"The {grammar} parser failed on this file.") from exc
