"""Slow clients against `iris serve` (default settings): ordinary requests must not wait.

    .venv/bin/python bench/slow_clients.py [--slow 200] [--seconds 30] [--clients 4]
                                           [--server-pythonpath DIR]

Starts ``iris serve`` with its defaults (2 workers, 64 threads, IRIS_READ_TIMEOUT 10 s),
then runs ordinary analyze requests from ``--clients`` threads (a cache hit, and a new
small file every tenth request) for ``--seconds``: first alone (the baseline), then with
``--slow`` connections held open by ``SlowClients`` (half send a head one byte a second,
half stall after 2 bytes of a declared 100-byte body; each one the server ends is
replaced at once). Prints the ordinary requests' p50, p99 and failures in both phases and
how the slow connections ended. The goal (issue 17): p99 under 1 s with 200 slow
connections for 30 s, every slow connection answered 408 or closed, none open for much
longer than IRIS_READ_TIMEOUT. ``--server-pythonpath`` runs the server from another
source tree (an earlier commit's ``src``) for a before/after comparison.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from iris_codes.config import Settings
from iris_codes.testing import ServerProcess, SlowClients
from worst_inputs import post

GOAL_P99_SECONDS = 1.0
SAMPLE = Path(__file__).resolve().parent.parent / "tests" / "samples" / "flask_app.py"


def ordinary_load(url: str, seconds: float, clients: int) -> tuple[list[float], int]:
    """Latencies of the requests that succeeded, and how many did not."""
    source = SAMPLE.read_text()
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(number: int) -> None:
        count = 0
        while time.monotonic() < stop:
            count += 1
            text = source if count % 10 else f"{source}\n# request {number}-{count}\n"
            body = json.dumps({"filename": "app.py", "source_code": text}).encode()
            try:
                elapsed, status, _ = post(url, body, timeout=10)
                ok = status == 200
            except (OSError, ValueError):  # URLError is an OSError; ValueError: not JSON
                ok, elapsed = False, 0.0
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    failures[0] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, failures[0]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def report(name: str, latencies: list[float], failures: int) -> None:
    p50 = statistics.median(latencies) if latencies else float("nan")
    print(
        f"{name:<22} {len(latencies):>7} ok {failures:>5} failed   "
        f"p50 {p50 * 1000:7.1f} ms   p99 {percentile(latencies, 0.99) * 1000:7.1f} ms   "
        f"max {max(latencies, default=float('nan')) * 1000:7.1f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--server-pythonpath", help="run the server from this source tree")
    args = parser.parse_args()
    settings = Settings()
    work = Path(tempfile.mkdtemp(prefix="iris-slow-"))
    env = {"PYTHONPATH": args.server_pythonpath} if args.server_pythonpath else {}
    server = ServerProcess(
        env, workers=settings.workers, threads=settings.threads, cache_dir=work / "cache"
    )
    server.start()
    try:
        print(
            f"server: {settings.workers} workers x {settings.threads} threads, "
            f"IRIS_READ_TIMEOUT {settings.read_timeout:g} s; {args.clients} ordinary clients"
        )
        alone = ordinary_load(server.url, min(10.0, args.seconds), args.clients)
        slow = SlowClients(server.port, args.slow).start()
        time.sleep(2)  # every slow connection open before the measured phase
        loaded = ordinary_load(server.url, args.seconds, args.clients)
        slow.stop()
    finally:
        server.stop()
    report("alone", *alone)
    report(f"with {args.slow} slow", *loaded)
    print(f"slow connections: {slow.outcomes}, longest open {slow.longest_open:.1f} s")
    p99 = percentile(loaded[0], 0.99)
    bounded = slow.longest_open <= settings.read_timeout + 3
    verdict = p99 < GOAL_P99_SECONDS and loaded[1] == 0 and bounded
    print(
        f"verdict: {'PASS' if verdict else 'FAIL'} (p99 {p99 * 1000:.0f} ms < "
        f"{GOAL_P99_SECONDS * 1000:.0f} ms, no failed ordinary request, every slow "
        f"connection ended within IRIS_READ_TIMEOUT + 3 s)"
    )
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
