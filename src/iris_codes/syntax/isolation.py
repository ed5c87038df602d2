"""Syntax units extracted in child processes, so a grammar that crashes costs one parse.

Grammars are C. A bug in one (the bash scanner's out-of-bounds read, docs/security.md)
kills whatever process runs it: a Gunicorn worker and every request on it, ``iris mcp``,
``iris analyze``. So ``extract.extract_units`` hands its work to a small pool of child
processes, each running the same ``extract_units`` one request at a time over its pipes:
a length-prefixed msgpack request (the source as UTF-8, the language, the seconds left to
the caller's deadline) and reply (the units, or what the extraction raised). Units are
msgspec Structs, encoded and decoded generically, so any field ``Unit`` gains crosses as is.

A child that dies mid-request costs that request a ``ParserCrashed`` (the service answers
line slices marked ``degraded``); the next request starts a fresh child. A child still busy
past its caller's deadline (plus a grace) is killed, so even a scanner looping for ever
inside one C call holds no thread. Children start lazily with ``subprocess`` (fork+exec:
safe in a threaded server, and it works on AWS Lambda, where multiprocessing's semaphores
do not), at most ``size`` per process, and belong to the process that started them: a
forked Gunicorn worker starts its own. Measured cost: docs/benchmarks.md.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

import msgspec

from .. import deadlines
from ..errors import EngineError, ParserCrashed
from .units import Unit

log = logging.getLogger(__name__)

#: Children per process: parsing is CPU-bound, so more than the cores buys nothing.
POOL_SIZE = max(2, min(4, os.cpu_count() or 2))
#: How long past its caller's deadline a child may take to answer before it is killed.
GRACE_SECONDS = 0.5
_FRAME = struct.Struct(">I")
_CHILD_MAIN = "from iris_codes.syntax.isolation import serve_child; serve_child()"
_in_child = False


class _Request(msgspec.Struct, array_like=True):
    source: bytes
    language: str
    seconds: float | None  # left until the caller's deadline; None: unbounded


class _Reply(msgspec.Struct, array_like=True):
    units: list[Unit] = []
    error: str = ""  # "" | "engine" | "deadline" | "other"
    message: str = ""


_encode = msgspec.msgpack.Encoder().encode
_decode_reply = msgspec.msgpack.Decoder(_Reply).decode
_decode_request = msgspec.msgpack.Decoder(_Request).decode


class IsolatedError(RuntimeError):
    """An unexpected exception inside the parse process (its type name only: a message
    could quote the source)."""


class _ChildDied(Exception):
    """The child closed its pipe: it crashed, or was killed."""


class _Overdue(Exception):
    """The child did not answer by its caller's deadline and grace."""


def enabled() -> bool:
    """Whether ``extract_units`` should go to a child (not when this process is one)."""
    return not _in_child


class _Child:
    """One parse process and its two pipes."""

    def __init__(self, command: Sequence[str]) -> None:
        env = dict(os.environ)
        # The child imports IRIS from wherever this process did (a Lambda's task root,
        # an editable install, a test's source tree).
        env["PYTHONPATH"] = os.pathsep.join(path for path in sys.path if path)
        self.process = subprocess.Popen(
            list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0, env=env
        )
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self._to = self.process.stdin.fileno()
        self._from = self.process.stdout.fileno()

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def call(self, request: bytes, deadline: float | None) -> _Reply:
        try:
            _write_all(self._to, _FRAME.pack(len(request)) + request)
        except OSError:  # EPIPE: it died before reading
            raise _ChildDied from None
        size = _FRAME.unpack(self._read(_FRAME.size, deadline))[0]
        return _decode_reply(self._read(size, deadline))

    def _read(self, count: int, deadline: float | None) -> bytes:
        data = bytearray()
        poller = select.poll()  # not select(): a busy server's fds pass FD_SETSIZE
        poller.register(self._from, select.POLLIN)
        while len(data) < count:
            if deadline is not None:
                left = deadline + GRACE_SECONDS - time.monotonic()
                if left <= 0 or not poller.poll(left * 1000):
                    raise _Overdue
            chunk = os.read(self._from, min(count - len(data), 1 << 20))
            if not chunk:
                raise _ChildDied
            data += chunk
        return bytes(data)

    def exit_status(self) -> str:
        """How the child ended: a signal's name or an exit code (waits briefly)."""
        try:
            code = self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return "still running"
        if code < 0:
            try:
                return signal.Signals(-code).name
            except ValueError:
                return f"signal {-code}"
        return f"exit code {code}"

    def kill(self) -> None:
        try:
            self.process.kill()
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self._close_pipes()

    def close(self) -> None:
        """Ask the child to exit (end of its input), then make sure it has."""
        self._close_pipes()
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.kill()

    def _close_pipes(self) -> None:
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class ParsePool:
    """Up to ``size`` parse processes, started on demand and shared by this process's
    threads; thread-safe."""

    def __init__(self, size: int = POOL_SIZE, command: Sequence[str] | None = None) -> None:
        self.size = size
        self.command = tuple(command or (sys.executable, "-c", _CHILD_MAIN))
        self._idle: list[_Child] = []
        self._busy: dict[_Child, threading.Thread] = {}  # child → the thread using it
        self._live = 0  # idle + busy + being started
        self._ready = threading.Condition()
        self._counts = {"started": 0, "crashed": 0, "killed": 0}
        self._closed = False

    def extract_units(self, source: str, language: str) -> list[Unit]:
        """``extract.extract_units(source, language)``, run in one of the children."""
        deadline = deadlines.current()
        seconds = None if deadline is None else max(0.0, deadline - time.monotonic())
        request = _encode(_Request(source.encode("utf-8", "surrogatepass"), language, seconds))
        child: _Child | None = None
        reusable = False
        try:
            # Inside the try: the budget may stop this thread (an async exception) at any
            # bytecode, and a child taken but not given back would shrink the pool for good.
            child = self._acquire(deadline)
            reply = child.call(request, deadline)
            reusable = True
        except _ChildDied:
            assert child is not None
            status = child.exit_status()
            self._count("crashed")
            log.warning("a %s parse process died (%s)", language, status)
            raise ParserCrashed(
                f"The {_grammar(language)} parser crashed on this file ({status})."
            ) from None
        except _Overdue:
            self._count("killed")
            log.warning("a %s parse process passed its deadline; killed", language)
            raise deadlines.DeadlinePassed(f"the {language} parse passed its deadline") from None
        finally:
            if child is not None:
                self._release(child, reusable)
        return _unwrap(reply)

    def prestart(self, count: int = 1) -> None:
        """Start children now (a warm-up) until ``count`` are alive, within the pool's size."""
        while True:
            with self._ready:
                if self._closed or self._live >= min(count, self.size):
                    return
                self._live += 1
            self._release(self._start(), True)

    def stats(self) -> dict[str, int]:
        """Children alive now, and started, crashed and killed so far."""
        with self._ready:
            return {"size": self.size, "children": self._live, **self._counts}

    def close(self) -> None:
        """Stop every idle child; busy ones stop when their caller releases them."""
        with self._ready:
            self._closed = True
            idle, self._idle = self._idle, []
            self._live -= len(idle)
            self._ready.notify_all()
        for child in idle:
            child.close()

    def _acquire(self, deadline: float | None) -> _Child:
        with self._ready:
            while True:
                while self._idle:
                    child = self._idle.pop()
                    if child.alive():
                        self._busy[child] = threading.current_thread()
                        return child
                    self._live -= 1  # died while idle (killed from outside): start another
                    child.kill()
                if self._live < self.size or self._reclaim():
                    self._live += 1
                    break
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise deadlines.DeadlinePassed("no parse process was free before the deadline")
                self._ready.wait(left)
        child = self._start()
        with self._ready:
            self._busy[child] = threading.current_thread()
        return child

    def _reclaim(self) -> bool:
        """Free the children of threads that died holding one (under ``_ready``).

        The budget stops an abandoned thread with an exception that can land between any
        two bytecodes, after a child was taken and before it could be given back.
        """
        orphans = [child for child, owner in self._busy.items() if not owner.is_alive()]
        for child in orphans:
            del self._busy[child]
            self._live -= 1
            child.kill()
        return bool(orphans)

    def _start(self) -> _Child:
        try:
            child = _Child(self.command)
        except BaseException as exc:
            with self._ready:
                self._live -= 1
                self._ready.notify()
            if isinstance(exc, OSError):
                reason = exc.strerror or type(exc).__name__
                raise ParserCrashed(f"A parse process could not be started ({reason}).") from None
            raise
        self._count("started")
        return child

    def _release(self, child: _Child, reusable: bool) -> None:
        with self._ready:
            self._busy.pop(child, None)
            if reusable and not self._closed:
                self._idle.append(child)
                self._ready.notify()
                return
            self._live -= 1
            self._ready.notify()
        if reusable:
            child.close()
        else:
            child.kill()

    def _count(self, name: str) -> None:
        with self._ready:
            self._counts[name] += 1


def _grammar(language: str) -> str:
    from .languages import get_language

    lang = get_language(language)
    return lang.grammar if lang is not None else language


def _unwrap(reply: _Reply) -> list[Unit]:
    if reply.error == "engine":
        raise EngineError(reply.message)
    if reply.error == "deadline":
        raise deadlines.DeadlinePassed(reply.message)
    if reply.error:
        raise IsolatedError(f"{reply.message} in the parse process")
    return reply.units


# --- this process's pool ----------------------------------------------------------------

_pool: ParsePool | None = None
_pool_pid = 0
_pool_lock = threading.Lock()


def pool() -> ParsePool:
    """This process's pool (a forked process gets a new one: the children are not its)."""
    global _pool, _pool_pid
    current = _pool
    if current is not None and _pool_pid == os.getpid():
        return current
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool, _pool_pid = ParsePool(), os.getpid()
        return _pool


def extract_units(source: str, language: str) -> list[Unit]:
    """The units of ``source``, extracted by one of this process's parse processes."""
    return pool().extract_units(source, language)


@atexit.register
def _close_at_exit() -> None:
    if _pool is not None and _pool_pid == os.getpid():
        _pool.close()


# --- the child --------------------------------------------------------------------------


def serve_child() -> None:
    """The parse process: answer requests from stdin on stdout until stdin ends."""
    global _in_child
    _in_child = True
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the whole group
    replies = os.dup(1)
    os.dup2(2, 1)  # a stray print must not corrupt the replies
    from .extract import extract_units as extract_here

    while True:
        head = _read_frame_part(0, _FRAME.size)
        if head is None:
            return
        body = _read_frame_part(0, _FRAME.unpack(head)[0])
        if body is None:
            return
        reply = _answer(_decode_request(body), extract_here)
        data = _encode(reply)
        try:
            _write_all(replies, _FRAME.pack(len(data)) + data)
        except OSError:  # the parent is gone
            return


def _answer(request: _Request, extract_here: Any) -> _Reply:
    source = request.source.decode("utf-8", "surrogatepass")
    try:
        if request.seconds is None:
            return _Reply(units=extract_here(source, request.language))
        with deadlines.until(time.monotonic() + request.seconds):
            return _Reply(units=extract_here(source, request.language))
    except EngineError as exc:
        return _Reply(error="engine", message=exc.message)
    except deadlines.DeadlinePassed as exc:
        return _Reply(error="deadline", message=str(exc))
    except Exception as exc:  # handed back by type only: a message may quote the source
        return _Reply(error="other", message=type(exc).__name__)


def _read_frame_part(fd: int, count: int) -> bytes | None:
    data = bytearray()
    while len(data) < count:
        chunk = os.read(fd, min(count - len(data), 1 << 20))
        if not chunk:
            return None
        data += chunk
    return bytes(data)
