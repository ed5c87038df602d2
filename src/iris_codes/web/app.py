"""The Flask app factory: defaults, then environment, then test overrides, then routes."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from flask import Flask, Response, request

from ..config import Settings
from ..keys import KeyStore
from ..service import Service
from . import api, auth, errors, requestlog
from .drain import DrainBody
from .fastpath import FastPath
from .headers import SecurityHeaders
from .limits import RateLimiter
from .pipeline import AnalyzePipeline


def create_app(settings: Settings | None = None, *, service: Service | None = None) -> Flask:
    """Build the WSGI app; Gunicorn, tests and the Lambda handler all call this."""
    settings = settings or Settings.from_env()
    app = Flask("iris_codes.web", static_folder="static", static_url_path="/static")
    # Werkzeug refuses a declared oversized body before reading it; one byte of slack lets
    # api.read_body tell a chunked body that is exactly at the limit from one that is over.
    app.config["MAX_CONTENT_LENGTH"] = settings.max_source_bytes + 1
    app.json.sort_keys = False  # type: ignore[attr-defined]
    service = service or Service(settings)
    authenticator = auth.Authenticator(
        settings.api_keys, KeyStore(settings.keys_path), settings.api_key_hashes
    )
    app.extensions["iris"] = service
    app.extensions["iris_settings"] = settings
    app.extensions["iris_auth"] = authenticator
    pipeline = AnalyzePipeline(
        service,
        authenticator,
        max_metadata_bytes=settings.max_metadata_bytes,
        # Flask's jsonify writes compact JSON: the same separators everywhere keep a hit's
        # body the miss's byte for byte (but for latency_ms and cache_hit).
        dumps=partial(app.json.dumps, separators=(",", ":")),
        access_log=settings.access_log,
        emf_env=settings.env if settings.metrics_sink == "emf" else None,
        engine_limit=_limiter(settings.rate_limit, service, "analyses"),
        hit_limit=_limiter(settings.rate_limit_hits, service, "cache hits"),
    )
    app.extensions["iris_pipeline"] = pipeline
    _configure_logging(settings)
    errors.register(app)
    requestlog.register(app, settings.access_log)
    app.before_request(_answer_options)
    app.register_blueprint(api.blueprint)
    app.add_url_rule("/health", "health", api.health)
    app.add_url_rule("/metrics", "metrics", api.metrics_endpoint)
    app.add_url_rule("/", "index", _index)
    app.wsgi_app = FastPath(  # type: ignore[method-assign]
        app.wsgi_app, pipeline, max_bytes=settings.max_source_bytes
    )
    if settings.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.trusted_proxies
        )
    app.wsgi_app = SecurityHeaders(app.wsgi_app, settings.cors_origins)  # type: ignore[method-assign]
    app.wsgi_app = DrainBody(app.wsgi_app)  # type: ignore[method-assign]
    log.info("%s", authenticator.describe())
    return app


def _limiter(rate: tuple[int, float] | None, service: Service, kind: str) -> RateLimiter | None:
    if rate is None:
        return None
    limit, window = rate
    return RateLimiter(limit, window, lambda: service.cache, kind=kind)


def _answer_options() -> Response | None:
    """OPTIONS: 204 with the methods the path allows (and CORS, added by SecurityHeaders)."""
    if request.method != "OPTIONS" or request.url_rule is None:
        return None
    methods = sorted(request.url_rule.methods or ())
    return Response(status=204, headers={"Allow": ", ".join(methods)})


def _index() -> Any:
    from flask import current_app

    return current_app.send_static_file("index.html")


log = logging.getLogger(__name__)


def _configure_logging(settings: Settings) -> None:
    logger = logging.getLogger("iris_codes")
    logger.setLevel(settings.log_level)
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        if settings.log_format == "json":
            from ..logformat import JsonFormatter

            handler.setFormatter(JsonFormatter(settings.env))
        else:
            handler.setFormatter(
                logging.Formatter(
                    f"%(asctime)s %(levelname)s [{settings.env}] %(name)s: %(message)s"
                )
            )
        logger.addHandler(handler)
