"""Worst inputs under the body limit, in every language: how long a live server takes.

    .venv/bin/python bench/worst_inputs.py [--languages python,go] [--shapes "long lines"]

Starts ``iris serve`` with its default settings (the structural budget among them) and
sends, one at a time, each shape below in each supported language, every body just under
``IRIS_MAX_SOURCE_BYTES`` as JSON: one-line statements, 100,000-odd short lines, a few
very long lines, random printable bytes, and brackets nested tens of thousands deep. It
prints each answer's wall time (client side, JSON encoding and the upload included),
whether it came back ``degraded``, and the ratio to a baseline measured in the same run:
a cold analysis of a 300-line Python module. The goal (issue 12): every answer a 200
within 3 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cold_start import python_file
from iris_codes.config import Settings
from iris_codes.syntax.languages import LANGUAGES
from iris_codes.testing import ServerProcess

GOAL_SECONDS = 3.0
# Room for the rest of the body (filename, language, quotes) under the limit.
HEADROOM = 512


def _repeat(unit: str) -> Callable[[int], str]:
    def make(budget: int) -> str:
        count = budget // len(json.dumps(unit)[1:-1])
        return unit * count

    return make


def _statements(budget: int) -> str:
    lines: list[str] = []
    size = 0
    for i in range(budget):
        line = f"h{i}=1\n"
        size += len(line) + 1  # the newline is two characters in JSON
        if size > budget:
            break
        lines.append(line)
    return "".join(lines)


def _long_lines(budget: int) -> str:
    width = budget // 9 - 2
    return ("a" * width + "\n") * 9


def _noise(budget: int) -> str:
    rng = random.Random(12)
    # Printable ASCII without the two characters JSON escapes, so the body stays in size.
    alphabet = [chr(c) for c in range(32, 127) if chr(c) not in '"\\']
    return "".join(rng.choice(alphabet) for _ in range(budget))


def _nesting(budget: int) -> str:
    half = budget // 2
    return "(" * half + ")" * half


SHAPES: dict[str, Callable[[int], str]] = {
    "one-line statements": _statements,
    "short lines": _repeat("x;\n"),
    "long lines": _long_lines,
    "random bytes": _noise,
    "deep nesting": _nesting,
}


def post(url: str, body: bytes, timeout: float = 120) -> tuple[float, int, dict[str, object]]:
    """Seconds, status and decoded answer of one analyze request."""
    request = urllib.request.Request(
        f"{url}/api/iris/analyze",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            status, raw = reply.status, reply.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    return time.perf_counter() - started, status, json.loads(raw)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--languages", help="comma-separated language ids (default: all)")
    parser.add_argument("--shapes", help="comma-separated shape names (default: all)")
    args = parser.parse_args()
    wanted = set(args.languages.split(",")) if args.languages else None
    shapes = args.shapes.split(",") if args.shapes else list(SHAPES)
    languages = [lang for lang in LANGUAGES if wanted is None or lang.id in wanted]
    settings = Settings()
    limit = settings.max_source_bytes - HEADROOM
    sources = {shape: SHAPES[shape](limit) for shape in shapes}
    work = Path(tempfile.mkdtemp(prefix="iris-worst-"))
    server = ServerProcess(
        {}, workers=settings.workers, threads=settings.threads, cache_dir=work / "cache"
    )
    server.start()
    rows: list[tuple[str, str, float, int, bool, int]] = []
    try:
        base_body = json.dumps({"filename": "orders.py", "source_code": python_file(300)})
        baseline, status, _ = post(server.url, base_body.encode())
        assert status == 200, status
        budget = settings.structural_budget
        print(f"server: {settings.workers} workers, structural budget {budget} s")
        print(f"baseline (cold 300-line Python module): {baseline * 1000:.0f} ms\n")
        print(f"{'language':<16} {'shape':<20} {'body KB':>8} {'seconds':>8} {'x base':>7}  answer")
        for lang in languages:
            for shape, source in sources.items():
                name = f"worst{lang.extensions[0]}"
                body = json.dumps({"filename": name, "language": lang.id, "source_code": source})
                seconds, status, answer = post(server.url, body.encode())
                degraded = bool(answer.get("metadata", {}).get("degraded"))  # type: ignore[union-attr]
                rows.append((lang.id, shape, seconds, status, degraded, len(body)))
                note = "degraded" if degraded else ("ok" if status == 200 else answer.get("code"))
                print(f"{lang.id:<16} {shape:<20} {len(body) / 1024:>8.0f} {seconds:>8.2f} "
                      f"{seconds / baseline:>7.1f}  {status} {note}")  # fmt: skip
    finally:
        server.stop()
    times = [row[2] for row in rows]
    failures = [row for row in rows if row[3] != 200]
    slow = [row for row in rows if row[2] > GOAL_SECONDS]
    worst = max(rows, key=lambda row: row[2])
    print(f"\n{len(rows)} answers: median {statistics.median(times):.2f} s, "
          f"slowest {worst[2]:.2f} s ({worst[0]}, {worst[1]}), "
          f"{sum(row[4] for row in rows)} degraded, {len(failures)} not 200, "
          f"{len(slow)} over {GOAL_SECONDS:.0f} s")  # fmt: skip
    load = os.getloadavg()[0]
    print(f"load average {load:.2f} on {os.cpu_count()} CPUs")
    verdict = not failures and not slow
    goal = f"every answer a 200 within {GOAL_SECONDS:.0f} s"
    print(f"verdict: {'PASS' if verdict else 'FAIL'} ({goal})")
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
