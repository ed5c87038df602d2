"""API keys: checked in constant time, and storable as SHA-256 digests only.

Three sources are accepted together, by the app, its cache-hit fast path and the AWS
authorizer alike (``Authenticator``):

- ``IRIS_API_KEY``: keys in clear (named ``key-1``, ``key-2``… in logs);
- ``IRIS_API_KEY_HASHES``: SHA-256 hex digests of keys (``iris keys hash KEY`` prints one),
  so an environment, a template or a parameter store never holds a usable key
  (named ``hash-1``…);
- the keys file managed by ``iris keys``: named keys kept as hashes in JSON. Reading it
  grants nothing; servers reload it when it changes, so a revoked key stops working
  without a restart.

Auth fails closed: it is off only when no source is configured and no keys file exists.
A keys file that exists turns it on even with no key in it (or unreadable), and a
process that has seen a key in the file keeps it on when the file is emptied or deleted:
it then accepts no key until one exists again, and says so loudly in its log.

This module imports only the standard library, so the Lambda authorizer stays light.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import ConfigError, Unauthorized

log = logging.getLogger(__name__)
KEY_PREFIX = "iris_"
HEADER = "X-API-Key"
_RELOAD_EVERY = 1.0


@dataclass(frozen=True)
class StoredKey:
    """One key as stored: its name, hash and creation time."""

    name: str
    sha256: str
    created: str


def hash_key(key: str) -> str:
    """The SHA-256 hex digest IRIS stores and compares instead of ``key``."""
    return hashlib.sha256(key.strip().encode()).hexdigest()


def authenticate(
    presented: str | None, keys: tuple[str, ...], hashes: tuple[str, ...] = ()
) -> str | None:
    """The configured key's name (``key-N`` or ``hash-N``) for ``presented``; None when
    no key is configured (auth off).

    Raises ``Unauthorized`` when keys are configured and none matches.
    """
    if not keys and not hashes:
        return None
    if not presented:
        raise Unauthorized(f"Missing API key: send it in the {HEADER} header.")
    match = match_key(presented, keys, hashes)
    if match is None:
        raise Unauthorized("Invalid API key.")
    return match


def match_key(presented: str, keys: tuple[str, ...], hashes: tuple[str, ...]) -> str | None:
    """The name of the clear key or digest ``presented`` matches, or None.

    Compares against every key and every digest, so timing does not reveal which one (or
    how many) matched.
    """
    candidate = presented.strip().encode()
    digest = hash_key(presented)
    match = None
    for index, key in enumerate(keys, start=1):
        if hmac.compare_digest(candidate, key.encode()) and match is None:
            match = f"key-{index}"
    for index, stored in enumerate(hashes, start=1):
        if hmac.compare_digest(digest, stored) and match is None:
            match = f"hash-{index}"
    return match


class Authenticator:
    """Keys from the environment (clear and hashed) and from the keys file, together."""

    def __init__(
        self, env_keys: tuple[str, ...], store: KeyStore | None, hashes: tuple[str, ...] = ()
    ) -> None:
        self.env_keys = env_keys
        self.hashes = hashes
        self.store = store

    def _stored(self) -> tuple[StoredKey, ...]:
        return self.store.keys() if self.store is not None else ()

    @property
    def enabled(self) -> bool:
        return bool(self.env_keys) or bool(self.hashes) or self._file_demands_keys()

    def _file_demands_keys(self) -> bool:
        return self.store is not None and self.store.demands_keys()

    def describe(self) -> str:
        """The auth state in one line, e.g. "auth: on, 2 keys from env, 3 from the keys file"."""
        if not self.enabled:
            return "auth: off (no IRIS_API_KEY, IRIS_API_KEY_HASHES or keys file)"
        parts = []
        if self.env_keys or self.hashes:
            parts.append(f"{len(self.env_keys) + len(self.hashes)} from env")
        if self._file_demands_keys():
            assert self.store is not None
            parts.append(f"{len(self._stored())} from the keys file{self.store.state_note()}")
        return "auth: on, " + ", ".join(parts)

    def check(self, presented: str | None) -> str | None:
        """The matching key's name; None when auth is off; ``Unauthorized`` otherwise."""
        if not self._file_demands_keys():
            return authenticate(presented, self.env_keys, self.hashes)
        if not presented:
            raise Unauthorized(f"Missing API key: send it in the {HEADER} header.")
        assert self.store is not None
        named = self.store.match(presented.strip())
        if named is not None:
            return named
        if self.env_keys or self.hashes:
            return authenticate(presented, self.env_keys, self.hashes)
        raise Unauthorized("Invalid API key.")


class KeyStore:
    """The keys file: create, list, revoke, and check presented keys against it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._keys: tuple[StoredKey, ...] = ()
        self._mtime: float | None = None
        self._checked = -_RELOAD_EVERY
        self._good_once = False
        self._failed_mtime: float | None = None
        self._present = False  # the file existed when last looked at
        self._held = False  # it held a key at some point in this process's life
        self._warned_empty = False

    @property
    def unreadable(self) -> bool:
        """The file exists but no version of it could be read yet."""
        return self._failed_mtime is not None and not self._good_once

    def demands_keys(self) -> bool:
        """Whether this file turns auth on: it exists, or it has held a key (fail closed)."""
        self.keys()
        return self._present or self._held

    def state_note(self) -> str:
        """Why no key from the file is accepted, for ``describe``; empty when some are."""
        if self._keys:
            return ""
        if self.unreadable:
            return " (unreadable: no key matches)"
        missing = "deleted" if not self._present else "empty"
        return f" ({missing}: no key is accepted until one is created)"

    def load(self) -> tuple[StoredKey, ...]:
        """The keys in the file now; ``ConfigError`` when it is unreadable (for the CLI)."""
        return self._read_current()

    def keys(self) -> tuple[StoredKey, ...]:
        """The stored keys, re-read when the file changed (checked at most once a second).

        A file that cannot be read (half-written by hand, bad JSON) keeps the last good
        keys and logs one warning per change of the file; it never fails a request.
        """
        now = time.monotonic()
        if now - self._checked < _RELOAD_EVERY:
            return self._keys
        with self._lock:
            self._checked = now
            try:
                mtime = self.path.stat().st_mtime
            except FileNotFoundError:
                self._keys, self._mtime, self._present = (), None, False
                self._note_emptiness()
                return ()
            self._present = True
            if mtime != self._mtime and mtime != self._failed_mtime:
                self._reload(mtime)
            self._note_emptiness()
        return self._keys

    def _note_emptiness(self) -> None:
        """Log once, loudly, each time the file stops holding a key while auth stays on."""
        if self._keys:
            if self._warned_empty:
                log.warning("API keys file %s holds %d keys again", self.path, len(self._keys))
            self._held, self._warned_empty = True, False
            return
        if self._warned_empty or not self._held or self.unreadable:
            return
        self._warned_empty = True
        how = "is empty" if self._present else "was deleted"
        log.error(
            "API keys file %s %s: auth stays ON and every request is refused (401) until "
            "a key exists again (`iris keys create NAME`); to turn auth off, remove the "
            "file and restart the server",
            self.path,
            how,
        )

    def _reload(self, mtime: float) -> None:
        try:
            self._keys, self._mtime = self._read(), mtime
        except ConfigError as exc:
            self._failed_mtime = mtime
            kept = (
                f"keeping the last {len(self._keys)} good keys"
                if self._good_once
                else ("no key is accepted until it is fixed")
            )
            log.warning("%s; %s", exc.message, kept)
            return
        self._good_once, self._failed_mtime = True, None

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
        import secrets  # here, not at the top: a cold Lambda request checks keys only

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
        import tempfile

        handle, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".keys-")
        try:
            with os.fdopen(handle, "w") as file:
                file.write(body)
            os.chmod(temp, 0o600)
            os.replace(temp, self.path)  # atomic: a reader sees the old file or the new one
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        self._mtime, self._failed_mtime, self._checked = None, None, -_RELOAD_EVERY
