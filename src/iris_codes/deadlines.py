"""The deadline of the budgeted work running on this thread.

``engines.budget`` stops a runaway Python step from the outside, but a tree-sitter parse
is one C call that no Python exception can interrupt: 1 MB of random bytes under the
Scala grammar runs for minutes. The parse asks this module for the thread's deadline and
halts itself when it passes (``syntax.parsing``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_local = threading.local()


class DeadlinePassed(Exception):
    """Work stopped itself at its thread's deadline (the budget answers for it)."""


def current() -> float | None:
    """This thread's deadline (``time.monotonic`` seconds), or None when unbounded."""
    deadline: float | None = getattr(_local, "deadline", None)
    return deadline


@contextmanager
def until(deadline: float) -> Iterator[None]:
    """Run the block with ``deadline`` as this thread's deadline."""
    outer = current()
    _local.deadline = deadline
    try:
        yield
    finally:
        _local.deadline = outer
