"""The one analyze pipeline: parse → authenticate → limit → service → render → log.

Both front doors call ``AnalyzePipeline.run``: the raw-WSGI fast path (``fastpath.py``,
for bodies with a declared length, which is nearly every client) and the Flask route (for
chunked bodies). Each concern lives here once, and a request does its work once.
"""

from __future__ import annotations

import logging
import time
import traceback
from typing import Any

import msgspec

from .. import emf, jsonio, metrics
from ..errors import IrisError, RateLimited
from ..service import Service
from .accesslog import log_request, should_log
from .auth import Authenticator
from .body import decode_request
from .limits import Quota, RateLimiter, client_id

log = logging.getLogger(__name__)
ANALYZE_PATH = "/api/iris/analyze"


class Answer(msgspec.Struct):
    """What to send: status, headers (Content-Type and length included) and body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    extra: dict[str, Any] = msgspec.field(default_factory=dict)


class AnalyzePipeline:
    """Runs one analyze request from its raw body to the bytes of its answer."""

    def __init__(
        self,
        service: Service,
        authenticator: Authenticator,
        *,
        max_metadata_bytes: int,
        access_log: str,
        emf_env: str | None = None,
        engine_limit: RateLimiter | None = None,
        hit_limit: RateLimiter | None = None,
    ) -> None:
        self.service = service
        self.authenticator = authenticator
        self.max_metadata_bytes = max_metadata_bytes
        self.access_log = access_log
        self.emf_env = emf_env  # IRIS_ENV when IRIS_METRICS=emf, else None
        self.engine_limit = engine_limit
        self.hit_limit = hit_limit

    def refuse(self, environ: dict[str, Any], error: IrisError, rid: str) -> Answer:
        """The answer to an analyze request whose body could not be read (408, 400)."""
        return self.run(environ, error, rid)

    def run(self, environ: dict[str, Any], body: bytes | IrisError, rid: str) -> Answer:
        """The answer to one analyze request whose raw body is ``body``."""
        started = time.perf_counter()
        key_name: str | None = None
        quotas: list[Quota] = []
        hit = False
        try:
            key_name = self.authenticator.check(environ.get("HTTP_X_API_KEY"))
            if isinstance(body, IrisError):
                raise body
            request = decode_request(body, self.max_metadata_bytes)
            client = client_id(environ, key_name)

            def before_engine() -> None:
                if self.engine_limit is not None:
                    quotas.append(self.engine_limit.check(client))

            analysis = self.service.analyze(request, before_engine=before_engine)
            hit = bool(analysis.metadata.get("cache_hit"))
            if hit and self.hit_limit is not None:
                quotas.append(self.hit_limit.check(client))
            status, payload = 200, analysis.to_dict()
            headers = [("X-Iris-Cache", "hit" if hit else "miss")]
        except RateLimited as exc:
            metrics.inc("rate_limited_total", limit="hits" if hit else "analyses")
            status, payload = exc.status, exc.to_dict()
            headers = [("Retry-After", str(max(1, round(exc.retry_after)))), *exc.quota_headers]
        except IrisError as exc:
            status, payload, headers = exc.status, exc.to_dict(), []
        except Exception as exc:  # never a traceback page, never the payload in the log
            frames = "".join(traceback.format_tb(exc.__traceback__))
            log.error("unhandled %s on POST %s\n%s", type(exc).__name__, ANALYZE_PATH, frames)
            error = IrisError("Internal error; the request was not processed.")
            status, payload, headers = error.status, error.to_dict(), []
        for quota in quotas:
            headers.extend(quota.headers())
        if not any(name == "X-RateLimit-Limit" for name, _ in headers):
            # Refused before a limit counted it, or a hit with no hits limit: say where the
            # client stands on the engine limit without spending a request.
            headers.extend(self.quota_headers(environ, key_name))
        answer = self._render(status, payload, headers, rid)
        elapsed = time.perf_counter() - started
        metrics.inc("http_requests_total", route=ANALYZE_PATH, status=str(status))
        meta: dict[str, Any] = payload.get("metadata", {}) if status == 200 else {}
        if status == 200:
            engine = str(meta.get("engine"))
            metrics.observe("analyze_seconds", elapsed, engine=engine, cache_hit=str(int(hit)))
        if self.emf_env is not None:
            emf.emit(emf.emf_record(status, elapsed * 1000, meta, self.emf_env, rid))
        if should_log(self.access_log, status, cache_hit=hit):
            log_request("POST", ANALYZE_PATH, status, elapsed * 1000, rid, key_name, meta)
        return answer

    def quota_headers(self, environ: dict[str, Any], key_name: str | None) -> list[tuple[str, str]]:
        """X-RateLimit-* for an answer no limit counted (the engine limit's, read only)."""
        limiter = self.engine_limit or self.hit_limit
        if limiter is None:
            return []
        try:
            return limiter.peek(client_id(environ, key_name)).headers()
        except Exception:  # advice only: the refusal still goes out without it
            log.warning("rate-limit state unavailable for the X-RateLimit headers")
            return []

    def _render(
        self, status: int, payload: dict[str, Any], headers: list[tuple[str, str]], rid: str
    ) -> Answer:
        # jsonio is also what Flask's jsonify writes through (web/jsonprovider.py).
        body = jsonio.dumps(payload) + b"\n"
        return Answer(
            status,
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
                *headers,
                ("X-Request-ID", rid),
            ],
            body,
        )
