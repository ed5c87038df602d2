"""Deadline, backoff and circuit breaker for calls to an upstream that may fail.

Nothing here knows about OpenAI: the LLM engine classifies its errors and uses
these pieces to decide whether, when and for how long to call again.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Callable, Mapping

Clock = Callable[[], float]


class Deadline:
    """A point in time after which no more work may start."""

    def __init__(self, seconds: float, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self.expires = clock() + seconds

    def remaining(self) -> float:
        """Seconds left, never negative."""
        return max(0.0, self.expires - self._clock())

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0.0


def backoff_delay(
    attempt: int,
    *,
    base: float = 0.25,
    cap: float = 4.0,
    rand: Callable[[float, float], float] = random.uniform,
) -> float:
    """Seconds to wait before retry ``attempt`` (1-based): exponential, "equal jitter"."""
    ceiling = min(cap, base * 2.0 ** (attempt - 1))
    # Half fixed, half random: retries from many threads spread out, yet never fire at once.
    return ceiling / 2 + rand(0.0, ceiling / 2)


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """The wait an upstream asked for via ``retry-after-ms`` or ``Retry-After``, else None."""
    lowered = {key.lower(): value for key, value in headers.items()}
    raw_ms = lowered.get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000)
        except ValueError:
            pass
    raw = lowered.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    parsed = email.utils.parsedate_to_datetime(raw) if _looks_like_date(raw) else None
    if parsed is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, parsed.timestamp() - current)


def _looks_like_date(raw: str) -> bool:
    try:
        return email.utils.parsedate_tz(raw) is not None
    except (TypeError, ValueError):
        return False


class CircuitBreaker:
    """Stops calls after ``threshold`` consecutive failures, for ``cooldown`` seconds.

    States: ``closed`` (calls flow), ``open`` (calls refused until the cool-down ends)
    and ``half_open`` (one trial call; success closes, failure opens again).
    Thread-safe; one breaker guards one upstream within a process.
    """

    def __init__(self, threshold: int = 5, cooldown: float = 30.0, clock: Clock = time.monotonic):
        self.threshold = max(1, threshold)
        self.cooldown = cooldown
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> str:
        with self._lock:
            return self._state()

    def _state(self) -> str:
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at < self.cooldown:
            return "open"
        return "half_open"

    def retry_in(self) -> float:
        """Seconds until the breaker lets a trial call through (0 when it would now)."""
        with self._lock:
            if self._opened_at is None:
                return 0.0
            return max(0.0, self._opened_at + self.cooldown - self._clock())

    def allow(self) -> bool:
        """Whether a call may start now; in half-open state only one trial at a time."""
        with self._lock:
            state = self._state()
            if state == "closed":
                return True
            if state == "open" or self._trial_running:
                return False
            self._trial_running = True
            return True

    def record_success(self) -> None:
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._trial_running = False

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._trial_running or self._failures >= self.threshold:
                self._opened_at = self._clock()
            self._trial_running = False

    def snapshot(self) -> dict[str, object]:
        """State and consecutive failures, for health checks."""
        with self._lock:
            return {"state": self._state(), "consecutive_failures": self._failures}
