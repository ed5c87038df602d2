"""Process metrics through prometheus-client, cheap enough for every request.

Call sites name a metric and its labels (``inc("requests_total", engine=..., ...)``); the
family is created on first use with the ``iris_`` prefix and the help text below. Under
``iris serve`` the ``PROMETHEUS_MULTIPROC_DIR`` environment variable (set by the CLI to
``IRIS_CACHE_DIR/prometheus`` before any worker starts) puts prometheus-client in its
multiprocess mode, so a scrape answered by one Gunicorn worker counts every worker's
requests. prometheus-client is imported on first use, keeping start-up light.

``IRIS_METRICS=emf`` (CloudWatch, through ``emf.py``) and ``off`` record nothing here:
nothing can scrape a Lambda function, and loading prometheus-client would cost every cold
start about 20 ms for series no one reads.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

log = logging.getLogger(__name__)
PREFIX = "iris_"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30)

HELP = {
    "requests_total": "Analyze answers by engine and cache hit.",
    "http_requests_total": "HTTP requests by route and status.",
    "analyze_seconds": "Analyze latency in seconds by engine and cache hit.",
    "in_flight_analyses": "Analyses running an engine right now.",
    "rate_limited_total": "Requests refused by a rate limit, by limit.",
    "degraded_total": "Answers from a fallback, by reason.",
    "analyses_total": "Engine analyses completed, by engine.",
    "engine_seconds_total": "Seconds spent in engines, by engine.",
    "engine_errors_total": "Engine failures with no fallback, by engine and code.",
    "single_flight_waits_total": "Requests that waited for an identical analysis.",
    "cache_hits_total": "Cache hits by tier.",
    "cache_misses_total": "Cache misses.",
    "cache_errors_total": "Cache tier faults by tier.",
    "llm_calls_total": "LLM calls by API.",
    "llm_errors_total": "LLM failures by reason.",
    "llm_input_tokens_total": "LLM input tokens.",
    "llm_cached_input_tokens_total": "LLM input tokens served from the provider's cache.",
    "llm_output_tokens_total": "LLM output tokens.",
    "llm_cost_usd_total": "Estimated LLM cost in US dollars.",
}

_lock = threading.Lock()
_recording = True
_families: dict[str, Any] = {}
# (name, label items) → the labelled child: a cache hit touches a few series, and
# prometheus-client's ``labels()`` lookup would cost about as much as the increment.
_children: dict[tuple[str, tuple[tuple[str, str], ...]], Any] = {}


def configure(sink: str) -> None:
    """Record series for Prometheus only when ``sink`` (IRIS_METRICS) is ``prometheus``."""
    global _recording
    _recording = sink == "prometheus"


def recording() -> bool:
    """Whether this process records Prometheus series (see ``configure``)."""
    return _recording


def inc(name: str, amount: float = 1.0, **labels: str) -> None:
    """Add ``amount`` to the counter ``name`` with ``labels``."""
    child = _child("Counter", name, labels)
    if child is not None:
        child.inc(amount)


def observe(name: str, value: float, **labels: str) -> None:
    """Record ``value`` in the histogram ``name`` (latency buckets, in seconds)."""
    child = _child("Histogram", name, labels)
    if child is not None:
        child.observe(value)


def add(name: str, delta: float, **labels: str) -> None:
    """Move the gauge ``name`` by ``delta`` (summed over live workers)."""
    child = _child("Gauge", name, labels)
    if child is not None:
        child.inc(delta)


def _child(kind: str, name: str, labels: dict[str, str]) -> Any:
    if not _recording:
        return None
    key = (name, tuple(labels.items()))
    child = _children.get(key)
    if child is None:
        family = _family(kind, name, tuple(sorted(labels)))
        if family is None:
            return None
        child = family.labels(**labels) if labels else family
        _children[key] = child
    return child


def _family(kind: str, name: str, labelnames: tuple[str, ...]) -> Any:
    family = _families.get(name)
    if family is not None:
        return family
    import prometheus_client

    with _lock:
        family = _families.get(name)
        if family is None:
            options: dict[str, Any] = {"labelnames": labelnames}
            if kind == "Histogram":
                options["buckets"] = LATENCY_BUCKETS
            if kind == "Gauge":
                options["multiprocess_mode"] = "livesum"
            factory = getattr(prometheus_client, kind)
            try:
                family = factory(PREFIX + name, HELP.get(name, name), **options)
            except ValueError:  # registered under other labels: a bug, never a failed request
                log.warning("metric %s could not be registered", name)
                return None
            _families[name] = family
    return family


def _registry() -> Any:
    import prometheus_client
    from prometheus_client import multiprocess

    if not os.environ.get(MULTIPROC_ENV):
        return prometheus_client.REGISTRY
    registry = prometheus_client.CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


def exposition() -> tuple[bytes, str]:
    """The Prometheus text exposition of every worker's metrics, and its content type."""
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    return generate_latest(_registry()), CONTENT_TYPE_LATEST


def snapshot() -> dict[str, float]:
    """Counter and gauge totals keyed ``name{label="v"}`` without the ``iris_`` prefix."""
    values: dict[str, float] = {}
    for family in _registry().collect():
        if family.type not in ("counter", "gauge") or not family.name.startswith(PREFIX):
            continue
        for sample in family.samples:
            if sample.name.endswith("_created"):
                continue
            series = sample.name[len(PREFIX) :]
            if sample.labels:
                inner = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
                series = f"{series}{{{inner}}}"
            values[series] = values.get(series, 0.0) + float(sample.value)
    return dict(sorted(values.items()))


def reset() -> None:
    """Forget every metric and record again (tests): each family starts again at zero."""
    global _recording
    _recording = True
    if not _families:
        return
    import prometheus_client

    with _lock:
        for family in _families.values():
            prometheus_client.REGISTRY.unregister(family)
        _families.clear()
        _children.clear()


def prepare_multiprocess(directory: str) -> None:
    """Point this process and its future workers at ``directory``, emptied (``iris serve``)."""
    os.makedirs(directory, exist_ok=True)
    for entry in os.scandir(directory):
        if entry.name.endswith(".db"):
            os.unlink(entry.path)
    os.environ[MULTIPROC_ENV] = directory


def worker_exited(pid: int) -> None:
    """Drop a dead worker's live gauges (Gunicorn's ``child_exit`` hook)."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
