"""Gunicorn's threaded worker, whose threads serve only whole requests.

Gunicorn's gthread worker gives a connection a thread once its first bytes arrive; the
thread then reads the head and the body at whatever pace the client sends them, so 140
clients sending a byte a second held every thread and timed out 5 of 6 ordinary requests
(issue 17). Gunicorn's advice is a buffering proxy in front; the container serves
directly, so this worker buffers itself. A thread reads what has arrived without blocking
and checks whether the request is whole (``framing.py``: a head, then a body of declared
length or chunked to its end). If it is, the same thread serves it, its bytes already in
Gunicorn's parser: the common case costs what gthread costs. If not, the connection goes
back to the event loop with its bytes, holding no thread, and a thread takes it again
when more arrives. One deadline runs from the request's first read,
``IRIS_READ_TIMEOUT``; past it the loop answers 408 (JSON, ``Connection: close``) and
closes. What unfinished requests hold is capped per worker (503 past it) and their
number by ``worker_connections``. Parsing, keep-alive and everything else stay
Gunicorn's. A request handed on early (a body past the limit, framing Gunicorn must
judge) reads the rest with a per-read socket timeout, so a stall there is bounded too.
"""

from __future__ import annotations

import contextlib
import json
import selectors
import socket
import struct
import threading
import time
from functools import partial
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

from .. import metrics
from .framing import HEAD_TOO_LARGE, MORE, RequestFraming

_RECV = 256 * 1024
#: A thread's socket reads and writes after the hand-over wait at most this long each.
THREAD_IO_TIMEOUT = 2
_THREAD_IO_TIMEVAL = struct.pack("ll", THREAD_IO_TIMEOUT, 0)


class _Incoming:
    """A request being received: its bytes so far, framing and deadline."""

    __slots__ = ("buffer", "continued", "deadline", "framing")

    def __init__(self, buffer: bytearray, deadline: float, max_body: int) -> None:
        self.buffer = buffer
        self.deadline = deadline
        self.framing = RequestFraming(max_body)
        self.continued = False  # "100 Continue" sent


def json_answer(status: int, reason: str, message: str, code: str) -> bytes:
    """A complete HTTP/1.1 answer in IRIS's error shape, closing the connection."""
    body = json.dumps({"success": False, "error": message, "code": code}).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\r\n"
    )
    return head.encode("latin-1") + body


class ReceivingWorker(ThreadWorker):  # type: ignore[misc]
    """gthread whose threads take only whole requests (see the module docstring).

    A thread reads what has arrived without blocking; a whole request goes on to
    Gunicorn's handling on that same thread (the common case costs what gthread costs),
    an unfinished one goes back to the event loop, which hands it to a thread again when
    more arrives. ``receiving_worker`` makes a subclass carrying the settings.
    """

    read_timeout = 10.0
    max_body = 1024 * 1024
    max_buffered = 64 * 1024 * 1024

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._incoming: set[Any] = set()  # unfinished requests waiting in the loop
        self._buffered = 0  # bytes all unfinished requests hold
        self._buffered_lock = threading.Lock()
        self._next_scan = 0.0

    # -- on a thread ----------------------------------------------------------------------

    def handle(self, conn: Any) -> Any:
        """Gunicorn's ``handle`` once the request is whole; ``_RECEIVING`` until then."""
        if self.cfg.is_ssl:
            return super().handle(conn)
        verdict = self._receive(conn)
        if verdict is not _WHOLE:
            return verdict
        return super().handle(conn)

    def _receive(self, conn: Any) -> Any:
        incoming: _Incoming | None = getattr(conn, "iris_incoming", None)
        if incoming is None:  # a new request: a new connection, kept alive or pipelined
            held = b""
            if conn.parser is not None and conn.parser.unreader.buf.tell():
                held = conn.parser.unreader.take_buffered()  # read ahead: pipelined
            deadline = time.monotonic() + self.read_timeout
            incoming = conn.iris_incoming = _Incoming(bytearray(held), deadline, self.max_body)
            self._add_buffered(len(held))
        conn.sock.setblocking(False)
        while True:
            try:
                chunk = conn.sock.recv(_RECV)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                return self._forget(conn)
            if not chunk:  # the client went away mid-request
                return self._forget(conn)
            incoming.buffer += chunk
            self._add_buffered(len(chunk))
            if len(chunk) < _RECV:
                break
        verdict = incoming.framing.check(incoming.buffer)
        if verdict == HEAD_TOO_LARGE:
            message = "The request head is larger than 64 KiB."
            return self._refuse(
                conn, 431, "Request Header Fields Too Large", message, "header_too_large"
            )
        if verdict == MORE:
            if self._buffered > self.max_buffered:
                message = "The server is receiving too many large requests; try again."
                return self._refuse(conn, 503, "Service Unavailable", message, "server_busy")
            if incoming.framing.expects_continue and not incoming.continued:
                incoming.continued = True
                _send(conn, b"HTTP/1.1 100 Continue\r\n\r\n")
            return _RECEIVING
        self._hand_over(conn, incoming)
        return _WHOLE

    def _hand_over(self, conn: Any, incoming: _Incoming) -> None:
        self._add_buffered(-len(incoming.buffer))
        conn.iris_incoming = None
        if not conn.initialized:
            conn.init()  # Gunicorn's parser for this socket
            # Per read and write on the thread (Gunicorn makes the socket blocking there).
            conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, _THREAD_IO_TIMEVAL)
            conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, _THREAD_IO_TIMEVAL)
        conn.parser.unreader.unread(bytes(incoming.buffer))
        conn.data_ready = True
        # Handed on before its end (a body past the limit, framing for Gunicorn to judge):
        # what follows on the socket is no request to serve, so the answer closes.
        conn.iris_close = not incoming.framing.whole

    def handle_request(self, req: Any, conn: Any) -> Any:
        if getattr(conn, "iris_close", False):
            req.must_close = True  # Gunicorn says "Connection: close" and closes
        return super().handle_request(req, conn)

    def _refuse(self, conn: Any, status: int, reason: str, message: str, code: str) -> bool:
        metrics.inc("http_requests_total", route="unread", status=str(status))
        _send(conn, json_answer(status, reason, message, code))
        return self._forget(conn)

    def _forget(self, conn: Any) -> bool:
        """Drop what the request held; False: Gunicorn closes the connection."""
        incoming = getattr(conn, "iris_incoming", None)
        if incoming is not None:
            self._add_buffered(-len(incoming.buffer))
            conn.iris_incoming = None
        return False

    def _add_buffered(self, count: int) -> None:
        if count:
            with self._buffered_lock:
                self._buffered += count

    # -- on the event loop ----------------------------------------------------------------

    def finish_request(self, conn: Any, fs: Any) -> None:
        """An unfinished request waits in the loop, costing no thread, until more arrives."""
        receiving = not fs.cancelled() and fs.exception() is None and fs.result() is _RECEIVING
        if not receiving:
            super().finish_request(conn, fs)
        elif not self.alive:
            self._forget(conn)
            self._close(conn)
        else:
            self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._readable, conn))
            self._incoming.add(conn)

    def _readable(self, conn: Any, _sock: Any) -> None:
        self._unregister(conn)
        self._incoming.discard(conn)
        self.enqueue_req(conn)

    def murder_pending(self) -> None:
        super().murder_pending()
        now = time.monotonic()
        if now < self._next_scan:  # the loop runs once per event: scan 4 times a second
            return
        self._next_scan = now + 0.25
        for conn in [c for c in self._incoming if c.iris_incoming.deadline <= now]:
            self._incoming.discard(conn)
            self._unregister(conn)
            seconds = f"{self.read_timeout:g}"
            message = f"The request was not received within {seconds} s (IRIS_READ_TIMEOUT)."
            self._refuse(conn, 408, "Request Timeout", message, "request_timeout")
            self._close(conn)

    def _close(self, conn: Any) -> None:
        self.nr_conns -= 1
        conn.close()

    def _unregister(self, conn: Any) -> None:
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.poller.unregister(conn.sock)


def _send(conn: Any, data: bytes) -> None:
    with contextlib.suppress(OSError):  # small: fits the socket buffer, or the client is gone
        conn.sock.send(data)


_RECEIVING = object()  # the request is unfinished: back to the loop
_WHOLE = object()


def receiving_worker(read_timeout: float, max_body: int) -> type[ReceivingWorker]:
    """The worker class with IRIS's settings (class attributes survive Gunicorn's fork)."""
    attributes = {
        "read_timeout": read_timeout,
        "max_body": max_body,
        "max_buffered": max(64 * 1024 * 1024, 8 * max_body),
    }
    return type("IrisReceivingWorker", (ReceivingWorker,), attributes)
