"""RequestFraming: when the bytes received so far hold one whole HTTP/1.1 request."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iris_codes.deploy.framing import HEAD_LIMIT, HEAD_TOO_LARGE, MORE, READY, RequestFraming

HEAD = b"POST /api/iris/analyze HTTP/1.1\r\nHost: x\r\n"


def _feed(data: bytes, max_body: int = 1000, step: int = 1) -> list[str]:
    """The verdicts as ``data`` arrives ``step`` bytes at a time."""
    framing = RequestFraming(max_body)
    return [framing.check(data[:end]) for end in [*range(1, len(data), step), len(data)]]


def test_a_body_of_declared_length_is_whole_at_its_last_byte() -> None:
    request = HEAD + b"Content-Length: 5\r\n\r\nhello"
    verdicts = _feed(request)
    assert verdicts[-1] == READY
    assert set(verdicts[:-1]) == {MORE}


def test_a_request_without_a_body_is_whole_at_the_end_of_its_head() -> None:
    verdicts = _feed(b"GET /api/iris/health HTTP/1.1\r\nHost: x\r\n\r\n")
    assert verdicts[-1] == READY
    assert set(verdicts[:-1]) == {MORE}


def test_a_chunked_body_is_whole_after_its_last_chunk_and_trailers() -> None:
    body = b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n"
    verdicts = _feed(HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + body)
    assert verdicts[-1] == READY
    assert set(verdicts[:-1]) == {MORE}
    plain = HEAD + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
    verdicts = _feed(plain)
    assert verdicts[-1] == READY
    assert set(verdicts[:-1]) == {MORE}


def test_framing_is_the_same_whatever_the_pieces() -> None:
    request = HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + b"3\r\nabc\r\n" * 20 + b"0\r\n\r\n"
    for step in (1, 7, 64, len(request)):
        assert _feed(request, step=step)[-1] == READY


@pytest.mark.parametrize(
    "head",
    [
        b"Content-Length: abc\r\n",
        b"Content-Length: 5\r\nContent-Length: 6\r\n",
        b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
        b"Transfer-Encoding: gzip\r\n",
        b"Content-Length: 5000\r\n",  # past max_body: the app answers 413 at once
    ],
)
def test_what_gunicorn_or_the_app_must_refuse_goes_on_at_the_end_of_the_head(head: bytes) -> None:
    framing = RequestFraming(1000)
    assert framing.check(HEAD + head + b"\r\n") == READY
    assert not framing.whole


def test_a_chunk_size_that_is_not_hex_goes_on_at_once() -> None:
    framing = RequestFraming(1000)
    assert framing.check(HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n") == READY
    assert not framing.whole


def test_a_chunked_body_past_the_limit_goes_on_before_its_end() -> None:
    framing = RequestFraming(10)
    chunks = HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + b"8\r\n12345678\r\n" * 2
    assert framing.check(chunks) == READY
    assert not framing.whole


def test_a_truncated_chunk_waits_for_the_rest() -> None:
    framing = RequestFraming(1000)
    assert framing.check(HEAD + b"Transfer-Encoding: chunked\r\n\r\n100\r\nabc") == MORE


def test_a_head_past_the_limit_is_refused() -> None:
    framing = RequestFraming(1000)
    assert framing.check(HEAD + b"X-Pad: " + b"a" * HEAD_LIMIT) == HEAD_TOO_LARGE


def test_an_expect_continue_head_is_noticed() -> None:
    framing = RequestFraming(1000)
    assert framing.check(HEAD + b"Expect: 100-continue\r\nContent-Length: 3\r\n\r\n") == MORE
    assert framing.expects_continue


# --- agreement with Gunicorn's own parser -------------------------------------------------


@st.composite
def _requests(draw: st.DrawFn) -> bytes:
    body = draw(st.binary(max_size=300))
    head = b"POST /api/iris/analyze HTTP/1.1\r\nHost: x\r\n"
    if draw(st.booleans()):
        return head + b"Content-Length: %d\r\n\r\n" % len(body) + body
    cuts = sorted(draw(st.lists(st.integers(0, len(body)), max_size=4)))
    pieces = [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)], strict=True)]
    chunked = b"".join(
        b"%x%s\r\n%s\r\n" % (len(p), draw(st.sampled_from([b"", b";a=1", b" ;b"])), p)
        for p in pieces
        if p
    )
    trailers = draw(st.sampled_from([b"", b"X-T: 1\r\n"]))
    return head + b"Transfer-Encoding: chunked\r\n\r\n" + chunked + b"0\r\n" + trailers + b"\r\n"


def _gunicorn_reads_whole(data: bytes) -> bool:
    """Whether Gunicorn parses one request and its whole body from ``data`` alone."""
    from gunicorn.config import Config
    from gunicorn.http.parser import RequestParser

    try:
        request = next(RequestParser(Config(), iter([data]), ("127.0.0.1", 1)))
        while request.body.read(8192):
            pass
    except Exception:  # NoMoreData and friends: it needed bytes that are not there
        return False
    return True


@settings(max_examples=150, deadline=None)
@given(_requests(), st.integers(1, 64))
def test_the_request_is_whole_exactly_when_gunicorn_can_read_it_all(
    request: bytes, step: int
) -> None:
    framing = RequestFraming(10_000)
    for end in [*range(1, len(request), step), len(request)]:
        verdict = framing.check(request[:end])
        if verdict == READY:
            assert end == len(request)  # never before its last byte
            assert framing.whole
            assert _gunicorn_reads_whole(request[:end])
        else:
            assert verdict == MORE
    pipelined = request + b"GET /api/iris/health HTTP/1.1\r\nHost: x\r\n\r\n"
    assert RequestFraming(10_000).check(pipelined) == READY
