"""The HTTP layer: app factory, routes, auth, limits, errors and the OpenAPI spec.

``create_app`` loads Flask, so it is imported on first use: the Lambda handler's lean app
(``web.wsgi``) lives in this package and answers analyses without Flask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
