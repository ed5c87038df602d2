"""CloudWatch Embedded Metric Format: one JSON log line per analyze answer (Lambda).

With ``IRIS_METRICS=emf`` each answer writes a line to stdout that CloudWatch Logs turns
into metrics without an agent or an API call (the Lambda runtime ships stdout to
CloudWatch). The line holds the metric values as top-level members and describes them
under ``_aws.CloudWatchMetrics``, as the specification requires; it never holds source
or keys.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any, TextIO

NAMESPACE = "IRIS"
DIMENSIONS = ("Engine", "CacheHit")
_UNITS = {
    "Requests": "Count",
    "Latency": "Milliseconds",
    "Degraded": "Count",
    "InputTokens": "Count",
    "OutputTokens": "Count",
    "EstimatedCostUSD": "None",
}


def emf_record(
    status: int, latency_ms: float, metadata: dict[str, Any], env: str, request_id: str
) -> dict[str, Any]:
    """The EMF object for one answer (``metadata``: the answer's, empty for an error)."""
    values: dict[str, float] = {
        "Requests": 1,
        "Latency": round(latency_ms, 3),
        "Degraded": 1 if metadata.get("degraded") else 0,
        "InputTokens": float(metadata.get("input_tokens") or 0),
        "OutputTokens": float(metadata.get("output_tokens") or 0),
        "EstimatedCostUSD": float(metadata.get("estimated_cost_usd") or 0),
    }
    return {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": NAMESPACE,
                    "Dimensions": [list(DIMENSIONS)],
                    "Metrics": [{"Name": name, "Unit": unit} for name, unit in _UNITS.items()],
                }
            ],
        },
        "Engine": str(metadata.get("engine", "none")),
        "CacheHit": str(int(bool(metadata.get("cache_hit")))),
        **values,
        "Status": status,
        "Environment": env,
        "RequestId": request_id,
    }


def emit(record: dict[str, Any], stream: TextIO | None = None) -> None:
    """Write ``record`` as one line (stdout by default)."""
    out = stream or sys.stdout
    out.write(json.dumps(record, separators=(",", ":")) + "\n")
    out.flush()
