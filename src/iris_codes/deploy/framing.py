"""How much of one HTTP/1.1 request a buffer holds: the head, then the body to its end.

Used by the receiving worker (``worker.py``) to decide when a request is whole and can go
to a thread. It only finds where a request ends, as RFC 9112 frames it (a body of declared
``Content-Length``, or ``chunked`` up to its last chunk and trailers); Gunicorn's parser
still parses and judges the request. Whatever this module cannot frame (a bad length, a
bad chunk size, a head that is not CRLF-terminated, a body past the limit) is ``READY``
too: Gunicorn and the app refuse it from the bytes already held, with 400 or 413.
"""

from __future__ import annotations

MORE = "more"  # wait for more bytes
READY = "ready"  # hand the request to a thread
HEAD_TOO_LARGE = "head_too_large"  # answer 431 and close

#: Largest request head waited for; Gunicorn's own line and field limits are tighter.
HEAD_LIMIT = 64 * 1024
_LINE_LIMIT = 8190  # a chunk-size line, as Gunicorn limits it
_TRAILER_LIMIT = 8190 * 32
_HEX = frozenset(b"0123456789abcdefABCDEF")


class RequestFraming:
    """The framing state of the request at the start of one buffer; fed as bytes arrive."""

    __slots__ = (
        "_chunk_at", "_end", "_head_end", "body_bytes", "expects_continue", "max_body", "whole",
    )  # fmt: skip

    def __init__(self, max_body: int) -> None:
        self.max_body = max_body
        self.expects_continue = False
        self.whole = False  # READY because the whole request is here (not handed on early)
        self.body_bytes = 0  # chunked: chunk bytes framed so far
        self._head_end = -1  # offset of the body's first byte
        self._end: int | None = None  # offset just past a body of declared length
        self._chunk_at = -1  # offset of the next chunk-size line

    def check(self, buffer: bytes | bytearray) -> str:
        """``MORE``, ``READY`` or ``HEAD_TOO_LARGE`` for the bytes received so far."""
        if self._head_end < 0:
            verdict = self._read_head(buffer)
            if verdict is not None:
                return verdict
        if self._end is not None:
            self.whole = len(buffer) >= self._end
            return READY if self.whole else MORE
        return self._read_chunks(buffer)

    def _read_head(self, buffer: bytes | bytearray) -> str | None:
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            if buffer.find(b"\n\n") >= 0:
                return READY  # bare LF: Gunicorn refuses it
            return HEAD_TOO_LARGE if len(buffer) > HEAD_LIMIT else MORE
        self._head_end = end + 4
        lengths: list[str] = []
        codings: list[str] = []
        for line in bytes(buffer[:end]).decode("latin-1").split("\r\n")[1:]:
            name, colon, value = line.partition(":")
            if not colon:
                continue
            name = name.strip().lower()
            if name == "content-length":
                lengths.append(value.strip())
            elif name == "transfer-encoding":
                codings.extend(c.strip().lower() for c in value.split(","))
            elif name == "expect":
                self.expects_continue = value.strip().lower() == "100-continue"
        if codings:
            if lengths or codings[-1] != "chunked":
                return READY  # Gunicorn refuses both at once, and other codings
            self._chunk_at = self._head_end
            return None
        if not lengths:
            self._end = self._head_end
            return None
        if len(set(lengths)) != 1 or not lengths[0].isdigit():
            return READY  # Gunicorn answers 400
        length = int(lengths[0])
        if length > self.max_body:
            return READY  # the app answers 413 from the declared length
        self._end = self._head_end + length
        return None

    def _read_chunks(self, buffer: bytes | bytearray) -> str:
        at = self._chunk_at
        while True:
            line_end = buffer.find(b"\r\n", at)
            if line_end < 0:
                return MORE if len(buffer) - at <= _LINE_LIMIT else READY
            size_text = bytes(buffer[at:line_end]).split(b";", 1)[0].strip(b" \t")
            if not size_text or not _HEX.issuperset(size_text):
                return READY  # the app answers 400 (malformed_body)
            size = int(size_text, 16)
            if size == 0:
                return self._read_trailers(buffer, line_end + 2)
            self.body_bytes += size
            if self.body_bytes > self.max_body:
                return READY  # the app answers 413 once past the limit
            next_at = line_end + 2 + size + 2
            if len(buffer) < next_at:
                self.body_bytes -= size  # counted again when the chunk is whole
                return MORE
            at = self._chunk_at = next_at

    def _read_trailers(self, buffer: bytes | bytearray, start: int) -> str:
        if len(buffer) - start < 2:
            return MORE
        if buffer[start : start + 2] == b"\r\n" or buffer.find(b"\r\n\r\n", start) >= 0:
            self.whole = True
            return READY
        return READY if len(buffer) - start > _TRAILER_LIMIT else MORE
