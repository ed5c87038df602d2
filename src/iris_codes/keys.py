"""Named API keys kept as SHA-256 hashes in a JSON file, managed by ``iris keys``.

The file never holds a key, only its hash, so reading it grants nothing. Servers reload
it when it changes, so a revoked key stops working without a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import ConfigError

KEY_PREFIX = "iris_"
_RELOAD_EVERY = 1.0


@dataclass(frozen=True)
class StoredKey:
    """One key as stored: its name, hash and creation time."""

    name: str
    sha256: str
    created: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class KeyStore:
    """The keys file: create, list, revoke, and check presented keys against it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._keys: tuple[StoredKey, ...] = ()
        self._mtime: float | None = None
        self._checked = -_RELOAD_EVERY

    def keys(self) -> tuple[StoredKey, ...]:
        """The stored keys, re-read when the file changed (checked at most once a second)."""
        now = time.monotonic()
        if now - self._checked < _RELOAD_EVERY:
            return self._keys
        with self._lock:
            self._checked = now
            try:
                mtime = self.path.stat().st_mtime
            except FileNotFoundError:
                self._keys, self._mtime = (), None
                return ()
            if mtime != self._mtime:
                self._keys, self._mtime = self._read(), mtime
        return self._keys

    def _read(self) -> tuple[StoredKey, ...]:
        try:
            rows = json.loads(self.path.read_text())["keys"]
            return tuple(
                StoredKey(str(r["name"]), str(r["sha256"]), str(r["created"])) for r in rows
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"API keys file {self.path} is unreadable: {exc}") from None

    def match(self, presented: str) -> str | None:
        """The name of the stored key ``presented`` is, or None."""
        digest = hash_key(presented)
        found = None
        for stored in self.keys():
            if hmac.compare_digest(digest, stored.sha256) and found is None:
                found = stored.name
        return found

    def create(self, name: str) -> str:
        """Store a new random key under ``name`` and return the key (shown once)."""
        if any(stored.name == name for stored in self._read_current()):
            raise ConfigError(f"A key named {name!r} exists; revoke it first.")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self._write((*self._read_current(), StoredKey(name, hash_key(key), created)))
        return key

    def revoke(self, name: str) -> bool:
        """Remove the key called ``name``; False when there is none."""
        current = self._read_current()
        kept = tuple(stored for stored in current if stored.name != name)
        if len(kept) == len(current):
            return False
        self._write(kept)
        return True

    def _read_current(self) -> tuple[StoredKey, ...]:
        return self._read() if self.path.exists() else ()

    def _write(self, keys: tuple[StoredKey, ...]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = json.dumps({"keys": [asdict(k) for k in keys]}, indent=2)
        handle, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".keys-")
        try:
            with os.fdopen(handle, "w") as file:
                file.write(body)
            os.chmod(temp, 0o600)
            os.replace(temp, self.path)  # atomic: a reader sees the old file or the new one
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        self._mtime, self._checked = None, -_RELOAD_EVERY
