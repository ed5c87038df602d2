"""Which files ``iris analyze PATH…`` reads: a walk that honours .gitignore and skips non-source.

Directories are walked in tree order (each folder's files by name, then its subfolders by
name), honouring ``.gitignore`` at every level, the enclosing repository's ``.gitignore``
files above the starting folder and ``.git/info/exclude``. Vendored and generated folders,
binary files, minified bundles, files over the size limit and files in no supported language
are skipped, each with a reason the summary counts.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from .syntax.languages import detect_language

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

# Folders that hold someone else's code or a build's output, never the project's own.
SKIPPED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".iris", "__pycache__", "node_modules", "bower_components",
        "vendor", "third_party", "dist", "build", "target", ".venv", "venv", ".tox", ".nox",
        ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs", "site-packages", ".next",
        ".nuxt", ".gradle", ".terraform",
    }
)  # fmt: skip
HEAD_BYTES = 8192  # read this much of each file to tell source from binary or bundle
MAX_LINE = 1000  # a line longer than this in the head marks a minified or generated file


class SourceFile(msgspec.Struct, frozen=True):
    """A file to analyse: where it is, how reports name it, its detected language id."""

    path: Path
    display: str
    language: str | None = None


class Skipped(msgspec.Struct, frozen=True):
    """A file or folder left out, and why (``gitignored``, ``vendored``, ``binary``…)."""

    display: str
    reason: str


class Discovery(msgspec.Struct):
    """What a walk found: files to analyse in tree order, and what it left out."""

    files: list[SourceFile] = msgspec.field(default_factory=list)
    skipped: list[Skipped] = msgspec.field(default_factory=list)


class Rules(msgspec.Struct, frozen=True):
    """What the caller asked for: ``--include``/``--exclude`` globs and the size limit."""

    max_bytes: int
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


def discover(paths: Sequence[str], rules: Rules) -> Discovery:
    """Walk ``paths`` (files or folders) in order; each file appears once."""
    found = Discovery()
    include = _spec(rules.include) if rules.include else None
    exclude = _spec(rules.exclude) if rules.exclude else None
    seen: set[Path] = set()
    for given in paths:
        root = Path(given)
        walker = _Walker(root, given, rules, include, exclude, found)
        for source in walker.walk():
            resolved = source.path.resolve()
            if resolved not in seen:
                seen.add(resolved)
                found.files.append(source)
    return found


def classify(path: Path, max_bytes: int) -> str | None:
    """The reason to skip a file by its size, name and first bytes, or None to analyse it."""
    if ".min." in path.name or path.name.endswith(("-min.js", ".bundle.js")):
        return "minified"
    if path.suffix and detect_language(path.name) is None:
        return "unsupported_language"  # only a file with no extension may name it in a shebang
    try:
        if path.stat().st_size > max_bytes:
            return "too_large"
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError:
        return "unreadable"
    if b"\x00" in head:
        return "binary"
    if detect_language(path.name, head[:200].decode("utf-8", "replace")) is None:
        return "unsupported_language"
    if max(len(line) for line in head.split(b"\n")) > MAX_LINE:
        return "minified"
    if _marked_generated(head):
        return "generated"
    return None


def _marked_generated(head: bytes) -> bool:
    # The Go convention, also used by protoc and many code generators.
    top = b"\n".join(head.split(b"\n", 5)[:5]).lower()
    return b"generated" in top and b"do not edit" in top


def _spec(lines: Sequence[str]) -> GitIgnoreSpec:
    from pathspec import GitIgnoreSpec

    return GitIgnoreSpec.from_lines(lines)


class _Walker:
    """One starting path's walk, with the stack of ignore files in force."""

    def __init__(
        self,
        root: Path,
        given: str,
        rules: Rules,
        include: GitIgnoreSpec | None,
        exclude: GitIgnoreSpec | None,
        found: Discovery,
    ) -> None:
        self.root = root.resolve()  # absolute, so ignore files above it apply by path
        self.given = given
        self.rules = rules
        self.include = include
        self.exclude = exclude
        self.found = found

    def walk(self) -> Iterator[SourceFile]:
        """Files under the root, or the root itself when it is a file, in tree order."""
        if not self.root.is_dir():
            # A file named on the command line: no ignore file applies, globs see its name.
            reason = self._file_reason(self.root, self.root.name, [])
            if reason:
                self.found.skipped.append(Skipped(self.given, reason))
            else:
                language = detect_language(self.root.name)
                yield SourceFile(self.root, self.given, language.id if language else None)
            return
        yield from self._folder(self.root, "", _enclosing_ignores(self.root))

    def _display(self, relative: str) -> str:
        joined = os.path.normpath(os.path.join(self.given, relative)) if relative else self.given
        return joined.replace(os.sep, "/")

    def _skip(self, relative: str, reason: str) -> None:
        self.found.skipped.append(Skipped(self._display(relative), reason))

    def _folder(
        self, folder: Path, relative: str, ignores: list[tuple[Path, GitIgnoreSpec]]
    ) -> Iterator[SourceFile]:
        ignores = [*ignores, *_ignore_file(folder, folder / ".gitignore")]
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            self._skip(relative, "unreadable")
            return
        folders = []
        for entry in entries:
            child = f"{relative}{entry.name}"
            if entry.is_symlink() and entry.is_dir():
                self._skip(child, "symlink")  # never followed: it may loop
            elif entry.is_dir(follow_symlinks=False):
                reason = self._folder_reason(Path(entry.path), child, ignores)
                if reason:
                    self._skip(child, reason)
                else:
                    folders.append(entry)
            elif entry.is_file():
                yield from self._file(Path(entry.path), child, ignores)
        for entry in folders:
            yield from self._folder(Path(entry.path), f"{relative}{entry.name}/", ignores)

    def _folder_reason(
        self, path: Path, relative: str, ignores: list[tuple[Path, GitIgnoreSpec]]
    ) -> str | None:
        if path.name in SKIPPED_DIRS or path.name.endswith(".egg-info"):
            return "vendored"
        if (path / "pyvenv.cfg").is_file():
            return "vendored"  # a virtualenv, whatever its name
        if _ignored(path, True, ignores):
            return "gitignored"
        if self.exclude is not None and self.exclude.match_file(f"{relative}/"):
            return "excluded"
        return None

    def _file(
        self, path: Path, relative: str, ignores: list[tuple[Path, GitIgnoreSpec]]
    ) -> Iterator[SourceFile]:
        reason = self._file_reason(path, relative, ignores)
        if reason:
            self._skip(relative, reason)
            return
        language = detect_language(path.name)
        yield SourceFile(path, self._display(relative), language.id if language else None)

    def _file_reason(
        self, path: Path, relative: str, ignores: list[tuple[Path, GitIgnoreSpec]]
    ) -> str | None:
        if path.name in SKIPPED_DIRS:
            return "vendored"  # a worktree's .git file
        if ignores and _ignored(path, False, ignores):
            return "gitignored"
        if self.exclude is not None and self.exclude.match_file(relative):
            return "excluded"
        if self.include is not None and not self.include.match_file(relative):
            return "excluded"
        return classify(path, self.rules.max_bytes)


def _ignored(path: Path, is_dir: bool, ignores: list[tuple[Path, GitIgnoreSpec]]) -> bool:
    """Git's rule: the deepest ignore file with a matching pattern decides, last match wins."""
    for base, spec in reversed(ignores):
        relative = path.relative_to(base).as_posix() + ("/" if is_dir else "")
        decision = spec.check_file(relative).include
        if decision is not None:
            return decision
    return False


def _ignore_file(base: Path, path: Path) -> list[tuple[Path, GitIgnoreSpec]]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return [(base, _spec(text.splitlines()))]


def _enclosing_ignores(root: Path) -> list[tuple[Path, GitIgnoreSpec]]:
    """The ignore files in force at (absolute) ``root``: its repository's exclude file and the
    ``.gitignore`` of every folder from the repository's top down to (not including) root;
    none when the repository ignores ``root`` itself."""
    chain = [root, *root.parents]
    top = next((folder for folder in chain if (folder / ".git").exists()), None)
    if top is None:
        return []
    ignores = _ignore_file(top, top / ".git" / "info" / "exclude")
    for folder in reversed(chain[: chain.index(top)]):
        ignores += _ignore_file(folder.parent, folder.parent / ".gitignore")
        # A folder the repository ignores, named on purpose, is walked as its own tree
        # (e.g. a Python installed under a pyenv checkout that ignores /versions).
        if _ignored(folder, True, ignores):
            return []
    return ignores
