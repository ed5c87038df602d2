"""Routes under ``/api/iris``: HTTP concerns only; the service does the work."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from .. import __version__, metrics
from ..config import Settings
from ..errors import NotFound, NotJSON, PayloadTooLarge, Unauthorized
from ..service import Service
from ..syntax.languages import LANGUAGES
from . import auth, body
from .openapi import openapi_spec
from .pipeline import AnalyzePipeline

blueprint = Blueprint("iris", __name__, url_prefix="/api/iris")


def _service() -> Service:
    service: Service = current_app.extensions["iris"]
    return service


def _settings() -> Settings:
    settings: Settings = current_app.extensions["iris_settings"]
    return settings


def _authenticate() -> None:
    authenticator: auth.Authenticator = current_app.extensions["iris_auth"]
    g.key_name = authenticator.check(request.headers.get(auth.HEADER))


def read_body(limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``limit`` bytes."""
    if request.content_length is not None:
        if request.content_length > limit:
            raise PayloadTooLarge(_too_large(limit))
        try:
            return request.get_data(cache=False)
        except body.READ_ERRORS as exc:
            raise body.read_error(exc) from None
    chunks: list[bytes] = []
    total = 0
    while True:
        try:
            chunk = request.stream.read(64 * 1024)
        except RequestEntityTooLarge:
            raise PayloadTooLarge(_too_large(limit)) from None
        except body.READ_ERRORS as exc:  # a bad chunk size ("zz"), a stalled or cut-short body
            raise body.read_error(exc) from None
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > limit:  # a chunked upload has no length to check up front
            raise PayloadTooLarge(_too_large(limit))
        chunks.append(chunk)


def _too_large(limit: int) -> str:
    return f"The request body is larger than the limit of {limit} bytes (IRIS_MAX_SOURCE_BYTES)."


@blueprint.post("/analyze")
def analyze() -> Response:
    # Bodies without a declared length land here; the rest never reach Flask (fastpath.py).
    if not request.is_json:
        raise NotJSON("Send the body as JSON with 'Content-Type: application/json'.")
    pipeline: AnalyzePipeline = current_app.extensions["iris_pipeline"]
    answer = pipeline.run(request.environ, read_body(_settings().max_source_bytes), g.request_id)
    g.iris_logged = True  # the pipeline wrote the access log line
    return Response(answer.body, status=answer.status, headers=answer.headers)


@blueprint.after_request
def _quota_on_refusals(response: Response) -> Response:
    # Refused here before the pipeline ran (415, a chunked body past the limit): the
    # client still learns where it stands, as on every other analyze answer.
    if request.endpoint == "iris.analyze" and "X-RateLimit-Limit" not in response.headers:
        pipeline: AnalyzePipeline = current_app.extensions["iris_pipeline"]
        response.headers.extend(pipeline.quota_headers(request.environ, g.get("key_name")))
    return response


@blueprint.get("/health")
def health() -> Response:
    report: dict[str, Any] = {"success": True, "version": __version__}
    report.update(_service().health())
    report["status"] = "ok" if report.pop("ok") else "degraded"
    # Whether clients must send a key (the web page asks for one only then); never which.
    authenticator: auth.Authenticator = current_app.extensions["iris_auth"]
    report["auth"] = authenticator.enabled
    if _shows_details(authenticator):
        report["auth_state"] = authenticator.describe()
    else:  # where the cache lives and why it failed are for operators, who hold a key
        report["cache"] = {k: v for k, v in report["cache"].items() if k in _PUBLIC_CACHE}
    return jsonify(report)


_PUBLIC_CACHE = ("tier", "ok", "persistent")


def _shows_details(authenticator: auth.Authenticator) -> bool:
    if not authenticator.enabled:
        return True
    try:
        authenticator.check(request.headers.get(auth.HEADER))
    except Unauthorized:
        return False
    return True


@blueprint.get("/languages")
def languages() -> Response:
    listed = [
        {"id": lang.id, "aliases": list(lang.aliases), "extensions": list(lang.extensions)}
        for lang in sorted(LANGUAGES, key=lambda lang: lang.id)
    ]
    return jsonify({"success": True, "languages": listed})


@blueprint.get("/metrics")
def metrics_endpoint() -> Response:
    _authenticate()
    if not metrics.recording():
        sink = _settings().metrics_sink
        raise NotFound(f"No Prometheus metrics here: IRIS_METRICS is {sink!r}.")
    if "application/json" in request.headers.get("Accept", ""):
        return jsonify({"success": True, "metrics": metrics.snapshot()})
    body, content_type = metrics.exposition()
    return Response(body, content_type=content_type)


@blueprint.get("/openapi.json")
def openapi() -> Response:
    authenticator: auth.Authenticator = current_app.extensions["iris_auth"]
    return jsonify(openapi_spec(authenticator.enabled))


@blueprint.get("/docs")
def docs() -> Response:
    return current_app.send_static_file("docs.html")
