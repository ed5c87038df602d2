"""Cache hits answered in front of Flask.

A hit costs microseconds in the service, so Flask's request machinery would be most of its
price. This WSGI middleware answers ``POST /api/iris/analyze`` when the body has a declared
length, the key is accepted and the answer is cached; everything else (misses, errors,
chunked bodies, other routes) goes to the Flask app unchanged, with the body still readable.
The answer is byte-for-byte what the Flask route would return.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from ..errors import IrisError, RateLimited
from ..service import Service
from .auth import Authenticator
from .body import decode_request
from .limits import COUNTED, RateLimiter, client_id
from .requestlog import log_request, request_id

ANALYZE_PATH = "/api/iris/analyze"
# Set on the environ when the fast path looked the request up and missed.
LOOKED_UP = "iris.looked_up"

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class CacheHitFastPath:
    """WSGI middleware serving authorised cache hits; see the module docstring."""

    def __init__(
        self,
        app: WSGIApp,
        service: Service,
        authenticator: Authenticator,
        *,
        max_bytes: int,
        max_metadata_bytes: int,
        dumps: Callable[[Any], str],
        log_hits: bool,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.app = app
        self.service = service
        self.authenticator = authenticator
        self.max_bytes = max_bytes
        self.max_metadata_bytes = max_metadata_bytes
        self.dumps = dumps
        self.log_hits = log_hits
        self.limiter = limiter

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        body = self._body(environ)
        if body is None:
            return self.app(environ, start_response)
        started = time.perf_counter()
        key_name: str | None = None
        try:
            key_name = self.authenticator.check(environ.get("HTTP_X_API_KEY"))
            if self.limiter is not None:
                environ[COUNTED] = True
                self.limiter.check(client_id(environ, key_name))
            analysis = self.service.analyze_cached(decode_request(body, self.max_metadata_bytes))
        except RateLimited as exc:
            return self._refuse(exc, environ, start_response, started, key_name)
        except (IrisError, ValueError):
            analysis = None  # Flask renders the precise error
        if analysis is None:
            environ[LOOKED_UP] = True
            return self.app(environ, start_response)
        extra = [("X-Iris-Cache", "hit")]
        answer = analysis.to_dict()
        return self._respond(environ, start_response, started, 200, answer, extra, key_name)

    def _refuse(
        self,
        error: RateLimited,
        environ: dict[str, Any],
        start_response: StartResponse,
        started: float,
        key_name: str | None,
    ) -> Iterable[bytes]:
        """The 429 the Flask error handler would render."""
        extra = [("Retry-After", str(max(1, round(error.retry_after))))]
        return self._respond(
            environ, start_response, started, 429, error.to_dict(), extra, key_name
        )

    def _respond(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        started: float,
        status: int,
        body: dict[str, Any],
        extra_headers: list[tuple[str, str]],
        key_name: str | None,
    ) -> Iterable[bytes]:
        """Send ``body`` as Flask's JSON would be sent, and log it as the access log says."""
        payload = (self.dumps(body) + "\n").encode()
        rid = request_id(environ.get("HTTP_X_REQUEST_ID"))
        headers = [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(payload))),
            *extra_headers,
            ("X-Request-ID", rid),
        ]
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        if status != 200 or self.log_hits:
            elapsed_ms = (time.perf_counter() - started) * 1000
            log_request("POST", ANALYZE_PATH, status, elapsed_ms, rid, key_name)
        return [payload]

    def _body(self, environ: dict[str, Any]) -> bytes | None:
        """The body of a candidate request, re-wrapped so Flask can read it again."""
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != ANALYZE_PATH:
            return None
        if "json" not in environ.get("CONTENT_TYPE", ""):
            return None
        length = environ.get("CONTENT_LENGTH", "")
        if not length.isdigit() or int(length) > self.max_bytes:
            return None
        body: bytes = environ["wsgi.input"].read(int(length))
        environ["wsgi.input"] = io.BytesIO(body)
        return body
