"""Two-tier cache: an in-process LRU in front of SQLite (default), Redis or DynamoDB.

cache = open_cache(settings)
cache.get(key) / cache.set(key, value)     # never raise
token = cache.try_lock(key, ttl)           # single-flight across processes
cache.unlock(key, token)
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ConfigError
from .base import Tier
from .memory import MemoryTier
from .tiered import Breaker, Cache

if TYPE_CHECKING:
    from ..config import Settings

__all__ = ["Breaker", "Cache", "MemoryTier", "Tier", "open_cache", "open_shared_tier"]


def open_cache(settings: Settings) -> Cache:
    """The cache the settings describe; shared-tier faults degrade, never raise."""
    memory = MemoryTier(settings.memory_cache_entries, settings.memory_cache_bytes)
    shared = open_shared_tier(settings)
    return Cache(memory, shared, ttl=settings.cache_ttl, volatile=volatile_note(settings, shared))


def volatile_note(settings: Settings, shared: Tier | None) -> str | None:
    """Why the cache will not outlive this host, where the platform says it will not.

    A Lambda execution environment (``settings.extra["ephemeral_host"]``) keeps ``/tmp``
    only while it lives, and each environment has its own: a SQLite or memory cache there
    is lost between environments, so health says so.
    """
    where = settings.extra.get("ephemeral_host")
    if not where or (shared is not None and shared.name != "sqlite"):
        return None
    kept = "in this process's memory only" if shared is None else f"in {shared.describe()}"
    return (
        f"cache does not persist: it is kept {kept}, which {where} discards; "
        "set IRIS_CACHE_URL=dynamodb://TABLE?region=REGION to share and keep answers"
    )


def open_shared_tier(settings: Settings) -> Tier | None:
    """The shared tier named by ``cache_url`` (None for memory only); no I/O yet."""
    url = settings.cache_url or f"sqlite://{default_sqlite_path(settings)}"
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if not sep:
        raise ConfigError(
            "IRIS_CACHE_URL must look like sqlite:///path, redis://host:port/db "
            "or dynamodb://TABLE?region=REGION"
        )
    if scheme == "sqlite":
        from .sqlite import SqliteTier

        if not rest.startswith("/"):
            raise ConfigError("IRIS_CACHE_URL sqlite path must be absolute: sqlite:///abs/path.db")
        return SqliteTier(Path("/" + rest.lstrip("/")), settings.cache_max_bytes)
    if scheme in ("redis", "rediss", "unix"):
        from .redis import RedisTier

        return RedisTier(url)
    if scheme == "dynamodb":
        from .dynamodb import DynamoDBTier

        return DynamoDBTier.from_url(url)
    if scheme == "memory":
        return None
    raise ConfigError(
        f"IRIS_CACHE_URL scheme {scheme!r} is not supported; "
        "use sqlite://, redis://, dynamodb:// or memory://"
    )


def default_sqlite_path(settings: Settings) -> Path:
    """``<cache_dir>/cache.sqlite3`` as an absolute path."""
    return (Path(settings.cache_dir) / "cache.sqlite3").absolute()
