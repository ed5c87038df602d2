"""What the MCP tools answer, in plain Python: outlines, one block's lines, a repository overview.

Every answer comes from the same ``Service`` (engine, cache, single-flight) as ``iris
analyze``; the repository overview reuses its walk and batch. Nothing here knows MCP:
failures are ``IrisError`` sentences that the server turns into tool errors.
"""

from __future__ import annotations

import json
import re
import stat
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import batch
from ..errors import InvalidRequest
from ..models import AnalyzeRequest
from ..service import normalize_newlines
from ..textsafe import printable
from ..walk import Rules, Skipped, SourceFile, discover
from .roots import PathRefused, confine, display, kind, read_inside, shown

if TYPE_CHECKING:
    from ..service import Service

MAX_FILES = 200  # outline_repository's default file count
MAX_FILES_LIMIT = 2000
MAX_CHARS = 24_000  # outline_repository's answer stops growing here (about 6k tokens)
_METADATA_KEPT = ("engine", "cache_hit", "model", "degraded")


class Outliner:
    """The three tools' answers over one service; paths are confined to the given roots."""

    def __init__(self, service: Service) -> None:
        self._service = service

    @property
    def _max_bytes(self) -> int:
        return self._service.settings.max_source_bytes

    def outline_file(
        self,
        roots: Sequence[Path],
        path: str | None = None,
        source: str | None = None,
        filename: str | None = None,
        language: str | None = None,
    ) -> dict[str, Any]:
        """Intent and numbered blocks of a file on disk, or of ``source`` named ``filename``."""
        if path is not None and source is not None:
            raise InvalidRequest("Give either path or source (with filename), not both.")
        if path is not None:
            name, text = self._read(roots, path)
        elif source is not None:
            if len(source.encode("utf-8", "replace")) > self._max_bytes:
                raise InvalidRequest(_too_large("source", self._max_bytes))
            name, text = filename or "untitled", source
        else:
            raise InvalidRequest("Give path (a file in the project), or source with filename.")
        body = self._analyze(name, text, language)
        return {
            "path": name,
            "file_intent": body["file_intent"],
            "line_count": len(normalize_newlines(text).splitlines()),
            "blocks": _numbered(body["responsibility_blocks"], ""),
            "metadata": _metadata(body["metadata"]),
        }

    def read_block(
        self,
        roots: Sequence[Path],
        path: str,
        label: str | None = None,
        index: int | str | None = None,
        language: str | None = None,
    ) -> dict[str, Any]:
        """The numbered source lines of one block, chosen by ``index`` (1-based; ``"3.2"``
        for a sub-block) or ``label``."""
        if (label is None) == (index is None):
            raise InvalidRequest("Give exactly one of label or index (1 is the first block).")
        position = _position(index) if index is not None else None
        name, text = self._read(roots, path)
        body = self._analyze(name, text, language)
        blocks = body["responsibility_blocks"]
        number, block = _block_at(blocks, label, position)
        lines = normalize_newlines(text).splitlines()
        return {
            "path": name,
            "index": number,
            "label": block["label"],
            "ranges": block["ranges"],
            "text": numbered_lines(lines, block["ranges"]),
            "metadata": _metadata(body["metadata"]),
        }

    def outline_repository(
        self,
        roots: Sequence[Path],
        path: str = ".",
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        max_files: int = MAX_FILES,
    ) -> dict[str, Any]:
        """Each source file's intent in tree order, at most ``max_files`` and ``MAX_CHARS``."""
        if not 1 <= max_files <= MAX_FILES_LIMIT:
            raise InvalidRequest(f"max_files must be between 1 and {MAX_FILES_LIMIT}.")
        folder, root = confine(path, roots)
        try:
            mode = folder.stat().st_mode
        except OSError as exc:
            raise PathRefused(f"Cannot read {shown(path)}: {exc.strerror}.") from None
        if stat.S_ISREG(mode):
            raise PathRefused(f"{shown(path)} is a file; outline_file reads one file.")
        if not stat.S_ISDIR(mode):
            raise PathRefused(f"{shown(path)} is {kind(mode)}, not a folder.")
        found = discover([str(folder)], Rules(self._max_bytes, tuple(include), tuple(exclude)))
        files, outside = _inside(found.files, roots)
        chosen = files[:max_files]
        run = batch.run(
            chosen,
            [*found.skipped, *outside],
            batch.LocalAnalyzer(self._service),
            # An LLM analysis waits on the network: more at once, as for ``--server``.
            jobs=batch.default_jobs(remote=self._service.primary_engine_name == "llm"),
            # Each file opened as checked, as read_block's are: never through a new link.
            read=lambda source: read_inside(str(source.path), roots, self._max_bytes)[0],
        )
        entries, cut = _bounded([_entry(result, root, roots) for result in run.results])
        truncated = _truncation(len(chosen), len(files), len(entries) if cut else None)
        engines = Counter(
            str(result.body["metadata"].get("engine")) for result in run.results if result.body
        )
        return {
            "path": display(folder, root, roots) or ".",
            "files": entries,
            "files_found": len(files),
            "truncated": truncated,
            "skipped": run.summary()["skipped"],
            "metadata": {
                "engines": dict(engines),
                "cache_hits": sum(result.status == "cached" for result in run.results),
            },
        }

    def _read(self, roots: Sequence[Path], path: str) -> tuple[str, str]:
        """The display name and text of a file inside the roots, read as it was checked."""
        try:
            data, resolved, root = read_inside(path, roots, self._max_bytes)
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise PathRefused(f"{shown(path)} is not UTF-8 text.") from None
        except OSError as exc:
            raise PathRefused(f"Cannot read {shown(path)}: {exc.strerror}.") from None
        return display(resolved, root, roots), text

    def _analyze(self, name: str, text: str, language: str | None) -> dict[str, Any]:
        request = AnalyzeRequest(filename=name, language=language, source_code=text)
        return self._service.analyze(request).to_dict()


def numbered_lines(lines: Sequence[str], ranges: Sequence[Sequence[int]]) -> str:
    """The lines of ``ranges`` as ``number<TAB>text``, a ``…`` line between ranges apart."""
    width = len(str(max((end for _, end in ranges), default=1)))
    out: list[str] = []
    for start, end in ranges:
        if out:
            out.append("…")
        out += [f"{n:>{width}}\t{source_line(lines[n - 1])}" for n in range(start, end + 1)]
    return "\n".join(out)


def source_line(line: str) -> str:
    """A source line as text: tabs kept, other controls shown as escapes (``\\x1b``)."""
    return printable(line, keep="\t")


def _too_large(what: str, limit: int) -> str:
    return f"{what} is over the {limit}-byte limit (IRIS_MAX_SOURCE_BYTES)."


def _numbered(blocks: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    """Blocks with their index (1, 2, …; "3.1", "3.2" for sub-blocks), children numbered."""
    numbered = []
    for number, block in enumerate(blocks, start=1):
        index: int | str = f"{prefix}{number}" if prefix else number
        item = {"index": index, **block}
        if block.get("children"):
            item["children"] = _numbered(block["children"], f"{index}.")
        numbered.append(item)
    return numbered


def _position(index: int | str) -> list[int]:
    """``3`` or ``"3.2"`` as the path [3, 2]; a clear error for anything else."""
    text = str(index).strip()
    if not re.fullmatch(r"[0-9]{1,6}(?:\.[0-9]{1,6}){0,5}", text):
        raise InvalidRequest(
            "index must be a whole number (1 is the first block) or a sub-block's number "
            f"as outline_file gives it (3.2), not {shown_value(index)}."
        )
    path = [int(part) for part in text.split(".")]
    if any(part < 1 for part in path):
        raise InvalidRequest(f"index must be at least 1 (1 is the first block), not {text}.")
    return path


def shown_value(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _walk(blocks: list[dict[str, Any]], prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
    found = []
    for number, block in enumerate(blocks, start=1):
        index = f"{prefix}{number}"
        found.append((index, block))
        found += _walk(block.get("children") or [], index + ".")
    return found


def _block_at(
    blocks: list[dict[str, Any]], label: str | None, position: list[int] | None
) -> tuple[int | str, dict[str, Any]]:
    """The block a path or a label names, with its index; an error listing the blocks."""
    listing = "; ".join(f"{n}. {b['label']}" for n, b in enumerate(blocks, start=1))
    if position is not None:
        level, block = blocks, None
        for depth, number in enumerate(position):
            if not 1 <= number <= len(level):
                where = ".".join(map(str, position[:depth])) or "this file"
                raise InvalidRequest(
                    f"No block {'.'.join(map(str, position))}: {where} has {len(level)} "
                    f"({listing if depth == 0 else 'sub-blocks'})."
                )
            block = level[number - 1]
            level = block.get("children") or []
        assert block is not None
        return (position[0] if len(position) == 1 else ".".join(map(str, position))), block
    wanted = (label or "").strip().casefold()
    for index, block in _walk(blocks):
        if block["label"].casefold() == wanted:
            return (int(index) if "." not in index else index), block
    raise InvalidRequest(f"No block labelled {label!r}; the blocks are: {listing or 'none'}.")


def _metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    # What tells an agent where the answer came from; timings would only cost tokens.
    return {key: metadata[key] for key in _METADATA_KEPT if key in metadata}


def _inside(
    files: list[SourceFile], roots: Sequence[Path]
) -> tuple[list[SourceFile], list[Skipped]]:
    """Files whose real location is inside a root, and the others (symbolic links out)."""
    kept, outside = [], []
    for source in files:
        real = source.path.resolve()
        if any(real.is_relative_to(root) for root in roots):
            kept.append(source)
        else:
            outside.append(Skipped(source.display, "outside_roots"))
    return kept, outside


def _entry(result: batch.FileResult, root: Path, roots: Sequence[Path]) -> dict[str, Any]:
    name = display(Path(result.path), root, roots)
    if result.body is None:
        return {"path": name, "error": result.error}
    return {"path": name, "intent": result.body["file_intent"]}


def _truncation(read: int, found: int, listed: int | None) -> str | None:
    """Why the overview is incomplete, as a sentence, or None when it is whole."""
    notes = []
    if found > read:
        notes.append(f"only the first {read} of {found} files were read (max_files)")
    if listed is not None:
        notes.append(f"the list stops after {listed} files to stay under {MAX_CHARS} characters")
    if not notes:
        return None
    return "; ".join(notes) + "; narrow path or include to see the rest."


def _bounded(entries: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], bool]:
    """The leading entries that fit in ``MAX_CHARS``; True when some were cut."""
    used = 0
    for count, entry in enumerate(entries):
        used += len(json.dumps(entry, ensure_ascii=False)) + 8  # separators and indent
        if used > MAX_CHARS:
            return entries[:count], True
    return entries, False
