"""API Gateway REQUEST authorizer checking ``X-API-Key`` against ``IRIS_API_KEY``.

Handler: ``iris_codes.deploy.aws_authorizer.handler``. HTTP APIs (payload 2.0, simple
responses) get ``{"isAuthorized": ...}``; REST APIs get an IAM policy. The app checks the
key too, so the authorizer is an optional first gate that keeps bad requests off Lambda.
"""

from __future__ import annotations

from typing import Any

from ..config import Settings
from ..errors import Unauthorized
from ..web.auth import HEADER, authenticate

_KEYS = Settings.from_env(dotenv=False).api_keys


def _presented_key(event: dict[str, Any]) -> str | None:
    headers = event.get("headers") or {}
    wanted = HEADER.lower()
    return next((value for name, value in headers.items() if name.lower() == wanted), None)


def is_authorized(event: dict[str, Any], keys: tuple[str, ...] | None = None) -> tuple[bool, str]:
    """Whether the event carries an accepted key, and that key's name."""
    keys = _KEYS if keys is None else keys
    if not keys:
        return False, ""  # an authorizer with no keys configured must not open the gate
    try:
        return True, authenticate(_presented_key(event), keys) or ""
    except Unauthorized:
        return False, ""


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """The authorizer's answer in the form the calling API Gateway expects."""
    allowed, key_name = is_authorized(event)
    if event.get("version") == "2.0":
        return {"isAuthorized": allowed, "context": {"keyName": key_name}}
    return {
        "principalId": key_name or "anonymous",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": "execute-api:Invoke",
                    "Effect": "Allow" if allowed else "Deny",
                    "Resource": event.get("methodArn", "*"),
                }
            ],
        },
        "context": {"keyName": key_name},
    }
