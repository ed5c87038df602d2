"""Cache-hit throughput: `iris serve` (default settings) against a bare Flask app.

    .venv/bin/python bench/cache_hits.py [--duration 10] [--rounds 3] [--connections 32]
                                         [--client wrk|python] [--service-hits 20000]
                                         [--iris-env NAME=VALUE ...]

Both servers run under the same Gunicorn settings (workers, threads, gthread worker
class, keep-alive) taken from IRIS's defaults. The bare app answers POST
/api/iris/analyze with a constant JSON body of exactly the size IRIS returns for the
cached file, so the ratio isolates what IRIS adds on a hit. Rounds alternate between
the two servers to spread the noise of a shared machine. The load generator is `wrk`
(Debian package `wrk`) when installed, else a Python multi-threaded client.

Then it times `Service.analyze` in-process for a cache hit and breaks the time down.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "samples" / "flask_app.py"

from iris_codes.config import Settings  # noqa: E402
from iris_codes.testing import ServerProcess, free_port  # noqa: E402

BARE_APP = """
import os
from flask import Flask, Response

BODY = open(os.environ["BARE_BODY_FILE"], "rb").read()
app = Flask(__name__)


@app.post("/api/iris/analyze")
def analyze():
    return Response(BODY, mimetype="application/json")
"""

WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = io.open(os.getenv("BENCH_BODY_FILE"), "rb"):read()
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT %d %d %d %d %d %d %d %d %d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


@dataclass
class Run:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per server, alternating")
    parser.add_argument("--warmup", type=float, default=3.0, help="uncounted seconds each")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--client", choices=["wrk", "python"], default=None)
    parser.add_argument("--service-hits", type=int, default=20_000)
    parser.add_argument(
        "--iris-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for iris serve, e.g. IRIS_LOG_LEVEL=warning (A/B runs)",
    )
    args = parser.parse_args()
    client = args.client or ("wrk" if shutil.which("wrk") else "python")
    defaults = Settings()
    source = SAMPLE.read_text() if SAMPLE.exists() else "def f():\n    return 1\n" * 40
    request = {"filename": "flask_app.py", "language": "python", "source_code": source}
    work = Path(tempfile.mkdtemp(prefix="iris-bench-cache-"))
    request_file = work / "request.json"
    request_file.write_bytes(json.dumps(request).encode())

    print(f"load: {client}, {args.connections} connections, {args.rounds} x {args.duration:.0f} s")
    print(f"gunicorn: {defaults.workers} workers x {defaults.threads} threads, gthread")
    iris_env = dict(item.split("=", 1) for item in args.iris_env)
    if iris_env:
        print(f"iris environment: {iris_env}")
    iris = ServerProcess(
        iris_env, workers=defaults.workers, threads=defaults.threads, cache_dir=work / "cache"
    )
    iris.start()
    bare: subprocess.Popen[bytes] | None = None
    try:
        body = warm(iris.url, request_file)
        (work / "body.json").write_bytes(body)
        bare_port = free_port()
        bare = start_bare(work, bare_port, defaults)
        targets = (("bare flask", f"http://127.0.0.1:{bare_port}"), ("iris (cache hit)", iris.url))
        warm_up = argparse.Namespace(**{**vars(args), "duration": args.warmup})
        for name, url in targets:  # not counted: workers boot, caches and CPU clocks settle
            drive(client, name, url, request_file, warm_up, work)
        before = metrics(iris.url)
        runs: dict[str, list[Run]] = {name: [] for name, _ in targets}
        for _ in range(args.rounds):
            for name, url in targets:
                runs[name].append(drive(client, name, url, request_file, args, work))
        after = metrics(iris.url)
    finally:
        iris.stop()
        if bare is not None:
            bare.terminate()
            bare.wait(timeout=15)
    misses, hits = (
        int(after.get(series, 0) - before.get(series, 0))
        for series in (
            'requests_total{cache_hit="0",engine="structural"}',
            'requests_total{cache_hit="1",engine="structural"}',
        )
    )
    report(runs, len(body), misses, hits)
    service_latency(source, args.service_hits)
    return 0


def warm(url: str, request_file: Path) -> bytes:
    """Analyse the file once, then return the body of a cache hit."""
    for _ in range(2):
        body = post(url, request_file.read_bytes())
    if json.loads(body)["metadata"]["cache_hit"] != 1:
        raise SystemExit("warm-up did not produce a cache hit")
    return body


def post(url: str, payload: bytes) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("POST", "/api/iris/analyze", payload, {"Content-Type": "application/json"})
    reply = conn.getresponse()
    data = reply.read()
    conn.close()
    if reply.status != 200:
        raise SystemExit(f"POST failed: {reply.status} {data[:200]!r}")
    return data


def metrics(url: str) -> dict[str, float]:
    """The server's counters (Prometheus text) as a dict."""
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", "/api/iris/metrics")
    text = conn.getresponse().read().decode()
    conn.close()
    values = {}
    for line in text.splitlines():
        if line.startswith("iris_"):
            series, _, value = line.rpartition(" ")
            values[series.removeprefix("iris_")] = float(value)
    return values


def start_bare(work: Path, port: int, settings: Settings) -> subprocess.Popen[bytes]:
    """The bare Flask app under Gunicorn with IRIS's worker settings."""
    (work / "bare_app.py").write_text(BARE_APP)
    env = {**os.environ, "BARE_BODY_FILE": str(work / "body.json")}
    command = [
        sys.executable, "-m", "gunicorn", "--chdir", str(work),
        "--workers", str(settings.workers), "--threads", str(settings.threads),
        "--worker-class", "gthread", "--keep-alive", "5",
        "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "bare_app:app",
    ]  # fmt: skip
    log = (work / "bare.log").open("ab")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("bare Flask app did not start")


def drive(
    client: str, name: str, url: str, request_file: Path, args: argparse.Namespace, work: Path
) -> Run:
    if client == "wrk":
        return drive_wrk(name, url, request_file, args, work)
    return drive_python(name, url, request_file.read_bytes(), args)


def drive_wrk(name: str, url: str, request_file: Path, args: argparse.Namespace, work: Path) -> Run:
    script = work / "post.lua"
    script.write_text(WRK_SCRIPT)
    command = [
        "wrk", "--threads", "2", "--connections", str(args.connections),
        "--duration", f"{int(args.duration)}s", "--timeout", "10s",
        "--script", str(script), f"{url}/api/iris/analyze",
    ]  # fmt: skip
    env = {**os.environ, "BENCH_BODY_FILE": str(request_file)}
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    match = re.search(r"^RESULT (.+)$", out, re.MULTILINE)
    if match is None:
        raise SystemExit(f"unexpected wrk output:\n{out}")
    requests, duration_us, p50, p99, *errors = (int(x) for x in match.group(1).split())
    return Run(name, requests, duration_us / 1e6, p50 / 1000, p99 / 1000, sum(errors))


def drive_python(name: str, url: str, payload: bytes, args: argparse.Namespace) -> Run:
    host, port = url.removeprefix("http://").split(":")
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + args.duration

    def worker() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        mine: list[float] = []
        failed = 0
        headers = {"Content-Type": "application/json"}
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                conn.request("POST", "/api/iris/analyze", payload, headers)
                reply = conn.getresponse()
                reply.read()
                if reply.status != 200:
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=10)
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors += failed

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(args.connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[int(len(latencies) * 0.99)] * 1000
    return Run(name, len(latencies), elapsed, p50, p99, errors)


def report(runs: dict[str, list[Run]], body_bytes: int, misses: int, hits: int) -> None:
    print(f"\nresponse body: {body_bytes} bytes for both servers")
    columns = f"{'requests':>9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}"
    print(f"{'server':<18} {'round':>5} {columns}")
    totals: dict[str, Run] = {}
    for name, rounds in runs.items():
        for number, run in enumerate(rounds, start=1):
            print(
                f"{name:<18} {number:>5} {run.requests:>9} {run.rps:>9.0f} "
                f"{run.p50_ms:>8.2f} {run.p99_ms:>8.2f} {run.errors:>6}"
            )
        totals[name] = Run(
            name,
            sum(r.requests for r in rounds),
            sum(r.seconds for r in rounds),
            statistics.median(r.p50_ms for r in rounds),
            max(r.p99_ms for r in rounds),
            sum(r.errors for r in rounds),
        )
    print(
        f"\n{'server':<18} {'requests':>9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}"
    )
    for run in totals.values():
        print(
            f"{run.name:<18} {run.requests:>9} {run.rps:>9.0f} {run.p50_ms:>8.2f} "
            f"{run.p99_ms:>8.2f} {run.errors:>6}"
        )
    bare, iris = totals["bare flask"], totals["iris (cache hit)"]
    ratio = iris.rps / bare.rps
    pairs = [
        i.rps / b.rps for b, i in zip(runs["bare flask"], runs["iris (cache hit)"], strict=True)
    ]
    print(f"\nratio iris/bare req/s: {ratio:.1%} over all rounds (target >= 80%)")
    shown = ", ".join(f"{p:.0%}" for p in pairs)
    print(f"per adjacent round pair: {shown}; median {statistics.median(pairs):.1%}")
    print(
        f"p50 ratio: {iris.p50_ms / bare.p50_ms:.2f}x, p99 ratio: {iris.p99_ms / bare.p99_ms:.2f}x"
    )
    print(f"iris errors: {iris.errors}, misses during load: {misses} (target 0 and 0)")
    print(f"cache hits counted by the server: {hits} (counters lag up to 2 s per worker)")
    verdict = ratio >= 0.8 and iris.errors == 0 and iris.requests >= 20_000 and misses == 0
    print(f"verdict: {'PASS' if verdict else 'FAIL'} (>= 80%, 0 errors, >= 20,000 requests)")


def service_latency(source: str, hits: int) -> None:
    """In-process ``Service.analyze`` for a cache hit, with a breakdown of the time."""
    from iris_codes import jsonio
    from iris_codes.models import Analysis, AnalyzeRequest
    from iris_codes.service import Service, cache_key, normalize_newlines

    folder = Path(tempfile.mkdtemp(prefix="iris-bench-service-"))
    service = Service(Settings(cache_dir=str(folder / "cache")))
    request = AnalyzeRequest(filename="flask_app.py", language="python", source_code=source)
    service.analyze(request)
    engine = service.engine(service.primary_engine_name)
    key = cache_key(engine.cache_identity(), "python", "flask_app.py", source.encode())
    raw = service.cache.get(key)
    assert raw is not None

    def timed(function: object, count: int) -> list[float]:
        call = function  # type: ignore[assignment]
        samples = []
        for _ in range(count):
            started = time.perf_counter()
            call()  # type: ignore[operator]
            samples.append((time.perf_counter() - started) * 1000)
        samples.sort()
        return samples

    rows = [
        ("Service.analyze (hit)", timed(lambda: service.analyze(request), hits)),
        ("  cache.get (memory tier)", timed(lambda: service.cache.get(key), hits)),
        ("  cache.get (sqlite tier)", timed(lambda: sqlite_get(service, key), 2000)),
        ("  normalize + sha256 key", timed(
            lambda: cache_key(engine.cache_identity(), "python", "flask_app.py",
                              normalize_newlines(source).encode()), hits)),
        ("  jsonio.loads + Analysis", timed(lambda: Analysis.from_dict(jsonio.loads(raw)), hits)),
    ]  # fmt: skip
    print(f"\nin-process, {len(source)} byte source, {len(raw)} byte cached value")
    print(f"{'step':<28} {'calls':>7} {'p50 ms':>8} {'p99 ms':>8}")
    for name, samples in rows:
        p50 = samples[len(samples) // 2]
        p99 = samples[int(len(samples) * 0.99)]
        print(f"{name:<28} {len(samples):>7} {p50:>8.4f} {p99:>8.4f}")
    p50 = rows[0][1][len(rows[0][1]) // 2]
    verdict = "PASS" if p50 <= 0.5 else "FAIL"
    print(f"Service.analyze hit p50 {p50:.4f} ms (target <= 0.5 ms): {verdict}")
    service.close()


def sqlite_get(service: object, key: str) -> None:
    shared = service.cache.shared  # type: ignore[attr-defined]
    if shared is not None:
        shared.get(key)


if __name__ == "__main__":
    sys.exit(main())
