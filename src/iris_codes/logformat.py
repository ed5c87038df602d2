"""Log lines as JSON objects (``IRIS_LOG_FORMAT=json``), one per line.

Structured fields come from ``extra=`` at the edge (the access log adds request id, key
name, status, latency, engine, cache hit, tokens and cost); only fields named here are
written, so nothing a caller did not mean to log (a payload) can slip into a line.
"""

from __future__ import annotations

import json
import logging
import time

FIELDS = (
    "request_id", "method", "path", "status", "latency_ms", "key", "engine", "cache_hit",
    "input_tokens", "output_tokens", "estimated_cost_usd", "degraded",
)  # fmt: skip


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, then known fields."""

    def __init__(self, env: str) -> None:
        super().__init__()
        self.env = env

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "env": self.env,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, separators=(",", ":"), default=str)
