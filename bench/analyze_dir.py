"""``iris analyze DIR`` over whole folders: wall time and files per second, cold and cached.

    .venv/bin/python bench/analyze_dir.py [--jobs N] [PATH ...]

By default it measures this repository's ``src/`` and the standard library's ``email`` and
``json`` packages. Each folder runs twice through the real console script with the
structural engine and a fresh ``IRIS_CACHE_DIR``: *cold* (empty cache) then *cached* (the
same cache again). Wall time includes the process start; the batch's own time is what
``--json``'s summary reports. Prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
IRIS = str(Path(sys.executable).with_name("iris"))


def default_targets() -> list[tuple[str, Path]]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    return [
        ("this repository's src/", REPO / "src"),
        ("stdlib email/", stdlib / "email"),
        ("stdlib json/", stdlib / "json"),
    ]


def measure(path: Path, cache_dir: str, jobs: int | None) -> tuple[float, dict[str, object]]:
    """One run of ``iris analyze PATH --json``: wall seconds and the summary."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IRIS_", "OPENAI_"))}
    env.update({"IRIS_CACHE_DIR": cache_dir, "IRIS_ENGINE": "structural"})
    command = [IRIS, "analyze", str(path), "--json", *(["--jobs", str(jobs)] if jobs else [])]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    summary: dict[str, object] = json.loads(done.stdout)["summary"]
    return wall, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="folders to measure")
    parser.add_argument("--jobs", type=int, help="passed to iris analyze (default: cores)")
    args = parser.parse_args()
    targets = [(str(p), p) for p in args.paths] or default_targets()
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    cores = len(os.sched_getaffinity(0))
    print(f"cores: {cores}, load average: {load}, jobs: {args.jobs or 'default (cores)'}\n")
    print("| folder | run | files | analysed | cache hits | wall s | files/s (wall) | batch s |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for name, path in targets:
        with tempfile.TemporaryDirectory(prefix="iris-bench-analyze-") as cache_dir:
            for run in ("cold", "cached"):
                wall, summary = measure(path, cache_dir, args.jobs)
                files = int(str(summary["files"]))
                print(
                    f"| {name} | {run} | {files} | {summary['analysed']} | "
                    f"{summary['cache_hits']} | {wall:.2f} | {files / wall:.1f} | "
                    f"{summary['seconds']} |"
                )


if __name__ == "__main__":
    main()
