"""API-key checks: constant-time comparison against every configured key."""

from __future__ import annotations

import hmac

from ..errors import Unauthorized
from ..keys import KeyStore

HEADER = "X-API-Key"


def authenticate(presented: str | None, keys: tuple[str, ...]) -> str | None:
    """The configured key's name (``key-N``) for ``presented``; None when auth is off.

    Raises ``Unauthorized`` when keys are configured and none matches.
    """
    if not keys:
        return None
    if not presented:
        raise Unauthorized(f"Missing API key: send it in the {HEADER} header.")
    candidate = presented.strip().encode()
    match = None
    # Compare against every key so timing does not reveal which one (or how many) matched.
    for index, key in enumerate(keys, start=1):
        if hmac.compare_digest(candidate, key.encode()) and match is None:
            match = f"key-{index}"
    if match is None:
        raise Unauthorized("Invalid API key.")
    return match


class Authenticator:
    """Keys from the environment and from the ``iris keys`` file, checked together."""

    def __init__(self, env_keys: tuple[str, ...], store: KeyStore) -> None:
        self.env_keys = env_keys
        self.store = store

    @property
    def enabled(self) -> bool:
        return bool(self.env_keys) or bool(self.store.keys())

    def check(self, presented: str | None) -> str | None:
        """The matching key's name; None when auth is off; ``Unauthorized`` otherwise."""
        if not self.store.keys():
            return authenticate(presented, self.env_keys)
        if not presented:
            raise Unauthorized(f"Missing API key: send it in the {HEADER} header.")
        named = self.store.match(presented.strip())
        if named is not None:
            return named
        if self.env_keys:
            return authenticate(presented, self.env_keys)
        raise Unauthorized("Invalid API key.")
