"""Run the app under Gunicorn with threaded workers, configured from Settings."""

from __future__ import annotations

import logging
import threading
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from ..config import Settings
from .worker import receiving_worker


def gunicorn_options(settings: Settings) -> dict[str, Any]:
    """Gunicorn settings for IRIS: threaded workers, since LLM calls wait on I/O."""
    options = {
        "bind": f"{settings.host}:{settings.port}",
        "workers": settings.workers,
        "threads": settings.threads,
        # gthread, receiving each request whole in its event loop first (worker.py).
        "worker_class": receiving_worker(settings.read_timeout, settings.max_source_bytes),
        # Connections per worker, those being received included (Gunicorn's default).
        "worker_connections": 1000,
        # Every analysis ends within its budget (structural) or deadline (LLM); a worker
        # silent for longer than the larger of the two plus slack is stuck, so restart it.
        "timeout": int(max(settings.llm_deadline, settings.structural_budget)) + 15,
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": None,
        "logger_class": QuietAccessLogger,
        "errorlog": "-",
        "loglevel": settings.log_level.lower(),
        "proc_name": "iris",
        "forwarded_allow_ips": "127.0.0.1,::1",
        # Several servers on one host would fight over the one default socket path.
        "control_socket_disable": True,
        # Build the app once in the master and fork it: workers start serving at once
        # instead of each importing Flask and the service again (about half of the time
        # from `iris serve` to the first answer). Nothing in the app holds a connection,
        # thread or file before its first request, so forking it is safe.
        "preload_app": True,
        "post_worker_init": _warm_up_in_background,
        "child_exit": _child_exit,
    }
    if settings.log_format == "json":
        options["logconfig_dict"] = _json_logging(settings)
    return options


class QuietAccessLogger(Logger):  # type: ignore[misc]
    """Gunicorn's logger without its access log.

    IRIS writes its own access lines (web/accesslog.py), which honour IRIS_ACCESS_LOG and
    never carry a query string; Gunicorn's turned itself on with any logging config (so
    with IRIS_LOG_FORMAT=json) and logged ``?api_key=...`` in clear.
    """

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        return None


def _json_logging(settings: Settings) -> dict[str, Any]:
    """Gunicorn's own lines (start, workers, errors) as JSON, like IRIS's (logformat.py)."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    logger = {"handlers": ["json"], "propagate": False}
    return {
        "formatters": {"json": {"()": "iris_codes.logformat.JsonFormatter", "env": settings.env}},
        "handlers": {"json": handler},
        # IRIS's loggers get their own handler (web/wsgi.py) only while the root has none.
        "root": {"level": "WARNING", "handlers": []},
        "loggers": {
            "gunicorn.error": {**logger, "level": settings.log_level},
        },
    }


# Loading the engine holds the GIL for a few hundred ms: started at once it doubled the
# time to the first health answer (642 vs 538 ms in bench/cold_start.py), while an analysis
# arriving first loads the engine itself either way. So the readiness probe goes first.
WARM_UP_DELAY = 1.0


def _warm_up_in_background(worker: Any) -> None:
    """Warm the worker's service shortly after boot, without delaying its first answers."""
    service = worker.wsgi.extensions.get("iris") if hasattr(worker.wsgi, "extensions") else None
    if service is not None:
        timer = threading.Timer(WARM_UP_DELAY, _warm_up, args=(service,))
        timer.name, timer.daemon = "iris-warm-up", True
        timer.start()


def _child_exit(server: Any, worker: Any) -> None:
    from ..metrics import worker_exited

    worker_exited(worker.pid)


def _warm_up(service: Any) -> None:
    try:
        service.warm_up()
    except Exception:  # warming is an optimisation; the first request will retry for real
        logging.getLogger(__name__).warning("warm-up failed; continuing cold", exc_info=False)


def _write_json_error(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """Gunicorn's answer to malformed HTTP, in IRIS's JSON error shape instead of HTML."""
    import json

    from gunicorn import util

    body = json.dumps(
        {
            "success": False,
            "error": f"{reason}: {mesg}" if mesg else reason,
            "code": reason.lower().replace(" ", "_"),
        }
    ).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\r\n"
    ).encode("latin1")
    util.write_nonblock(sock, head + body)


def _use_json_errors() -> None:
    # Gunicorn writes these pages itself, before any application code runs, through this
    # one module function (gunicorn.workers.base calls util.write_error): replacing it is
    # the only hook it offers short of copying its whole Worker.handle_error.
    from gunicorn import util
    from gunicorn.http.errors import ParseException

    from ..web.body import add_read_errors

    util.write_error = _write_json_error
    # A bad chunked body surfaces while the app reads it: a 400, not a 500.
    add_read_errors(ParseException)


class IrisGunicorn(BaseApplication):  # type: ignore[misc]
    """Gunicorn application whose workers each build the app with ``create_app``."""

    def __init__(self, settings: Settings, overrides: dict[str, Any] | None = None) -> None:
        _use_json_errors()
        self.settings = settings
        self.options = {**gunicorn_options(settings), **(overrides or {})}
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            # Settings this Gunicorn release does not know are skipped, not fatal.
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self) -> Any:
        from ..web import create_app

        return create_app(self.settings)


def serve(settings: Settings, overrides: dict[str, Any] | None = None) -> None:
    """Run Gunicorn in the foreground until it is stopped."""
    IrisGunicorn(settings, overrides).run()
