"""One log line per request: id, method, path, status, milliseconds, key name. Never payloads.

No Flask here: the fast path and the Lambda handler write these lines without loading it.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
from typing import Any

log = logging.getLogger("iris_codes.web.access")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# A per-process prefix and a counter: unique per host, far cheaper than uuid4 per request.
_PREFIX = os.urandom(4).hex()
_COUNTER = itertools.count(1)


def _new_process() -> None:
    # Gunicorn forks its workers from a master that has imported this module: each must
    # draw its own prefix, or two workers hand out the same ids.
    global _PREFIX, _COUNTER
    _PREFIX = os.urandom(4).hex()
    _COUNTER = itertools.count(1)


os.register_at_fork(after_in_child=_new_process)


def request_id(presented: str | None) -> str:
    """The client's X-Request-ID when it is a sane token, else a fresh one."""
    if presented and _REQUEST_ID.fullmatch(presented):
        return presented
    return f"{_PREFIX}{next(_COUNTER):08x}"


def log_request(
    method: str,
    path: str,
    status: int,
    elapsed_ms: float,
    rid: str,
    key_name: str | None,
    answer: dict[str, Any] | None = None,
) -> None:
    """Write the access log line for one request (``answer``: the analysis metadata)."""
    if log.isEnabledFor(logging.INFO):
        fields: dict[str, Any] = {
            "request_id": rid, "method": method, "path": path, "status": status,
            "latency_ms": round(elapsed_ms, 3), "key": key_name,
        }  # fmt: skip
        for name in _ANSWER_FIELDS:
            if answer and name in answer:
                fields[name] = answer[name]
        log.info(
            "%s %s %s %.1fms rid=%s key=%s",
            method, path, status, elapsed_ms, rid, key_name or "-", extra=fields,
        )  # fmt: skip


_ANSWER_FIELDS = (
    "engine", "cache_hit", "input_tokens", "output_tokens", "estimated_cost_usd", "degraded",
)  # fmt: skip


def should_log(mode: str, status: int, cache_hit: bool) -> bool:
    """Whether IRIS_ACCESS_LOG=``mode`` logs this request (``work`` skips plain cache hits)."""
    return mode == "all" or (mode == "work" and not (cache_hit and status == 200))
