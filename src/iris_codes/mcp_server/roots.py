"""Which paths the MCP tools may read: everything inside the roots in force, nothing else.

Paths are resolved (symlinks followed, ``..`` collapsed) before they are compared, so a
``..`` escape, a symbolic link pointing outside and an absolute path elsewhere are all
refused the same way: with a sentence, never a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlparse

import msgspec

from ..errors import InvalidRequest


class PathRefused(InvalidRequest):
    """A path outside every root, or one that names nothing readable."""

    code = "path_refused"


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
    given = Path(requested).expanduser()
    candidates = [given] if given.is_absolute() else [root / given for root in roots]
    chosen = next((path for path in candidates if path.exists()), candidates[0])
    resolved = chosen.resolve()
    root = next((root for root in roots if resolved.is_relative_to(root)), None)
    if root is None:
        names = ", ".join(str(root) for root in roots)
        raise PathRefused(
            f"{requested!r} is outside the folders this server may read ({names}); "
            "give a path inside one of them."
        )
    if not resolved.exists():
        raise PathRefused(f"{requested!r} does not exist under {root}.")
    return resolved, root


def display(path: Path, root: Path, roots: Sequence[Path]) -> str:
    """How answers name ``path``: relative to the root when one root is in force, else
    absolute (so a name given back to a tool always finds the same file)."""
    if len(roots) > 1:
        return path.as_posix()
    return path.relative_to(root).as_posix()
