"""AWS Lambda entry point behind API Gateway (REST or HTTP API) or an ALB.

Handler: ``iris_codes.deploy.aws_lambda.handler``. Outside Lambda, importing this module
loads nothing but the standard library. In a Lambda init phase (Lambda then sets
``AWS_LAMBDA_INITIALIZATION_TYPE``) the import also builds the app and warms the engine
(``Service.warm_up``: the engine's modules, word lists, a grammar, the cache tier's
connection): AWS gives the init phase a full vCPU whatever the function's memory, where
the handler gets a share in proportion to it (about 0.58 vCPU at the template's 1 GB),
bills both phases alike, and with provisioned concurrency or SnapStart runs init before
any request arrives. ``IRIS_LAMBDA_WARM=off`` keeps the init phase to the bare import.
Otherwise the app is built by the first invocation and kept for every warm one after
it; Flask loads only for a request that needs it.

Point ``IRIS_CACHE_URL`` at a DynamoDB table (``dynamodb://TABLE?region=REGION``; the
SAM template in ``deploy/aws/`` creates one, on-demand, with TTL) so answers outlive the
execution environment and are shared by all of them, at no cost at rest beyond storage.
Without it the cache lives in ``/tmp``, is lost when Lambda recycles the environment and
is not shared between environments; ``/api/iris/health`` then says so
(``cache.persistent: false`` with a warning), so an operator sees it before users do.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..config import Settings

Handler = Any
#: Where the cache lives when it is not a shared tier: lost with the environment.
EPHEMERAL_HOST = "a Lambda execution environment"

_handler: Handler | None = None
_build_lock = threading.Lock()


def _settings() -> Settings:
    from ..config import Settings

    settings = Settings.from_env(dotenv=False)
    if settings.cache_dir == ".iris":
        # /tmp is the only writable folder in a Lambda execution environment.
        settings = settings.replace(cache_dir=os.environ.get("TMPDIR", "/tmp") + "/iris")
    if "IRIS_METRICS" not in os.environ:
        # Nothing scrapes a function: CloudWatch (IRIS_METRICS=emf) or no metrics at all.
        settings = settings.replace(metrics_sink="off")
    return settings.replace(extra={**settings.extra, "ephemeral_host": EPHEMERAL_HOST})


def _make_handler(*, warm: bool = False) -> Handler:
    """apig-wsgi around the Flask app: API Gateway payload 1.0 and 2.0, and ALB events."""
    from ..errors import ConfigError

    try:
        from apig_wsgi import make_lambda_handler
    except ImportError:
        from ..extras import install_hint

        raise ConfigError(f"The Lambda handler needs apig-wsgi: {install_hint('lambda')}") from None
    from ..web.wsgi import build_core, lean_app

    settings = _settings()
    core = build_core(settings)
    if warm:
        core.service.warm_up()
    # Analyze requests skip Flask (and its import) altogether; see web/wsgi.py.
    return make_lambda_handler(lean_app(settings, core), binary_support=True)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The Lambda handler: builds the app on the first invocation, then reuses it."""
    global _handler
    if _handler is None:
        with _build_lock:
            if _handler is None:
                _handler = _make_handler()
    try:
        reply: dict[str, Any] = _handler(event, context)
    except Exception as exc:
        # The app answers every request itself; what raises here is apig-wsgi reading an
        # event it cannot turn into one (bad base64 with isBase64Encoded, a path outside
        # Latin-1, no headers or requestContext). A 400 in every payload format's shape.
        return malformed_event(exc)
    return reply


def malformed_event(exc: Exception) -> dict[str, Any]:
    """The 400 answer to an event that is no HTTP request (only the error's type is logged)."""
    import json
    import logging

    logging.getLogger(__name__).warning("malformed Lambda event (%s)", type(exc).__name__)
    body = {
        "success": False,
        "error": "The event is not an HTTP request API Gateway or an ALB would send.",
        "code": "malformed_event",
    }
    return {
        "statusCode": 400,
        "headers": {"Content-Type": "application/json", "Cache-Control": "no-store"},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


def _warm_in_init_phase() -> None:
    """Build the handler and warm the engine now, if Lambda is initialising (see above)."""
    global _handler
    if not os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE"):
        return
    try:
        if _settings().lambda_warm == "off":
            return
        _handler = _make_handler(warm=True)
    except Exception as exc:  # the first invocation builds it again and answers the error
        import logging

        logging.getLogger(__name__).warning(
            "warming in the init phase failed (%s); the first request builds the app",
            type(exc).__name__,
        )


_warm_in_init_phase()
