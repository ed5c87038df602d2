"""Which paths the MCP tools may read: everything inside the roots in force, nothing else.

Paths are resolved (symlinks followed, ``..`` collapsed) before they are compared, so a
``..`` escape, a symbolic link pointing outside and an absolute path elsewhere are all
refused the same way: with a sentence, never a traceback.

A check on a path and a later open of it could see two different files (a folder swapped
for a symbolic link in between), so a file is opened as it was checked: from a handle on
its root, one component at a time, following no symbolic link (``open_inside``), and the
open file itself is then checked (``read_inside``).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlparse

import msgspec

from ..errors import InvalidRequest
from ..textsafe import printable

MAX_PATH_CHARS = 4096  # Linux's PATH_MAX; longer is no path any tool could open
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_ROOT_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _CLOEXEC
_DIR_FLAGS = _ROOT_FLAGS | _NOFOLLOW
# Non-blocking: opening a FIFO for reading would otherwise wait for a writer.
_FILE_FLAGS = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | _CLOEXEC
_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


class PathRefused(InvalidRequest):
    """A path outside every root, or one that names nothing readable."""

    code = "path_refused"


class PathChanged(PathRefused):
    """A path that changed (a folder became a symbolic link) between its check and open."""

    def __init__(self) -> None:
        super().__init__(
            "The path changed while it was being opened (a folder on it became a symbolic "
            "link or disappeared); it was not read."
        )


class RootPolicy(msgspec.Struct, frozen=True):
    """The server's roots and how far a client's declared roots are trusted.

    ``configured``: the ``--root`` folders, else the working directory; used when the
    client declares no roots. ``ceiling``: folders a client's roots must lie in (``--root``
    given, or HTTP, where any local process may connect); None trusts the client's roots
    as they are (stdio: the client started this server for its user).
    """

    configured: tuple[Path, ...]
    ceiling: tuple[Path, ...] | None

    @classmethod
    def create(cls, roots: Sequence[str], *, http: bool, cwd: Path) -> RootPolicy:
        """The policy for ``--root`` options (possibly none) and the transport."""
        configured = tuple(Path(root).resolve() for root in roots) or (cwd.resolve(),)
        ceiling = configured if roots or http else None
        return cls(configured, ceiling)

    def allowed(self, declared: Sequence[Path] | None) -> tuple[Path, ...]:
        """The roots for a request: the client's (narrowed to the ceiling), else configured."""
        if not declared:
            return self.configured
        resolved = [path.resolve() for path in declared]
        if self.ceiling is None:
            return tuple(dict.fromkeys(resolved))
        inside = []
        for root in resolved:
            for limit in self.ceiling:
                if root.is_relative_to(limit):
                    inside.append(root)
                elif limit.is_relative_to(root):
                    inside.append(limit)
        return tuple(dict.fromkeys(inside))


def paths_from_uris(uris: Sequence[str]) -> list[Path]:
    """Local folders named by ``file://`` root URIs; other schemes are ignored."""
    paths = []
    for uri in uris:
        parsed = urlparse(uri)
        if parsed.scheme == "file" and parsed.netloc in ("", "localhost"):
            paths.append(Path(unquote(parsed.path)))
    return paths


def confine(requested: str, roots: Sequence[Path]) -> tuple[Path, Path]:
    """``requested`` resolved, and the root holding it; ``PathRefused`` when outside all.

    A relative path is read against the first root where it exists (else the first root).
    """
    if not roots:
        raise PathRefused(
            "No root folder is available: the client's roots lie outside the server's "
            "--root folders."
        )
    if not requested.strip() or "\x00" in requested:
        raise PathRefused("Give a file or folder path (relative to the project root).")
    if len(requested) > MAX_PATH_CHARS:
        raise PathRefused(
            f"The path is {len(requested)} characters long; a path has at most "
            f"{MAX_PATH_CHARS}. Give a file or folder inside the project."
        )
    try:
        given = Path(requested).expanduser()
        candidates = [given] if given.is_absolute() else [root / given for root in roots]
        chosen = next((path for path in candidates if _exists(path)), candidates[0])
        resolved = chosen.resolve()
    except (OSError, RuntimeError) as exc:
        raise PathRefused(f"Cannot use {shown(requested)}: {_reason(exc)}.") from None
    root = next((root for root in roots if resolved.is_relative_to(root)), None)
    if root is None:
        names = ", ".join(printable(str(root)) for root in roots)
        raise PathRefused(
            f"{shown(requested)} is outside the folders this server may read ({names}); "
            "give a path inside one of them."
        )
    try:
        found = _exists(resolved)
    except OSError as exc:
        raise PathRefused(f"Cannot use {shown(requested)}: {_reason(exc)}.") from None
    if not found:
        raise PathRefused(f"{shown(requested)} does not exist under {printable(str(root))}.")
    return resolved, root


def shown(requested: str) -> str:
    """A path as error messages quote it: escaped, and cut when very long."""
    text = printable(requested)
    return repr(text if len(text) <= 200 else text[:200] + "…")


def kind(mode: int) -> str:
    """What a file that is neither a regular file nor a folder is, in words."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def open_inside(path: Path, root: Path) -> int:
    """A read-only descriptor for ``path``, opened from ``root`` without following links.

    ``path`` is what ``confine`` returned (resolved, inside ``root``). Each folder on the
    way is opened relative to the one before with ``O_NOFOLLOW``, so a component swapped
    for a symbolic link since the check fails the open instead of leading outside.
    ``PathChanged`` says so; other failures are ``PathRefused``. Devices, FIFOs and
    sockets are refused before they are opened (opening some has side effects).
    """
    parts = path.relative_to(root).parts
    if os.open not in os.supports_dir_fd:  # pragma: no cover - Windows
        return _open_checked(path, root)
    try:
        folder = os.open(root, _ROOT_FLAGS)
    except OSError as exc:
        raise PathRefused(f"Cannot open the root folder: {_reason(exc)}.") from None
    try:
        for part in parts[:-1]:
            inner = os.open(part, _DIR_FLAGS, dir_fd=folder)
            os.close(folder)
            folder = inner
        if not parts:
            return os.dup(folder)
        mode = os.stat(parts[-1], dir_fd=folder, follow_symlinks=False).st_mode
        if stat.S_ISLNK(mode):  # resolved paths hold no link: it appeared since the check
            raise PathChanged()
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise PathRefused(f"{shown(path.name)} is {kind(mode)}, not a source file.")
        return os.open(parts[-1], _FILE_FLAGS, dir_fd=folder)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.ENOENT, errno.EMLINK):
            raise PathChanged() from None
        raise PathRefused(f"Cannot open {shown(path.name)}: {_reason(exc)}.") from None
    finally:
        os.close(folder)


def read_inside(requested: str, roots: Sequence[Path], limit: int) -> tuple[bytes, Path, Path]:
    """The bytes of a regular file inside the roots, its resolved path and its root.

    Checked on the open descriptor: a regular file (not a folder, FIFO or device) of at
    most ``limit`` bytes. A path that changed between the check and the open is checked
    again once, then refused.
    """
    for attempt in (1, 2):
        resolved, root = confine(requested, roots)
        try:
            descriptor = open_inside(resolved, root)
        except PathChanged:
            if attempt == 2:
                raise
            continue
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            os.close(descriptor)
            if stat.S_ISDIR(mode):
                raise PathRefused(
                    f"{shown(requested)} is a folder; outline_repository reads folders."
                )
            raise PathRefused(f"{shown(requested)} is {kind(mode)}, not a source file.")
        with os.fdopen(descriptor, "rb") as file:
            data = file.read(limit + 1)
        if len(data) > limit:
            raise PathRefused(
                f"{shown(requested)} is over the {limit}-byte limit (IRIS_MAX_SOURCE_BYTES)."
            )
        return data, resolved, root
    raise AssertionError("unreachable")  # pragma: no cover


def _open_checked(path: Path, root: Path) -> int:  # pragma: no cover - Windows
    """Where no ``dir_fd`` exists: open, then check the open file is what ``path`` names."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    opened, named = os.fstat(descriptor), os.stat(path.resolve())
    same = (opened.st_dev, opened.st_ino) == (named.st_dev, named.st_ino)
    if not same or not path.resolve().is_relative_to(root):
        os.close(descriptor)
        raise PathChanged()
    return descriptor


def _exists(path: Path) -> bool:
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return False
        raise
    return True


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return "it cannot be read"


def display(path: Path, root: Path, roots: Sequence[Path]) -> str:
    """How answers name ``path``: relative to the root when one root is in force, else
    absolute (so a name given back to a tool always finds the same file)."""
    if len(roots) > 1:
        return path.as_posix()
    return path.relative_to(root).as_posix()
