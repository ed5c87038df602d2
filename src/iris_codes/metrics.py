"""Process-wide counters, cheap enough for every request.

Counters are kept in memory per process. Each process also publishes its totals to
``<IRIS_CACHE_DIR>/metrics/<pid>.json`` at most every few seconds (atomic rename),
so ``snapshot(merge_dir)`` can sum every Gunicorn worker on the host without any
per-request disk write.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

_PUBLISH_EVERY = 2.0
_lock = threading.Lock()
_counters: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
_publish_dir: Path | None = None
_last_publish = 0.0


def inc(name: str, amount: float = 1.0, **labels: str) -> None:
    """Add ``amount`` to the counter ``name`` with ``labels``."""
    key = (name, tuple(sorted(labels.items())))
    with _lock:
        _counters[key] = _counters.get(key, 0.0) + amount
    if _publish_dir is not None and time.monotonic() - _last_publish > _PUBLISH_EVERY:
        publish()


def publish_to(directory: Path | None) -> None:
    """Publish this process's counters to ``directory`` from now on (None: stop)."""
    global _publish_dir
    _publish_dir = directory
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)


def publish() -> None:
    """Write this process's counters to its file in the publish folder, atomically."""
    global _last_publish
    directory = _publish_dir
    if directory is None:
        return
    _last_publish = time.monotonic()
    rows = _rows(local_counters())
    target = directory / f"{os.getpid()}.json"
    temp = target.with_suffix(".tmp")
    try:
        temp.write_text(json.dumps(rows))
        temp.replace(target)
    except OSError:
        pass  # metrics are best effort; a full disk must not fail a request


def local_counters() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with _lock:
        return dict(_counters)


def reset() -> None:
    """Forget every counter (tests)."""
    with _lock:
        _counters.clear()


def _rows(counters: dict[tuple[str, tuple[tuple[str, str], ...]], float]) -> list[Any]:
    return [[name, dict(labels), value] for (name, labels), value in counters.items()]


def snapshot() -> dict[str, float]:
    """Totals of every counter across this host's processes, keyed ``name{label="v"}``."""
    merged: dict[str, float] = {}
    rows: list[Any] = _rows(local_counters())
    directory = _publish_dir
    if directory is not None:
        publish()
        rows = []
        for path in directory.glob("*.json"):
            try:
                rows.extend(json.loads(path.read_text()))
            except (OSError, ValueError):
                continue
    for name, labels, value in rows:
        merged[_series(name, labels)] = merged.get(_series(name, labels), 0.0) + float(value)
    return dict(sorted(merged.items()))


def _series(name: str, labels: dict[str, str]) -> str:
    if not labels:
        return name
    inner = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    return f"{name}{{{inner}}}"


def prometheus_text(values: dict[str, float]) -> str:
    """The Prometheus text exposition of ``snapshot()``."""
    lines = []
    for series, value in values.items():
        shown = int(value) if value.is_integer() else value
        lines.append(f"iris_{series} {shown}")
    return "\n".join(lines) + "\n"
