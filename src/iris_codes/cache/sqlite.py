"""The SQLite shared tier: one file shared by every worker process on a host.

WAL mode lets readers run alongside one writer; each thread keeps its own
connection; every write is one statement or one transaction, so a process killed
mid-write leaves each entry whole or absent.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import CacheError
from .base import COUNTER_NAMES, Clock, Tier, checksum, new_token

logger = logging.getLogger(__name__)

#: Seconds a statement waits for another process's write before giving up.
BUSY_TIMEOUT = 1.0
#: Seconds between access-time updates of one entry; LRU order needs no finer grain
#: and a write on every hit would serialise readers behind the write lock.
ACCESS_RESOLUTION = 60.0
#: Eviction trims to this share of the cap, so it runs rarely rather than every set.
EVICT_TO = 0.9
#: Tries to switch a new file to WAL while other processes open it too.
INIT_ATTEMPTS = 20

SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    key TEXT PRIMARY KEY,
    value BLOB NOT NULL,
    checksum INTEGER NOT NULL,
    size INTEGER NOT NULL,
    created REAL NOT NULL,
    expires REAL NOT NULL,
    accessed REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_accessed ON entries (accessed);
CREATE INDEX IF NOT EXISTS entries_expires ON entries (expires);
CREATE TABLE IF NOT EXISTS locks (
    key TEXT PRIMARY KEY,
    token TEXT NOT NULL,
    expires REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS rates (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    expires REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT OR IGNORE INTO counters (name, value) VALUES ('bytes', 0);
CREATE TRIGGER IF NOT EXISTS entries_insert AFTER INSERT ON entries BEGIN
    UPDATE counters SET value = value + new.size WHERE name = 'bytes';
END;
CREATE TRIGGER IF NOT EXISTS entries_delete AFTER DELETE ON entries BEGIN
    UPDATE counters SET value = value - old.size WHERE name = 'bytes';
END;
CREATE TRIGGER IF NOT EXISTS entries_update AFTER UPDATE OF size ON entries BEGIN
    UPDATE counters SET value = value + new.size - old.size WHERE name = 'bytes';
END;
"""

_UPSERT = """
INSERT INTO entries (key, value, checksum, size, created, expires, accessed)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (key) DO UPDATE SET
    value = excluded.value, checksum = excluded.checksum, size = excluded.size,
    created = excluded.created, expires = excluded.expires, accessed = excluded.accessed
"""

_INCR = """
INSERT INTO rates (key, count, expires) VALUES (?, 1, ?)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN rates.expires <= ? THEN 1 ELSE rates.count + 1 END,
    expires = CASE WHEN rates.expires <= ? THEN excluded.expires ELSE rates.expires END
RETURNING count
"""

_LOCK = """
INSERT INTO locks (key, token, expires) VALUES (?, ?, ?)
ON CONFLICT (key) DO UPDATE SET token = excluded.token, expires = excluded.expires
WHERE locks.expires <= ?
"""


class SqliteTier(Tier):
    """Entries in one SQLite file with TTL, a byte cap and least-recently-used eviction."""

    name = "sqlite"

    def __init__(self, path: Path, max_bytes: int, *, clock: Clock = time.time) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self._clock = clock
        self._local = threading.local()
        self._conns: list[sqlite3.Connection] = []
        self._conns_lock = threading.Lock()
        self._pid = os.getpid()
        self._schema_ready = False
        self._init_lock = threading.Lock()

    # -- Tier ---------------------------------------------------------------

    def get(self, key: str) -> bytes | None:
        """The value under ``key``; expired or corrupt entries are misses."""
        now = self._clock()
        with self._translate("read"):
            conn = self._conn()
            row = conn.execute(
                "SELECT value, checksum, expires, accessed FROM entries WHERE key = ?", (key,)
            ).fetchone()
            if row is None:
                return None
            value, stored_sum, expires, accessed = row
            if expires <= now:
                self._delete_quietly(conn, key)
                return None
            if not isinstance(value, bytes) or checksum(value) != stored_sum:
                logger.warning("cache entry %s… failed its checksum; deleted", key[:12])
                self._delete_quietly(conn, key)
                return None
            if now - accessed >= ACCESS_RESOLUTION:
                self._touch(conn, key, now)
            return value

    def set(self, key: str, value: bytes, ttl: float) -> None:
        """Store ``value`` in one statement, then evict if over the cap."""
        size = len(key) + len(value)
        if size > self.max_bytes or ttl <= 0:
            return
        now = self._clock()
        with self._translate("write"):
            conn = self._conn()
            conn.execute(_UPSERT, (key, value, checksum(value), size, now, now + ttl, now))
            if self._total_bytes(conn) > self.max_bytes:
                self._evict(conn, int(self.max_bytes * EVICT_TO))

    def delete(self, key: str) -> None:
        """Remove ``key`` if present."""
        with self._translate("write"):
            self._conn().execute("DELETE FROM entries WHERE key = ?", (key,))

    def try_lock(self, key: str, ttl: float) -> str | None:
        """Insert the lock row if absent or expired, in one statement."""
        token = new_token()
        now = self._clock()
        with self._translate("lock"):
            cursor = self._conn().execute(_LOCK, (key, token, now + ttl, now))
            return token if cursor.rowcount == 1 else None

    def unlock(self, key: str, token: str) -> None:
        """Delete the lock row only if ``token`` owns it."""
        with self._translate("unlock"):
            self._conn().execute("DELETE FROM locks WHERE key = ? AND token = ?", (key, token))

    def extend_lock(self, key: str, token: str, ttl: float) -> bool:
        """Move the lock row's expiry only if ``token`` owns it."""
        with self._translate("lock"):
            cursor = self._conn().execute(
                "UPDATE locks SET expires = ? WHERE key = ? AND token = ?",
                (self._clock() + ttl, key, token),
            )
            return cursor.rowcount == 1

    def incr(self, key: str, ttl: float) -> int:
        """Create or bump the counter in one statement (restarting it once expired)."""
        now = self._clock()
        with self._translate("write"):
            row = self._conn().execute(_INCR, (key, now + ttl, now, now)).fetchone()
            return int(row[0])

    def count(self, key: str) -> int:
        with self._translate("read"):
            row = (
                self._conn()
                .execute(
                    "SELECT count FROM rates WHERE key = ? AND expires > ?", (key, self._clock())
                )
                .fetchone()
            )
        return int(row[0]) if row else 0

    def ping(self) -> None:
        """Open the file and touch the schema; raise ``CacheError`` if that fails."""
        with self._translate("open"):
            self._conn().execute("SELECT 1 FROM counters LIMIT 1").fetchone()

    def stats(self) -> dict[str, Any]:
        """Entries, bytes, oldest entry and the counters every process flushed."""
        with self._translate("read"):
            conn = self._conn()
            entries, oldest = conn.execute("SELECT COUNT(*), MIN(created) FROM entries").fetchone()
            counters = dict(conn.execute("SELECT name, value FROM counters").fetchall())
        return {
            "entries": entries,
            "bytes": counters.pop("bytes", 0),
            "max_bytes": self.max_bytes,
            "oldest_entry": _iso(oldest),
            "counters": {name: int(counters.get(name, 0)) for name in COUNTER_NAMES},
            "path": str(self.path),
        }

    def prune(self) -> dict[str, int]:
        """Drop expired entries and locks, then enforce the cap."""
        now = self._clock()
        with self._translate("write"), self._transaction() as conn:
            expired = conn.execute("DELETE FROM entries WHERE expires <= ?", (now,)).rowcount
            conn.execute("DELETE FROM locks WHERE expires <= ?", (now,))
            conn.execute("DELETE FROM rates WHERE expires <= ?", (now,))
        evicted = 0
        with self._translate("write"):
            conn = self._conn()
            if self._total_bytes(conn) > self.max_bytes:
                evicted = self._evict(conn, int(self.max_bytes * EVICT_TO))
        return {"expired": expired, "evicted": evicted}

    def clear(self) -> int:
        """Remove every entry, lock and counter."""
        with self._translate("write"), self._transaction() as conn:
            removed = conn.execute("DELETE FROM entries").rowcount
            conn.execute("DELETE FROM locks")
            conn.execute("DELETE FROM rates")
            conn.execute("UPDATE counters SET value = 0")
        return int(removed)

    def add_counters(self, counts: Mapping[str, int]) -> None:
        """Add this process's counter deltas to the persisted totals."""
        rows = [(name, int(n)) for name, n in counts.items() if n and name in COUNTER_NAMES]
        if not rows:
            return
        with self._translate("write"), self._transaction() as conn:
            conn.executemany(
                "INSERT INTO counters (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
                rows,
            )

    def describe(self) -> str:
        """The database file's path."""
        return f"sqlite://{self.path}"

    def close(self) -> None:
        """Close every connection this process opened."""
        with self._conns_lock:
            conns, self._conns = self._conns, []
        if self._pid != os.getpid():
            return  # connections inherited over fork() belong to the parent
        for conn in conns:
            with suppress(sqlite3.Error):
                conn.close()
        self._local = threading.local()

    # -- internals ------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None and self._pid == os.getpid():
            return conn
        if self._pid != os.getpid():
            # A forked child must not use or close the parent's connections.
            self._pid = os.getpid()
            self._conns = []
            self._conns_lock = threading.Lock()
            self._init_lock = threading.Lock()
            self._schema_ready = False
        try:
            conn = self._connect()
        except sqlite3.DatabaseError as exc:
            if "not a database" not in str(exc):
                raise
            self._quarantine(exc)
            conn = self._connect()
        self._local.conn = conn
        with self._conns_lock:
            self._conns.append(conn)
        return conn

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
            conn.execute("PRAGMA synchronous = NORMAL")
            if not self._schema_ready:
                with self._init_lock:
                    if not self._schema_ready:
                        _init_schema(conn)
                        self._schema_ready = True
        except BaseException:
            conn.close()
            raise
        return conn

    def _quarantine(self, exc: sqlite3.DatabaseError) -> None:
        # A file that is not a database (overwritten, truncated by a disk fault) would
        # keep the tier down forever; set it aside for inspection and start afresh.
        target = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
        with self._init_lock:
            if not self.path.exists():
                return  # another thread already moved it
            self.path.replace(target)
            for suffix in ("-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        logger.warning("cache file was unreadable (%s); moved it to %s", exc, target.name)

    def _drop_conn(self) -> None:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is None:
            return
        with self._conns_lock:
            if conn in self._conns:
                self._conns.remove(conn)
        with suppress(sqlite3.Error):
            conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextmanager
    def _translate(self, action: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError as exc:
            busy = "locked" in str(exc) or "busy" in str(exc)
            if not busy:
                self._drop_conn()
            raise CacheError(f"SQLite cache {action} failed: {exc}", transient=busy) from exc
        except (sqlite3.Error, OSError) as exc:
            self._drop_conn()
            raise CacheError(f"SQLite cache {action} failed: {exc}", transient=False) from exc

    def _total_bytes(self, conn: sqlite3.Connection) -> int:
        row = conn.execute("SELECT value FROM counters WHERE name = 'bytes'").fetchone()
        return int(row[0]) if row else 0

    def _evict(self, conn: sqlite3.Connection, target: int) -> int:
        evicted = 0
        with self._transaction():
            evicted += conn.execute(
                "DELETE FROM entries WHERE expires <= ?", (self._clock(),)
            ).rowcount
            excess = self._total_bytes(conn) - target
            victims: list[int] = []
            rows = conn.execute("SELECT rowid, size FROM entries ORDER BY accessed")
            for rowid, size in rows:
                if excess <= 0:
                    break
                victims.append(rowid)
                excess -= size
            rows.close()
            for start in range(0, len(victims), 500):
                batch = victims[start : start + 500]
                marks = ",".join("?" * len(batch))
                conn.execute(f"DELETE FROM entries WHERE rowid IN ({marks})", batch)
            evicted += len(victims)
        if evicted:
            logger.info("cache evicted %s entries to stay under %s bytes", evicted, self.max_bytes)
        return evicted

    def _touch(self, conn: sqlite3.Connection, key: str, now: float) -> None:
        # The access time is a hint; a busy database must not fail a hit.
        with suppress(sqlite3.OperationalError):
            conn.execute("UPDATE entries SET accessed = ? WHERE key = ?", (now, key))

    def _delete_quietly(self, conn: sqlite3.Connection, key: str) -> None:
        # If the database is busy, a later read or prune removes it.
        with suppress(sqlite3.OperationalError):
            conn.execute("DELETE FROM entries WHERE key = ?", (key,))


def _init_schema(conn: sqlite3.Connection) -> None:
    """Switch the file to WAL and create the tables, safely against other processes."""
    for attempt in range(INIT_ATTEMPTS):
        try:
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
            break
        except sqlite3.OperationalError as exc:
            # Switching a fresh file to WAL needs it to itself; another process
            # starting at the same moment makes this fail at once, without waiting.
            if "locked" not in str(exc) or attempt == INIT_ATTEMPTS - 1:
                raise
            time.sleep(0.02 * (attempt + 1))
    conn.executescript("BEGIN IMMEDIATE;" + SCHEMA + "COMMIT;")


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")
