"""Run one engine call under a time budget, from the outside of the engine.

The call runs on a thread of its own while the caller waits at most ``seconds``. Past the
budget the caller gets ``BudgetExceeded`` at once, and the thread is asked to stop: an
``_Abandoned`` exception is raised inside it (CPython's ``PyThreadState_SetAsyncExc``), so
a runaway pure-Python step stops at its next bytecode instead of holding a core for
minutes. No exception reaches a thread inside one long C call, so the call's thread also
carries the deadline (``deadlines``): a tree-sitter parse checks it and halts itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from .. import deadlines

T = TypeVar("T")


class BudgetExceeded(deadlines.DeadlinePassed):
    """The call did not finish within its budget; the caller answers from a fallback."""


class _Abandoned(BaseException):
    """Raised inside an abandoned call's thread; BaseException so ``except Exception``
    inside the engine does not swallow it."""


class _Call(Generic[T]):
    """One call on its own thread; ``finished`` guards against stopping a finished one."""

    def __init__(self, fn: Callable[[], T], name: str, deadline: float) -> None:
        self._fn = fn
        self._deadline = deadline
        self._guard = threading.Lock()
        self._finished = False
        self._done = threading.Event()
        self.value: T | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name=f"iris-{name}", daemon=True)

    def _run(self) -> None:
        # Everything below sits inside the outer try: a stop request sent while
        # ``_finished`` was still false lands there and is absorbed.
        try:
            try:
                with deadlines.until(self._deadline):
                    self.value = self._fn()
            finally:
                with self._guard:
                    self._finished = True
        except _Abandoned:
            pass
        except BaseException as exc:  # handed to the caller, which re-raises it
            self.error = exc
        finally:
            self._done.set()

    def wait(self, seconds: float) -> bool:
        return self._done.wait(seconds)

    def stop(self) -> None:
        """Raise ``_Abandoned`` in the thread unless the call has already finished."""
        import ctypes  # only a call past its budget needs it; a cold start does not

        with self._guard:
            if self._finished or self.thread.ident is None:
                return
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(self.thread.ident), ctypes.py_object(_Abandoned)
            )


def run_within(fn: Callable[[], T], seconds: float, name: str = "engine") -> T:
    """``fn()``, or ``BudgetExceeded`` once ``seconds`` pass (``fn`` is then stopped)."""
    call = _Call(fn, name, time.monotonic() + seconds)
    call.thread.start()
    if not call.wait(seconds):
        call.stop()
        raise BudgetExceeded(f"{name} took longer than its {seconds:g} s budget")
    if isinstance(call.error, deadlines.DeadlinePassed):  # it stopped itself in time
        raise BudgetExceeded(f"{name} took longer than its {seconds:g} s budget")
    if call.error is not None:
        raise call.error
    return call.value  # type: ignore[return-value]
