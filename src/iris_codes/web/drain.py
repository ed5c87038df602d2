"""Read what is left of a request body after the answer is sent, so the client reads it.

A server that answers before reading the whole body (413 for a body over the limit, 401
before parsing) and then closes the connection makes the client's write fail with a
broken pipe before it reads the answer. Gunicorn discards the rest on a keep-alive
connection, not on ``Connection: close``. This middleware reads up to ``DRAIN_BYTES`` of
what is left once the answer has been written (in the response's ``close``), so the early
answer still goes out first; a body declared larger than that also gets
``Connection: close``, and at most ``DRAIN_BYTES`` are read for nothing, for at most
``DRAIN_SECONDS``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

DRAIN_BYTES = 16 * 1024 * 1024
#: And for at most this long: a client trickling the rest must not hold the thread.
DRAIN_SECONDS = 2.0
_CHUNK = 256 * 1024

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class DrainBody:
    """WSGI middleware: drain the unread body (bounded) after the answer is sent."""

    def __init__(self, app: WSGIApp, limit: int = DRAIN_BYTES) -> None:
        self.app = app
        self.limit = limit

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            return self.app(environ, start_response)
        length = environ.get("CONTENT_LENGTH", "")
        if length.isdigit() and int(length) > self.limit:
            start_response = _closing(start_response)
        return _Drained(self.app(environ, start_response), environ.get("wsgi.input"), self.limit)


class _Drained:
    """The app's answer; closing it drains the request body first."""

    __slots__ = ("_answer", "_limit", "_stream")

    def __init__(self, answer: Iterable[bytes], stream: Any, limit: int) -> None:
        self._answer = answer
        self._stream = stream
        self._limit = limit

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._answer)

    def close(self) -> None:
        try:
            _drain(self._stream, self._limit)
        except Exception:  # the client went away: nothing left to drain
            pass
        finally:
            close = getattr(self._answer, "close", None)
            if close is not None:
                close()


def _closing(start_response: StartResponse) -> StartResponse:
    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        return start_response(status, [*headers, ("Connection", "close")], exc_info)

    return start


def _drain(stream: Any, limit: int) -> None:
    if stream is None:
        return
    left = limit
    stop = time.monotonic() + DRAIN_SECONDS
    while left > 0 and time.monotonic() < stop:
        chunk = stream.read(min(_CHUNK, left))
        if not chunk:
            return
        left -= len(chunk)
