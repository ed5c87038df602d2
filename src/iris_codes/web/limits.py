"""Per-client request limits: fixed windows counted in the shared cache tier.

Counting in the cache's shared tier (SQLite on one host, Redis across instances) makes the
limit hold across Gunicorn workers and replicas; while that tier is down, each process
counts for itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import RateLimited

if TYPE_CHECKING:
    from ..cache import Cache

# Set on the environ once the fast path has counted a request, so Flask does not again.
COUNTED = "iris.rate_counted"


def client_id(environ: dict[str, Any], key_name: str | None) -> str:
    """Whom a request counts against: its key, else its address.

    The address is ``REMOTE_ADDR``: the socket's peer, or the entry Werkzeug's
    ``ProxyFix`` chose from ``X-Forwarded-For`` when IRIS_TRUSTED_PROXIES is set (counted
    from the right: a client can prepend entries, never append them).
    """
    if key_name:
        return f"key:{key_name}"
    return f"addr:{environ.get('REMOTE_ADDR', '')}"


class RateLimiter:
    """Allows ``limit`` requests per ``window`` seconds to each client."""

    def __init__(
        self,
        limit: int,
        window: float,
        cache: Callable[[], Cache],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.limit = limit
        self.window = window
        self._cache = cache
        self._clock = clock

    def check(self, client: str) -> None:
        """Count one request for ``client``; ``RateLimited`` once it is over the limit."""
        now = self._clock()
        index = int(now // self.window)
        count = self._cache().incr(f"{client}:{index}", self.window)
        if count > self.limit:
            retry_after = (index + 1) * self.window - now
            raise RateLimited(
                f"Rate limit of {self.limit} requests per {self.window:g} s exceeded; "
                f"retry in {max(1, round(retry_after))} s.",
                retry_after=retry_after,
            )
