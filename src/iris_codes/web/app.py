"""The Flask app factory: defaults, then environment, then test overrides, then routes."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request

from ..config import Settings
from ..service import Service
from . import api, errors, requestlog
from .jsonprovider import JSONProvider
from .wsgi import Core, build_core, wrap


def create_app(settings: Settings | None = None, *, service: Service | None = None) -> Flask:
    """Build the WSGI app inside its middleware; Gunicorn and tests call this."""
    core = build_core(settings or Settings.from_env(), service)
    app = flask_app(core)
    app.wsgi_app = wrap(app.wsgi_app, core)  # type: ignore[method-assign,assignment]
    return app


def flask_app(core: Core) -> Flask:
    """The Flask app alone (routes, error pages, access log), without the middleware."""
    settings = core.settings
    app = Flask("iris_codes.web", static_folder="static", static_url_path="/static")
    # Werkzeug refuses a declared oversized body before reading it; one byte of slack lets
    # api.read_body tell a chunked body that is exactly at the limit from one that is over.
    app.config["MAX_CONTENT_LENGTH"] = settings.max_source_bytes + 1
    app.json = JSONProvider(app)
    app.extensions["iris"] = core.service
    app.extensions["iris_settings"] = settings
    app.extensions["iris_auth"] = core.authenticator
    app.extensions["iris_pipeline"] = core.pipeline
    errors.register(app)
    requestlog.register(app, settings.access_log)
    app.before_request(_answer_options)
    app.register_blueprint(api.blueprint)
    app.add_url_rule("/health", "health", api.health)
    app.add_url_rule("/metrics", "metrics", api.metrics_endpoint)
    app.add_url_rule("/", "index", _index)
    return app


def _answer_options() -> Response | None:
    """OPTIONS: 204 with the methods the path allows (and CORS, added by SecurityHeaders)."""
    if request.method != "OPTIONS" or request.url_rule is None:
        return None
    methods = sorted(request.url_rule.methods or ())
    return Response(status=204, headers={"Allow": ", ".join(methods)})


def _index() -> Any:
    from flask import current_app

    return current_app.send_static_file("index.html")
