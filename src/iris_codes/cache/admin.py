"""What ``iris cache init | stats | prune | clear`` do, as functions returning data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import COUNTER_NAMES, Tier, hit_rate

if TYPE_CHECKING:
    from ..config import Settings


def cache_init(settings: Settings) -> dict[str, Any]:
    """Create what the shared tier needs (the DynamoDB table, the SQLite schema)."""
    from . import open_shared_tier

    tier = open_shared_tier(settings)
    if tier is None:
        return {**_memory_only(), "created": False}
    try:
        return {"tier": tier.name, "location": tier.describe(), **tier.init()}
    finally:
        tier.close()


def cache_stats(settings: Settings) -> dict[str, Any]:
    """Entries, bytes, oldest entry and hit rates of the shared tier, over every process."""
    tier = _open(settings)
    if tier is None:
        return _memory_only()
    try:
        stats = tier.stats()
    finally:
        tier.close()
    persisted = stats.pop("counters", {})
    stats.pop("path", None)  # shown as location
    stats.pop("url", None)
    counters = {name: int(persisted.get(name, 0)) for name in COUNTER_NAMES}
    hits = counters["hits_memory"] + counters["hits_shared"]
    return {
        "tier": tier.name,
        "location": tier.describe(),
        **stats,
        "hits": {"memory": counters["hits_memory"], tier.name: counters["hits_shared"]},
        "misses": counters["misses"],
        "errors": counters["errors"],
        "hit_rate": hit_rate(hits, counters["misses"]),
        "hit_rate_by_tier": {
            "memory": hit_rate(
                counters["hits_memory"], hits - counters["hits_memory"] + counters["misses"]
            ),
            # The shared tier sees only what the memory tier missed: its hits and misses.
            tier.name: hit_rate(counters["hits_shared"], counters["misses"]),
        },
    }


def cache_prune(settings: Settings) -> dict[str, Any]:
    """Remove expired entries and stale locks and enforce the size cap."""
    tier = _open(settings)
    if tier is None:
        return {**_memory_only(), "expired": 0, "evicted": 0}
    try:
        return {"tier": tier.name, "location": tier.describe(), **tier.prune()}
    finally:
        tier.close()


def cache_clear(settings: Settings) -> dict[str, Any]:
    """Remove every entry (running servers drop their memory copies within the hour)."""
    tier = _open(settings)
    if tier is None:
        return {**_memory_only(), "removed": 0}
    try:
        return {"tier": tier.name, "location": tier.describe(), "removed": tier.clear()}
    finally:
        tier.close()


def _open(settings: Settings) -> Tier | None:
    from . import open_shared_tier

    tier = open_shared_tier(settings)
    if tier is not None:
        tier.ping()  # raises CacheError with a readable reason
    return tier


def _memory_only() -> dict[str, Any]:
    return {
        "tier": "memory",
        "location": "memory://",
        "note": "memory-only cache: each server process keeps its own; nothing shared to inspect",
    }
