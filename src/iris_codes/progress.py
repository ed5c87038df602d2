"""Progress of ``iris analyze PATH…`` on stderr: a rich bar on a terminal, plain lines elsewhere.

Results go to stdout through ``emit`` (above the bar when both are the same terminal), so
``iris analyze src > toc.txt`` keeps the bar on screen and only the results in the file.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TYPE_CHECKING, Any, TextIO

import click

from .textsafe import printable, strip_controls

if TYPE_CHECKING:
    from .batch import FileResult


class Progress:
    """Shows nothing (one file, as before); the base of the two visible kinds."""

    def start(self, total: int, skipped: int, jobs: int) -> None:
        """The walk is done: ``total`` files to analyse, ``skipped`` left out."""

    def advance(self, result: FileResult) -> None:
        """One more file is done."""

    def emit(self, text: str) -> None:
        """Write one result to stdout, styled only when stdout is a terminal."""
        stream = sys.stdout  # looked up now: the rich bar swaps it while it runs
        try:
            stream.write((text if stream.isatty() else click.unstyle(text)) + "\n")
            stream.flush()
        except BrokenPipeError:
            # The reader left (``| head``): keep analysing so the cache and the report
            # still fill, and write nothing more there.
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until exit

    def close(self) -> None:
        """The run is over (finished or interrupted)."""


class PlainProgress(Progress):
    """One line per finished file on stderr, for logs, pipes and tests."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.total = self.done = 0

    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def start(self, total: int, skipped: int, jobs: int) -> None:
        """Announce the work."""
        self.total = total
        self._line(f"iris: {total} files to analyse ({skipped} skipped), {jobs} workers")

    def advance(self, result: FileResult) -> None:
        """``[done/total] path: status``."""
        self.done += 1
        detail: str = result.status
        if result.status == "failed":
            detail = f"failed ({result.code}): {strip_controls(str(result.error))}"
        elif result.status == "skipped":
            detail = f"skipped ({result.code})"
        self._line(f"[{self.done}/{self.total}] {printable(result.path)}: {detail}")


class RichProgress(Progress):
    """A live bar: files done/total, files per second, cache hits, time left."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as Bar

        self._bar = Bar(
            TextColumn("[bold]iris[/] analysing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} files/s"),
            TextColumn("{task.fields[hits]} cached"),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            # Results printed meanwhile go above the bar only when they share its terminal.
            redirect_stdout=sys.stdout.isatty(),
            redirect_stderr=False,
        )
        self._task: Any = None
        self._started = time.perf_counter()
        self._done = self._hits = 0

    def start(self, total: int, skipped: int, jobs: int) -> None:
        """Show the bar."""
        self._started = time.perf_counter()
        self._bar.start()
        self._task = self._bar.add_task("analyse", total=total, rate="0.0", hits=0)

    def advance(self, result: FileResult) -> None:
        """Move the bar by one file."""
        self._done += 1
        self._hits += result.status == "cached"
        elapsed = max(time.perf_counter() - self._started, 1e-6)
        rate = f"{self._done / elapsed:.1f}"
        self._bar.update(self._task, advance=1, rate=rate, hits=self._hits)

    def close(self) -> None:
        """Leave the last state of the bar on screen."""
        self._bar.stop()


def make_progress(visible: bool) -> Progress:
    """The kind of progress that fits where stderr goes."""
    if not visible:
        return Progress()
    return RichProgress() if sys.stderr.isatty() else PlainProgress()
