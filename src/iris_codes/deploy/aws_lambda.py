"""AWS Lambda entry point behind API Gateway (REST or HTTP API) or an ALB.

Handler: ``iris_codes.deploy.aws_lambda.handler``. The app is built once per execution
environment, at import, so warm invocations pay nothing; engines and the cache still load
on first use. Point ``IRIS_CACHE_URL`` at Redis so answers outlive the environment; without
it the cache lives in ``/tmp`` and is lost when Lambda recycles the environment.
"""

from __future__ import annotations

import os
from typing import Any

from ..config import Settings
from ..errors import ConfigError
from ..web import create_app


def _settings() -> Settings:
    settings = Settings.from_env(dotenv=False)
    if settings.cache_dir == ".iris":
        # /tmp is the only writable folder in a Lambda execution environment.
        settings = settings.replace(cache_dir=os.environ.get("TMPDIR", "/tmp") + "/iris")
    return settings


def _make_handler() -> Any:
    try:
        from apig_wsgi import make_lambda_handler
    except ImportError:
        raise ConfigError(
            "The Lambda handler needs apig-wsgi: pip install 'iris-codes[lambda]'"
        ) from None
    return make_lambda_handler(create_app(_settings()), binary_support=True)


handler = _make_handler()
