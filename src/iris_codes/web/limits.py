"""Per-client request limits: fixed windows counted in the shared cache tier.

Two limits, because only one kind of request costs money: ``IRIS_RATE_LIMIT`` counts
analyses that reach an engine, ``IRIS_RATE_LIMIT_HITS`` counts answers served from the
cache. Counting in the cache's shared tier (SQLite on one host, Redis or DynamoDB across
instances) makes each limit hold across Gunicorn workers and replicas; while that tier is
down, each process counts for itself.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import RateLimited

if TYPE_CHECKING:
    from ..cache import Cache


def client_id(environ: dict[str, Any], key_name: str | None) -> str:
    """Whom a request counts against: its key, else its address.

    The address is ``REMOTE_ADDR``: the socket's peer, or the entry Werkzeug's
    ``ProxyFix`` chose from ``X-Forwarded-For`` when IRIS_TRUSTED_PROXIES is set (counted
    from the right: a client can prepend entries, never append them).
    """
    if key_name:
        return f"key:{key_name}"
    return f"addr:{environ.get('REMOTE_ADDR', '')}"


class Quota(NamedTuple):
    """Where a client stands in its window, as the X-RateLimit-* headers say it."""

    limit: int
    remaining: int
    reset: int  # seconds until the window starts again

    def headers(self) -> list[tuple[str, str]]:
        return [
            ("X-RateLimit-Limit", str(self.limit)),
            ("X-RateLimit-Remaining", str(self.remaining)),
            ("X-RateLimit-Reset", str(self.reset)),
        ]


class RateLimiter:
    """Allows ``limit`` requests per ``window`` seconds to each client."""

    def __init__(
        self,
        limit: int,
        window: float,
        cache: Callable[[], Cache],
        clock: Callable[[], float] = time.time,
        *,
        kind: str = "analyses",
    ) -> None:
        self.limit = limit
        self.window = window
        self.kind = kind
        self._cache = cache
        self._clock = clock

    def check(self, client: str) -> Quota:
        """Count one request for ``client``; its quota, or ``RateLimited`` past the limit."""
        now = self._clock()
        key, retry_after = self._window(client, now)
        count = self._cache().incr(key, self.window)
        quota = Quota(self.limit, max(0, self.limit - count), max(1, math.ceil(retry_after)))
        if count > self.limit:
            raise RateLimited(
                f"Rate limit of {self.limit} {self.kind} per {self.window:g} s exceeded; "
                f"retry in {quota.reset} s.",
                retry_after=retry_after,
                quota_headers=quota.headers(),
            )
        return quota

    def peek(self, client: str) -> Quota:
        """``client``'s quota without counting a request (for answers refused before)."""
        now = self._clock()
        key, retry_after = self._window(client, now)
        count = self._cache().count(key)
        return Quota(self.limit, max(0, self.limit - count), max(1, math.ceil(retry_after)))

    def _window(self, client: str, now: float) -> tuple[str, float]:
        """The counter key of ``client``'s current window, and the seconds left in it."""
        index = int(now // self.window)
        return f"{self.kind}:{client}:{index}", (index + 1) * self.window - now
