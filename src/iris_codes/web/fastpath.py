"""Analyze requests answered in front of Flask, through the one pipeline.

A cache hit costs microseconds in the service, so Flask's request machinery would be most
of its price. This WSGI middleware sends ``POST /api/iris/analyze`` with a JSON body of
declared length straight to ``AnalyzePipeline``; everything else (chunked or oversized
bodies, other content types, other routes) goes to the Flask app, whose route calls the
same pipeline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from . import body as body_reading
from .accesslog import request_id
from .pipeline import ANALYZE_PATH, AnalyzePipeline

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
_STATUS = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}


class FastPath:
    """WSGI middleware running analyze requests through the pipeline; see above."""

    def __init__(self, app: WSGIApp, pipeline: AnalyzePipeline, *, max_bytes: int) -> None:
        self.app = app
        self.pipeline = pipeline
        self.max_bytes = max_bytes

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        length = self._declared_length(environ)
        if length is None:
            return self.app(environ, start_response)
        rid = request_id(environ.get("HTTP_X_REQUEST_ID"))
        try:
            body: bytes = environ["wsgi.input"].read(length)
        except body_reading.READ_ERRORS as exc:  # the body stalled or was cut short
            answer = self.pipeline.refuse(environ, body_reading.read_error(exc), rid)
        else:
            answer = self.pipeline.run(environ, body, rid)
        start_response(_STATUS[answer.status], answer.headers)
        return [answer.body]

    def _declared_length(self, environ: dict[str, Any]) -> int | None:
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != ANALYZE_PATH:
            return None
        mimetype = environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower()
        if mimetype != "application/json" and not mimetype.endswith("+json"):
            return None  # Flask's rule for is_json; it answers 415
        length = environ.get("CONTENT_LENGTH", "")
        if not length.isdigit() or int(length) > self.max_bytes:
            return None  # chunked: Flask reads it; oversized: Flask answers 413
        return int(length)
