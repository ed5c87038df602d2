"""Cold start: how long a fresh process takes to be ready, against a bare Flask app.

    .venv/bin/python bench/cold_start.py [--runs 11] [--markdown]

Each case runs in a fresh interpreter (as a new Lambda execution environment or a new
Gunicorn worker would), ``--runs`` times (at least 10 for the figures in
docs/benchmarks.md), in rounds that run every case once, after one uncounted round that
warms the disk cache; each run gets an empty cache folder, so nothing is answered from a
previous run. The table shows the
median, fastest and slowest milliseconds, the goal, and the ratio to the baseline measured
in the same run (importing Flask and building an empty app), so a slower or busier machine
shows as a larger baseline rather than as a regression.

- **Lambda handler ready**: ``import iris_codes.deploy.aws_lambda``, which is the init
  phase of a new execution environment.
- **first Lambda request**: import, then one API Gateway HTTP API (payload 2.0) event
  analysing a 300-line Python file: the latency of the request that met a cold start.
  Most of it is the structural engine (its imports, the grammar, the analysis), which
  ``of which the engine alone`` measures without the app; the rest is Flask, pydantic and
  the service. ``first request alone`` is the request without the module import.
- **Lambda init phase**: the same import and request with ``AWS_LAMBDA_INITIALIZATION_TYPE``
  set, as Lambda sets it while it initialises an environment: the import then builds the
  app and warms the engine, work that AWS runs on a full vCPU during init, and the first
  request is what is left.
- **DynamoDB cache**: the first Lambda request again, with ``IRIS_CACHE_URL`` on a fresh
  DynamoDB table (moto's server on loopback) and the credentials in the environment, as
  the SAM template deploys it. A real region adds a TLS handshake (tens of ms).
- **iris serve → first 200 on health**: from launching ``iris serve`` (Gunicorn, default
  workers) to the first 200 from ``/api/iris/health``.

The deployment IRIS left measured 1–3 s of cold start (``../shared/seed/``).
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

OLD_DEPLOYMENT = "1000–3000"


def python_file(lines: int = 300) -> str:
    """A realistic Python module of exactly ``lines`` lines (imports, classes, functions)."""
    out = [
        '"""Orders: load, price and report them (a generated module for the benchmark)."""',
        "",
        "from __future__ import annotations",
        "",
        "import json",
        "import logging",
        "from dataclasses import dataclass, field",
        "from pathlib import Path",
        "",
        "logger = logging.getLogger(__name__)",
        "TAX_RATE = 0.2",
        "",
    ]
    index = 0
    while len(out) < lines:
        index += 1
        out += [
            "",
            "@dataclass",
            f"class Order{index}:",
            f'    """An order of kind {index}."""',
            "",
            "    number: int",
            "    items: list[float] = field(default_factory=list)",
            "",
            "    def total(self) -> float:",
            '        """Sum of the items with tax."""',
            "        subtotal = sum(self.items)",
            "        return round(subtotal * (1 + TAX_RATE), 2)",
            "",
            "    def describe(self) -> str:",
            f'        return f"order {{self.number}} of kind {index}: {{self.total()}}"',
            "",
            "",
            f"def load_orders_{index}(path: Path) -> list[Order{index}]:",
            f'    """Read kind-{index} orders from a JSON file."""',
            "    rows = json.loads(path.read_text())",
            f"    orders = [Order{index}(row['number'], row['items']) for row in rows]",
            '    logger.info("loaded %s orders", len(orders))',
            "    return orders",
            "",
        ]
    return "\n".join(out[:lines]) + "\n"


def http_api_event(source: str) -> dict[str, object]:
    return {
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
        "body": json.dumps({"filename": "orders.py", "source_code": source}),
        "isBase64Encoded": False,
    }  # fmt: skip


PYTHON_CASES: dict[str, tuple[tuple[str, ...], float | None]] = {
    "baseline: import flask + empty app": (("import flask; flask.Flask('x')",), None),
    "iris CLI ready (import iris_codes.cli)": (("import iris_codes.cli",), None),
    "Lambda handler ready (import)": (("import iris_codes.deploy.aws_lambda",), 150),
    "first Lambda request, 300-line .py (import + request)": (
        (
            "from iris_codes.deploy.aws_lambda import handler",
            "r = handler(EVENT, None)",
            "assert r['statusCode'] == 200, r",
        ),
        250,
    ),
    "  of which the engine alone: import + analyse, no app": (
        (
            "from iris_codes.engines.structural import StructuralEngine",
            "source = json.loads(EVENT['body'])['source_code']",
            "StructuralEngine().analyze(source, 'python', 'orders.py')",
        ),
        None,
    ),
    "first request alone (after the import)": (
        (
            "from iris_codes.deploy.aws_lambda import handler",
            "t = time.perf_counter()",
            "r = handler(EVENT, None)",
            "assert r['statusCode'] == 200, r",
        ),
        None,
    ),
}


LAMBDA_IMPORT = PYTHON_CASES["Lambda handler ready (import)"][0]
LAMBDA_REQUEST = PYTHON_CASES["first Lambda request, 300-line .py (import + request)"][0]
REQUEST_ALONE = PYTHON_CASES["first request alone (after the import)"][0]
INIT_CASE = "Lambda init phase (import; it warms the app and engine)"
INIT_REQUEST_CASE = "  then the first request"
DYNAMODB_CASE = "first Lambda request, DynamoDB cache (as the SAM template deploys)"
#: What Lambda puts in a function's environment (moto takes any credentials).
AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_SESSION_TOKEN": "bench",
    "AWS_REGION": "us-east-1",
}


class MotoServer:
    """moto's DynamoDB on loopback, with a fresh table for every run (each run a miss)."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.tables = 0
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("moto server did not start")

    def new_table_url(self) -> str:
        from iris_codes.cache.dynamodb import DynamoDBTier

        self.tables += 1
        table = f"iris-cold-{self.tables}"
        saved = {name: os.environ.get(name) for name in AWS_ENVIRONMENT}
        os.environ.update(AWS_ENVIRONMENT)
        tier = DynamoDBTier(table, "us-east-1", self.endpoint)
        try:
            tier.init()
        finally:
            tier.close()
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        return f"dynamodb://{table}?region=us-east-1&endpoint_url={self.endpoint}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def _environment(cache: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IRIS_", "OPENAI_"))}
    env.update(IRIS_API_KEY="bench", IRIS_CACHE_DIR=cache, TMPDIR=cache, IRIS_LOG_LEVEL="ERROR")
    env.update(extra or {})
    return env


def time_python(
    lines: tuple[str, ...], event: dict[str, object], extra: dict[str, str] | None = None
) -> float:
    """Milliseconds of one fresh-interpreter run of ``lines``."""
    program = "\n".join(
        ["import time, json", f"EVENT = json.loads({json.dumps(json.dumps(event))})",
         "t = time.perf_counter()", *lines, "print((time.perf_counter() - t) * 1000)"]
    )  # fmt: skip
    cache = tempfile.mkdtemp(prefix="iris-cold-")
    try:
        out = subprocess.run(
            [sys.executable, "-c", program],
            env=_environment(cache, extra),
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return float(out.stdout.strip().splitlines()[-1])


def time_serve() -> float:
    """Milliseconds from launching ``iris serve`` to its first 200 on the health route."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cache = tempfile.mkdtemp(prefix="iris-serve-")
    iris = str(Path(sys.executable).with_name("iris"))
    url = f"http://127.0.0.1:{port}/api/iris/health"
    started = time.perf_counter()
    process = subprocess.Popen(
        [iris, "serve", "--port", str(port)],
        env=_environment(cache),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while time.perf_counter() - started < 30:
            try:
                with urllib.request.urlopen(url, timeout=1) as reply:
                    if reply.status == 200:
                        return (time.perf_counter() - started) * 1000
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.005)
        raise RuntimeError("iris serve did not answer health within 30 s")
    finally:
        process.terminate()
        process.wait(timeout=15)
        shutil.rmtree(cache, ignore_errors=True)


def compile_package() -> None:
    """Write IRIS's bytecode, as ``pip install`` does for a deployed package.

    An editable checkout under ``PYTHONDONTWRITEBYTECODE=1`` (this machine sets it) would
    otherwise compile every module in every fresh process, which no deployment does.
    """
    import iris_codes

    compileall.compile_dir(Path(iris_codes.__file__).parent, quiet=1)


def measure(cases: dict[str, Callable[[], float]], runs: int) -> dict[str, list[float]]:
    """``runs`` timings of each case, taken in rounds that run every case once.

    Interleaving spreads the machine's slow and fast moments over all cases alike, so the
    ratios to the baseline hold even when the load changes during the run. One uncounted
    round first warms the disk cache, as a warm host's page cache would be.
    """
    timings: dict[str, list[float]] = {name: [] for name in cases}
    for round_ in range(runs + 1):
        for name, run in cases.items():
            elapsed = run()
            if round_:
                timings[name].append(elapsed)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--only", help="run the cases whose name contains this text")
    parser.add_argument("--skip-serve", action="store_true", help="Python cases only")
    args = parser.parse_args()
    event = http_api_event(python_file(300))
    compile_package()
    cases: dict[str, tuple[Callable[[], float], float | None]] = {
        name: ((lambda lines=lines: time_python(lines, event)), goal)
        for name, (lines, goal) in PYTHON_CASES.items()
    }
    in_init = {"AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand"}
    cases[INIT_CASE] = (lambda: time_python(LAMBDA_IMPORT, event, in_init), None)
    cases[INIT_REQUEST_CASE] = (lambda: time_python(REQUEST_ALONE, event, in_init), None)
    moto = None
    if importlib.util.find_spec("moto") is not None:
        moto = MotoServer()
        cases[DYNAMODB_CASE] = (
            lambda: time_python(
                LAMBDA_REQUEST, event, {**AWS_ENVIRONMENT, "IRIS_CACHE_URL": moto.new_table_url()}
            ),
            250,
        )
    else:
        print(f"({DYNAMODB_CASE}: skipped, moto[server] is not installed)")
    if not args.skip_serve:
        cases["iris serve → first 200 on health"] = (time_serve, 600)
    head = ["case", "median ms", "fastest", "slowest", "goal ms", "x baseline"]
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
    else:
        print(f"{head[0]:<56} {head[1]:>9} {head[2]:>8} {head[3]:>8} {head[4]:>8} {head[5]:>10}")
    chosen = {
        name: run
        for name, (run, _goal) in cases.items()
        if not args.only or args.only in name or name.startswith("baseline")
    }
    try:
        timings_by_case = measure(chosen, args.runs)
    finally:
        if moto is not None:
            moto.stop()
    baseline = None
    for name, timings in timings_by_case.items():
        goal = cases[name][1]
        median = statistics.median(timings)
        baseline = baseline or median
        cells = [name, f"{median:.1f}", f"{min(timings):.1f}", f"{max(timings):.1f}",
                 "—" if goal is None else f"≤ {goal:.0f}", f"{median / baseline:.2f}x"]  # fmt: skip
        if args.markdown:
            print("| " + " | ".join(cells) + " |")
        else:
            print(f"{cells[0]:<56} {cells[1]:>9} {cells[2]:>8} {cells[3]:>8} {cells[4]:>8} "
                  f"{cells[5]:>10}")  # fmt: skip
    old = f"the Lambda deployment IRIS left: {OLD_DEPLOYMENT} ms of cold start"
    print(f"| {old} | | | | | |" if args.markdown else f"({old}; {args.runs} runs a case)")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\n{args.runs} runs a case on {os.cpu_count()} CPUs, load average {load:.2f}")


if __name__ == "__main__":
    main()
