"""Cold start: how long a fresh process takes to be ready, against a bare Flask app.

    .venv/bin/python bench/cold_start.py [--runs 7]

Each case runs in a fresh interpreter (as a new Lambda execution environment or a new
Gunicorn worker would), ``--runs`` times; the table shows median and worst milliseconds
and the ratio to the baseline measured in the same run: importing Flask and building an
empty app.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

CASES = {
    "baseline: import flask + empty app": (
        "import flask; flask.Flask('x')",
    ),
    "iris CLI ready (iris --help)": (
        "import iris_codes.cli",
    ),
    "Lambda handler ready (import)": (
        "import iris_codes.deploy.aws_lambda",
    ),
    "Lambda handler + first request (python)": (
        "from iris_codes.deploy.aws_lambda import handler",
        "r = handler(EVENT, None)",
        "assert r['statusCode'] == 200, r",
    ),
}  # fmt: skip

EVENT = {
    "version": "2.0",
    "routeKey": "$default",
    "rawPath": "/api/iris/analyze",
    "rawQueryString": "",
    "headers": {"content-type": "application/json", "x-api-key": "bench"},
    "requestContext": {
        "http": {"method": "POST", "path": "/api/iris/analyze", "protocol": "HTTP/1.1",
                 "sourceIp": "127.0.0.1", "userAgent": "bench"},
        "stage": "$default",
    },
    "body": json.dumps({"filename": "cold.py", "source_code": "def f():\n    return 1\n"}),
    "isBase64Encoded": False,
}  # fmt: skip


def time_case(lines: tuple[str, ...], runs: int) -> list[float]:
    """Milliseconds for each fresh-interpreter run of ``lines``."""
    program = "\n".join(
        ["import time, json", "t = time.perf_counter()", f"EVENT = {EVENT!r}", *lines,
         "print((time.perf_counter() - t) * 1000)"]
    )  # fmt: skip
    results = []
    for _ in range(runs):
        cache = tempfile.mkdtemp(prefix="iris-cold-")
        env = {**os.environ, "IRIS_API_KEY": "bench", "IRIS_CACHE_DIR": cache, "TMPDIR": cache}
        out = subprocess.run(
            [sys.executable, "-c", program], env=env, capture_output=True, text=True, check=True
        )
        results.append(float(out.stdout.strip().splitlines()[-1]))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(f"{'case':<42} {'median ms':>10} {'worst ms':>9} {'x baseline':>11}")
    baseline = None
    for name, lines in CASES.items():
        timings = time_case(lines, args.runs)
        median = statistics.median(timings)
        baseline = baseline or median
        print(f"{name:<42} {median:>10.1f} {max(timings):>9.1f} {median / baseline:>10.2f}x")


if __name__ == "__main__":
    main()
