"""The HTTP layer: app factory, routes, auth, limits, errors and the OpenAPI spec."""

from .app import create_app

__all__ = ["create_app"]
