"""API-key checks for the app: constant-time comparison against every configured key.

The logic lives in ``iris_codes.keys`` (standard library only) so the AWS authorizer can
share it without importing Flask; this module is its name inside the web layer.
"""

from __future__ import annotations

from ..keys import HEADER, Authenticator, authenticate, match_key

__all__ = ["HEADER", "Authenticator", "authenticate", "match_key"]
