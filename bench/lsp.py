"""The language server against shelling out to ``iris analyze`` once per file.

    .venv/bin/python bench/lsp.py [--rounds 3]

An editor integration without ``iris lsp`` would run ``iris analyze --json FILE`` on
each open or save; that is the baseline, measured in the same run on the same sample
files (tests/samples, every supported language), with a fresh cache (uncached) and again
(cached). The language server runs once (structural engine, fresh cache) and is timed per
request from the client's side: ``didOpen`` + ``documentSymbol`` of a new file, the same
request again (same version), and ``didChange`` (new content) + ``documentSymbol``.
Figures are median and p90 milliseconds over all files and rounds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "samples"
sys.path.insert(0, str(ROOT / "tests"))

from lsp_client import LspClient  # noqa: E402


def sample_files() -> list[Path]:
    """One sample per supported language that the structural engine gives blocks."""
    from iris_codes.syntax.languages import detect_language

    files = []
    for path in sorted(SAMPLES.iterdir()):
        language = detect_language(path.name, "")
        if language is not None and path.stat().st_size > 0 and "min." not in path.name:
            files.append(path)
    return files


def language_of(path: Path) -> str:
    from iris_codes.syntax.languages import detect_language

    language = detect_language(path.name, "")
    assert language is not None
    return language.id


def timed(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def cli_times(files: list[Path], env: dict[str, str]) -> list[float]:
    def run(path: Path) -> None:
        subprocess.run(
            [sys.executable, "-m", "iris_codes", "analyze", "--json", str(path)],
            env=env,
            check=True,
            capture_output=True,
        )

    return [timed(lambda path=path: run(path)) for path in files]


def lsp_times(files: list[Path], env: dict[str, str], round_: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"ready": [], "open": [], "again": [], "change": []}
    start = time.perf_counter()
    client = LspClient([], env, Path(tempfile.mkdtemp(prefix="iris-lsp-bench-")) / "lsp.log")
    client.initialize()
    times["ready"].append((time.perf_counter() - start) * 1000)
    for path in files:
        uri = f"file:///bench/round{round_}/{path.name}"
        text = path.read_text()
        item = {"uri": uri, "languageId": language_of(path), "version": 1, "text": text}
        symbols = {"textDocument": {"uri": uri}}

        def open_and_ask(item: dict[str, Any] = item, symbols: dict[str, Any] = symbols) -> None:
            client.notify("textDocument/didOpen", {"textDocument": item})
            client.request("textDocument/documentSymbol", symbols)

        def change_and_ask(
            uri: str = uri, text: str = text, symbols: dict[str, Any] = symbols
        ) -> None:
            changes = [{"text": text + "\n"}]
            document = {"uri": uri, "version": 2}
            client.notify(
                "textDocument/didChange", {"textDocument": document, "contentChanges": changes}
            )
            client.request("textDocument/documentSymbol", symbols)

        times["open"].append(timed(open_and_ask))
        times["again"].append(
            timed(lambda s=symbols: client.request("textDocument/documentSymbol", s))
        )
        times["change"].append(timed(change_and_ask))
    client.exit()
    client.close()
    return times


def summary(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return statistics.median(ordered), p90


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    files = sample_files()
    rows: dict[str, list[float]] = {}
    for round_ in range(rounds):
        with tempfile.TemporaryDirectory() as cli_cache, tempfile.TemporaryDirectory() as lsp_cache:
            base = {k: v for k, v in os.environ.items() if not k.startswith(("IRIS_", "OPENAI_"))}
            cli_env = {**base, "IRIS_CACHE_DIR": cli_cache, "IRIS_ENGINE": "structural"}
            lsp_env = {**base, "IRIS_CACHE_DIR": lsp_cache, "IRIS_ENGINE": "structural"}
            rows.setdefault("baseline: iris analyze --json, uncached", []).extend(
                cli_times(files, cli_env)
            )
            rows.setdefault("iris analyze --json, cached", []).extend(cli_times(files, cli_env))
            measured = lsp_times(files, lsp_env, round_)
        rows.setdefault("lsp: start + initialize", []).extend(measured["ready"])
        rows.setdefault("lsp: didOpen + documentSymbol, new file", []).extend(measured["open"])
        rows.setdefault("lsp: documentSymbol again, same version", []).extend(measured["again"])
        rows.setdefault("lsp: didChange + documentSymbol, new content", []).extend(
            measured["change"]
        )
    baseline = statistics.median(rows["baseline: iris analyze --json, uncached"])
    print(f"{len(files)} files x {rounds} rounds; load average {os.getloadavg()[0]:.1f}")
    print("| case | n | median ms | p90 ms | x baseline (median) |")
    print("|---|---|---|---|---|")
    for name, values in rows.items():
        median, p90 = summary(values)
        print(f"| {name} | {len(values)} | {median:.1f} | {p90:.1f} | {median / baseline:.3f}x |")


if __name__ == "__main__":
    main()
