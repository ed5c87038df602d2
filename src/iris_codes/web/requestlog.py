"""One log line per request: id, method, path, status, milliseconds, key name. Never payloads."""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request

log = logging.getLogger("iris_codes.web.access")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def _start() -> None:
    g.iris_started = time.perf_counter()
    presented = request.headers.get("X-Request-ID", "")
    g.request_id = presented if _REQUEST_ID.fullmatch(presented) else uuid.uuid4().hex[:16]
    g.key_name = None


def _finish(response: Response) -> Response:
    elapsed_ms = (time.perf_counter() - g.get("iris_started", time.perf_counter())) * 1000
    response.headers["X-Request-ID"] = g.get("request_id", "")
    log.info(
        "%s %s %s %.1fms rid=%s key=%s",
        request.method,
        request.path,
        response.status_code,
        elapsed_ms,
        g.get("request_id"),
        g.get("key_name") or "-",
    )
    return response


def register(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
