"""The parts every front door shares, and the WSGI middleware stack around the Flask app.

The stack, outermost first: bounded body drain → security headers → trusted proxies →
the analyze fast path → Flask. Nothing here imports Flask: ``lean_app`` (the Lambda
handler's app) answers analyze requests through the fast path and builds the Flask app
only when the first request that needs it arrives (health, the page, an error).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

import msgspec

from .. import metrics
from ..config import Settings
from ..keys import KeyStore
from ..service import Service
from .auth import Authenticator
from .drain import DrainBody
from .fastpath import FastPath
from .headers import SecurityHeaders
from .limits import RateLimiter
from .pipeline import AnalyzePipeline

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
log = logging.getLogger("iris_codes.web.app")


class Core(msgspec.Struct, frozen=True):
    """Settings, service, authenticator and pipeline: built once per process."""

    settings: Settings
    service: Service
    authenticator: Authenticator
    pipeline: AnalyzePipeline


def build_core(settings: Settings, service: Service | None = None) -> Core:
    """The shared parts for ``settings``; logging is configured and auth stated once."""
    service = service or Service(settings)
    authenticator = Authenticator(
        settings.api_keys, KeyStore(settings.keys_path), settings.api_key_hashes
    )
    pipeline = AnalyzePipeline(
        service,
        authenticator,
        max_metadata_bytes=settings.max_metadata_bytes,
        access_log=settings.access_log,
        emf_env=settings.env if settings.metrics_sink == "emf" else None,
        engine_limit=_limiter(settings.rate_limit, service, "analyses"),
        hit_limit=_limiter(settings.rate_limit_hits, service, "cache hits"),
    )
    _configure_logging(settings)
    metrics.configure(settings.metrics_sink)
    log.info("%s", authenticator.describe())
    return Core(settings, service, authenticator, pipeline)


def wrap(app: WSGIApp, core: Core) -> WSGIApp:
    """``app`` inside the middleware stack described above."""
    settings = core.settings
    app = FastPath(app, core.pipeline, max_bytes=settings.max_source_bytes)
    if settings.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app = ProxyFix(app, x_for=settings.trusted_proxies)
    return DrainBody(SecurityHeaders(app, settings.cors_origins))


def lean_app(settings: Settings, core: Core | None = None) -> WSGIApp:
    """The whole service as WSGI, with Flask loaded on first need (see above)."""
    core = core or build_core(settings)

    def build() -> WSGIApp:
        from .app import flask_app

        return flask_app(core)

    return wrap(_Deferred(build), core)


class _Deferred:
    """A WSGI app built by its first request (once, whichever thread gets there first)."""

    def __init__(self, build: Callable[[], WSGIApp]) -> None:
        self._build = build
        self._app: WSGIApp | None = None
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if self._app is None:
            with self._lock:
                if self._app is None:
                    self._app = self._build()
        return self._app(environ, start_response)


def _limiter(rate: tuple[int, float] | None, service: Service, kind: str) -> RateLimiter | None:
    if rate is None:
        return None
    limit, window = rate
    return RateLimiter(limit, window, lambda: service.cache, kind=kind)


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
