"""One JSON shape for every error: ``{"success": false, "error": "...", "code": "..."}``."""

from __future__ import annotations

import logging
import traceback

from flask import Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from ..errors import (
    IrisError,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    RateLimited,
)

log = logging.getLogger(__name__)


def render(error: IrisError) -> Response:
    """The JSON response for ``error``."""
    response = jsonify(error.to_dict())
    response.status_code = error.status
    if isinstance(error, RateLimited):
        response.headers["Retry-After"] = str(max(1, round(error.retry_after)))
    if isinstance(error, MethodNotAllowed) and error.allow:
        response.headers["Allow"] = ", ".join(error.allow)
    return response


def _from_http(exc: HTTPException) -> IrisError:
    status = exc.code or 500
    if status == 404:
        return NotFound(f"No such endpoint: {request.method} {request.path}.")
    if status == 405:
        allow = tuple(sorted(getattr(exc, "valid_methods", None) or ()))
        return MethodNotAllowed(f"{request.method} is not allowed on {request.path}.", allow)
    if status == 413:
        limit = current_app.config["MAX_CONTENT_LENGTH"] - 1
        return PayloadTooLarge(
            f"The request body is larger than the limit of {limit} bytes (IRIS_MAX_SOURCE_BYTES)."
        )
    error = IrisError(exc.description or exc.name)
    error.status, error.code = status, exc.name.lower().replace(" ", "_")
    return error


def _unexpected(exc: Exception) -> Response:
    # Frames only: an exception's message may quote the source being analysed.
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("unhandled %s on %s %s\n%s", type(exc).__name__, request.method, request.path, frames)
    return render(IrisError("Internal error; the request was not processed."))


def register(app: Flask) -> None:
    """Install the handlers that render every error as JSON."""
    app.register_error_handler(IrisError, render)
    app.register_error_handler(HTTPException, lambda exc: render(_from_http(exc)))
    app.register_error_handler(Exception, _unexpected)
