"""The Flask side of the access log: request ids and one line per request the route served."""

from __future__ import annotations

import time

from flask import Flask, Response, g, request

from .. import metrics
from .accesslog import log_request, request_id, should_log


def _start() -> None:
    g.iris_started = time.perf_counter()
    g.request_id = request_id(request.headers.get("X-Request-ID"))
    g.key_name = None


def register(app: Flask, mode: str) -> None:
    """Assign request ids and write access log lines as ``mode`` says."""

    def finish(response: Response) -> Response:
        rid = g.get("request_id", "")
        response.headers["X-Request-ID"] = rid
        hit = response.headers.get("X-Iris-Cache") == "hit"
        if not g.get("iris_logged"):
            route = request.url_rule.rule if request.url_rule is not None else "unmatched"
            metrics.inc("http_requests_total", route=route, status=str(response.status_code))
        if not g.get("iris_logged") and should_log(mode, response.status_code, hit):
            started = g.get("iris_started", time.perf_counter())
            elapsed_ms = (time.perf_counter() - started) * 1000
            path, status, key = request.path, response.status_code, g.get("key_name")
            log_request(request.method, path, status, elapsed_ms, rid, key)
        return response

    app.before_request(_start)
    app.after_request(finish)
