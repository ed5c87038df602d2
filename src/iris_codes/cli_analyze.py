"""``iris analyze PATH…``: walk, analyse in parallel, show progress, print and write reports.

One file named on its own prints exactly what it always did (its table of contents, or the
API's JSON with ``--json``); anything else is a batch with a summary and an exit code:
0 all answered, 1 some file failed, 130 interrupted.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
import msgspec

from . import batch, report
from .progress import Progress, make_progress
from .textsafe import json_escaped, printable, strip_controls
from .walk import Discovery, Rules, SourceFile, discover

if TYPE_CHECKING:
    from .batch import Analyzer, FileResult, Run
    from .config import Settings

INTERRUPTED = 130


class AnalyzeOptions(msgspec.Struct, frozen=True):
    """What the command line asked for."""

    paths: tuple[str, ...]
    as_json: bool = False
    markdown_path: str | None = None
    language: str | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    jobs: int | None = None
    server: str | None = None
    api_key: str | None = None

    @property
    def single(self) -> bool:
        """One file named on its own: print as ``iris analyze FILE`` always has."""
        only = self.paths[0]
        return len(self.paths) == 1 and (only == "-" or Path(only).is_file())


def run_analyze(settings: Settings, options: AnalyzeOptions) -> int:
    """Run the command; the exit code. ``IrisError`` escapes only before any work starts."""
    try:
        found = _find(settings, options)
    except KeyboardInterrupt:
        click.echo("interrupted while looking for files", err=True)
        return INTERRUPTED
    analyzer = _analyzer(settings, options)
    jobs = options.jobs or batch.default_jobs(remote=bool(options.server))
    run = _run(found, analyzer, jobs, options)
    _output(run, options)
    if run.interrupted:
        sys.stdout.flush()
        sys.stderr.flush()
        if run.stragglers:
            # Analyses still running would hold the exit; every stored answer is committed.
            os._exit(INTERRUPTED)
        return INTERRUPTED
    analyzer.close()
    return 1 if any(result.status == "failed" for result in run.results) else 0


def _output(run: Run, options: AnalyzeOptions) -> None:
    if not options.single:
        _print_batch(run, options.as_json)
    elif run.interrupted:
        click.echo("interrupted", err=True)
    else:
        _print_single(run.results[0], options.as_json)
    if options.markdown_path:
        _write_markdown(run, options.paths, options.markdown_path)


def _find(settings: Settings, options: AnalyzeOptions) -> Discovery:
    if options.single:
        return Discovery(files=[SourceFile(Path(options.paths[0]), options.paths[0])])
    rules = Rules(settings.max_source_bytes, options.include, options.exclude)
    return discover(options.paths, rules)


def _analyzer(settings: Settings, options: AnalyzeOptions) -> Analyzer:
    if options.server:
        from .remote import RemoteAnalyzer

        return RemoteAnalyzer(options.server, options.api_key)
    from .service import Service

    return batch.LocalAnalyzer(Service(settings))


def _run(found: Discovery, analyzer: Analyzer, jobs: int, options: AnalyzeOptions) -> Run:
    progress = make_progress(visible=not options.single)
    printer = _OrderedPrinter(progress) if not (options.single or options.as_json) else None

    def on_result(index: int, result: FileResult) -> None:
        progress.advance(result)
        if printer is not None:
            printer.add(index, result)

    progress.start(len(found.files), len(found.skipped), jobs)
    try:
        run = batch.run(
            found.files,
            found.skipped,
            analyzer,
            jobs=jobs,
            language=options.language,
            on_result=on_result,
        )
        if printer is not None:
            printer.flush_remaining()
    finally:
        progress.close()
    return run


class _OrderedPrinter:
    """Prints results in tree order as soon as every earlier file is done."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.waiting: dict[int, FileResult] = {}
        self.next = 0

    def add(self, index: int, result: FileResult) -> None:
        self.waiting[index] = result
        while self.next in self.waiting:
            self.progress.emit(report.render_result(self.waiting.pop(self.next)))
            self.next += 1

    def flush_remaining(self) -> None:
        """After an interruption: what finished, still in order, gaps left out."""
        for index in sorted(self.waiting):
            self.progress.emit(report.render_result(self.waiting.pop(index)))


def _print_single(result: FileResult, as_json: bool) -> None:
    if result.body is None:
        error = strip_controls(result.error or "The file could not be analysed.")
        raise click.ClickException(error)
    if as_json:
        click.echo(json_text(result.body))
    else:
        click.echo(report.render_toc(result.path, result.body))


def _print_batch(run: Run, as_json: bool) -> None:
    if as_json:
        click.echo(json_text(report.json_document(run)))
    click.echo(report.summary_line(run.summary()), err=True)


def json_text(document: object) -> str:
    """Indented JSON whose strings hold no raw control character (a path may have some)."""
    return json_escaped(json.dumps(document, indent=2, ensure_ascii=False))


def _write_markdown(run: Run, roots: tuple[str, ...], path: str) -> None:
    text = report.markdown_report(run, roots, path)
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"Cannot write {printable(path)}: {exc.strerror}.") from None
    click.echo(f"wrote {printable(path)}", err=True)
