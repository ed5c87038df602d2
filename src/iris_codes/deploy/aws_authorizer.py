"""API Gateway REQUEST authorizer checking ``X-API-Key`` as the app does.

Handler: ``iris_codes.deploy.aws_authorizer.handler``. Accepted: ``IRIS_API_KEY`` (keys in
clear), ``IRIS_API_KEY_HASHES`` (SHA-256 digests; what the SAM template passes, so no key
is stored in the stack) and, when ``IRIS_API_KEYS_FILE`` names one, the keys file that
``iris keys`` manages (re-read when it changes). HTTP APIs (payload 2.0, simple responses)
get ``{"isAuthorized": ...}``; REST APIs get an IAM policy. The app checks the key too, so
the authorizer is a first gate that keeps bad requests off the function (and, with
result caching on the key header, costs one invocation per key per cache period).

It imports only the standard library and IRIS's settings and key modules: no Flask, no
pydantic, so its own cold start stays in the tens of milliseconds.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import Unauthorized
from ..keys import HEADER, Authenticator, KeyStore

_authenticator: Authenticator | None = None


def authenticator_from_env() -> Authenticator:
    """Keys, digests and (when ``IRIS_API_KEYS_FILE`` is set) the keys file."""
    settings = Settings.from_env(dotenv=False)
    explicit_file = os.environ.get("IRIS_API_KEYS_FILE", "").strip()
    store = KeyStore(Path(explicit_file)) if explicit_file else None
    return Authenticator(settings.api_keys, store, settings.api_key_hashes)


def _presented_key(event: dict[str, Any]) -> str | None:
    """The key header's value, or None; odd shapes (a list, numbers) are no key."""
    headers = event.get("headers")
    if not isinstance(headers, dict):
        return None
    wanted = HEADER.lower()
    for name, value in headers.items():
        if isinstance(name, str) and name.lower() == wanted:
            return value if isinstance(value, str) else None
    return None


def is_authorized(
    event: dict[str, Any],
    keys: tuple[str, ...] | None = None,
    *,
    authenticator: Authenticator | None = None,
) -> tuple[bool, str]:
    """Whether the event carries an accepted key, and that key's name.

    ``keys`` checks against those clear keys only; otherwise ``authenticator`` or the one
    the environment describes (built once per execution environment).
    """
    global _authenticator
    if keys is not None:
        authenticator = Authenticator(keys, None)
    elif authenticator is None:
        if _authenticator is None:
            _authenticator = authenticator_from_env()
        authenticator = _authenticator
    if not authenticator.enabled:
        return False, ""  # an authorizer with no keys configured must not open the gate
    try:
        return True, authenticator.check(_presented_key(event)) or ""
    except Unauthorized:
        return False, ""


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """The authorizer's answer in the form the calling API Gateway expects.

    Anything odd denies: an event that is not an object, headers of the wrong shape, and
    (REST) a missing ``methodArn``, since an Allow must name what it allows; never ``*``.
    """
    if not isinstance(event, dict):
        event = {}
    try:
        allowed, key_name = is_authorized(event)
    except Exception as exc:  # fail closed; only the type is logged (no key, no header)
        import logging

        logging.getLogger(__name__).warning("authorizer error (%s); denying", type(exc).__name__)
        allowed, key_name = False, ""
    if event.get("version") == "2.0":
        return {"isAuthorized": allowed, "context": {"keyName": key_name}}
    resource = event.get("methodArn")
    if not isinstance(resource, str) or not resource:
        allowed, resource = False, "*"  # a Deny on everything: nothing to allow
    return {
        "principalId": key_name or "anonymous",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": "execute-api:Invoke",
                    "Effect": "Allow" if allowed else "Deny",
                    "Resource": resource,
                }
            ],
        },
        "context": {"keyName": key_name},
    }
