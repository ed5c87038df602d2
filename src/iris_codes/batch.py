"""Run many files through one analyzer in a bounded thread pool; Ctrl-C stops it promptly.

The analyzer is the local ``Service`` (same engines and cache as ``iris serve``) or a
remote server. Each file's outcome is a ``FileResult``; a failure is recorded for that
file and the run goes on.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any, Literal, Protocol

import msgspec

from .errors import IrisError
from .models import AnalyzeRequest
from .textsafe import printable

if TYPE_CHECKING:
    from .service import Service
    from .walk import Skipped, SourceFile

Status = Literal["analysed", "cached", "failed", "skipped"]
_POLL_SECONDS = 0.1  # how often the waiting main thread wakes, so Ctrl-C is seen at once


class Analyzer(Protocol):
    """Turns one file into the success body ``POST /api/iris/analyze`` returns.

    Raises an ``IrisError`` when there is no answer; called from several threads at once.
    """

    def analyze(self, filename: str, language: str | None, source: str) -> dict[str, Any]:
        """The API's success body for ``source``."""
        ...

    def close(self) -> None:
        """Release connections and engines."""
        ...


class LocalAnalyzer:
    """Analyses in this process through ``Service``: the server's cache and engines."""

    def __init__(self, service: Service) -> None:
        self._service = service

    def analyze(self, filename: str, language: str | None, source: str) -> dict[str, Any]:
        """The API's success body, computed here or found in the cache."""
        request = AnalyzeRequest(filename=filename, language=language, source_code=source)
        return self._service.analyze(request).to_dict()

    def close(self) -> None:
        """Close the service's engines and cache."""
        self._service.close()


class FileResult(msgspec.Struct):
    """One file's outcome: its answer (``body``), or why there is none."""

    path: str
    status: Status
    body: dict[str, Any] | None = None
    error: str | None = None
    code: str | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The entry for this file in ``--json`` output."""
        entry: dict[str, Any] = {"path": self.path, "status": self.status}
        if self.body is not None:
            entry.update({k: v for k, v in self.body.items() if k != "success"})
        if self.error is not None:
            entry.update({"error": self.error, "code": self.code})
        return entry


class Run(msgspec.Struct):
    """A finished (or interrupted) batch: results in tree order and what was left out."""

    results: list[FileResult]
    skipped: list[Skipped]
    total: int
    seconds: float
    interrupted: bool = False
    stragglers: bool = False  # analyses still running when an interrupted run gave up

    def summary(self) -> dict[str, Any]:
        """Counts for the ``summary`` of ``--json`` output and the closing line."""
        statuses = Counter(result.status for result in self.results)
        reasons = Counter(item.reason for item in self.skipped)
        reasons.update(r.code or "skipped" for r in self.results if r.status == "skipped")
        done = len(self.results)
        return {
            "files": self.total,
            "analysed": statuses["analysed"],
            "cache_hits": statuses["cached"],
            "failed": statuses["failed"],
            "skipped": dict(sorted(reasons.items())),
            "unfinished": self.total - done,
            "seconds": round(self.seconds, 3),
            "files_per_second": round(done / self.seconds, 1) if self.seconds > 0 else 0.0,
            "interrupted": self.interrupted,
        }


def default_jobs(remote: bool) -> int:
    """Worker threads: one per usable core; more for a server, where the wait is network."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cores = max(1, cores or 1)
    return min(4 * cores, 16) if remote else cores


def analyze_file(
    analyzer: Analyzer,
    source_file: SourceFile,
    language: str | None,
    read: Callable[[SourceFile], bytes] | None = None,
) -> FileResult:
    """Read, decode and analyse one file; every failure becomes a result, never a raise.

    ``read`` replaces the plain read of the file (MCP opens files confined to its roots);
    an ``IrisError`` it raises is that file's failure.
    """
    started = time.perf_counter()
    path = source_file.display
    try:
        text = (read or _read)(source_file).decode("utf-8-sig")
    except IrisError as exc:
        return FileResult(path, "failed", error=exc.message, code=exc.code)
    except UnicodeDecodeError:
        return FileResult(
            path, "skipped", error=f"{printable(path)} is not UTF-8 text.", code="not_utf8"
        )
    except OSError as exc:
        return FileResult(
            path, "failed", error=f"Cannot read {printable(path)}: {exc.strerror}.", code="io"
        )
    try:
        body = analyzer.analyze(path, language or source_file.language, text)
    except IrisError as exc:
        return FileResult(path, "failed", error=exc.message, code=exc.code)
    except Exception as exc:  # an engine bug must not end the whole run
        message = f"{type(exc).__name__}: {exc}"
        return FileResult(path, "failed", error=message, code="internal_error")
    status: Status = "cached" if body.get("metadata", {}).get("cache_hit") else "analysed"
    return FileResult(path, status, body=body, seconds=time.perf_counter() - started)


def _read(source_file: SourceFile) -> bytes:
    # "-" is standard input, as for ``iris analyze -``.
    if source_file.display == "-":
        return sys.stdin.buffer.read()
    return source_file.path.read_bytes()


def run(
    files: Sequence[SourceFile],
    skipped: list[Skipped],
    analyzer: Analyzer,
    *,
    jobs: int,
    language: str | None = None,
    on_result: Callable[[int, FileResult], None] | None = None,
    grace: float = 0.5,
    read: Callable[[SourceFile], bytes] | None = None,
) -> Run:
    """Analyse ``files`` on ``jobs`` threads; ``on_result(index, result)`` as each ends.

    On Ctrl-C, pending files are cancelled and running ones get ``grace`` seconds; the
    ``Run`` says what finished, and ``stragglers`` whether some analyses are still going.
    """
    started = time.perf_counter()
    results: dict[int, FileResult] = {}

    def collect(future: Future[FileResult], index: int) -> None:
        results[index] = future.result()
        if on_result is not None:
            on_result(index, results[index])

    pool = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="iris-analyze")
    index_of = {
        pool.submit(analyze_file, analyzer, f, language, read): i for i, f in enumerate(files)
    }
    pending = set(index_of)
    interrupted = stragglers = False
    try:
        while pending:
            done, pending = wait(pending, timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=index_of.__getitem__):
                collect(future, index_of[future])
    except KeyboardInterrupt:
        interrupted = True
        pool.shutdown(wait=False, cancel_futures=True)
        stragglers = _drain(pending, grace, lambda future: collect(future, index_of[future]))
    else:
        pool.shutdown(wait=True)
    ordered = [results[i] for i in sorted(results)]
    seconds = time.perf_counter() - started
    return Run(ordered, skipped, len(files), seconds, interrupted, stragglers)


def _drain(
    pending: set[Future[FileResult]], grace: float, collect: Callable[[Future[FileResult]], None]
) -> bool:
    """Collect what finishes within ``grace`` seconds; True if analyses are still running."""
    running = {future for future in pending if not future.cancelled()}
    try:
        done, running = wait(running, timeout=grace)
    except KeyboardInterrupt:  # a second Ctrl-C: stop waiting at once
        done = {future for future in running if future.done()}
        running -= done
    for future in done:
        if not future.cancelled():
            collect(future)
    return bool(running)
