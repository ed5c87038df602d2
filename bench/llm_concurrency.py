"""LLM concurrency: `iris serve` with its default settings against a 2 s OpenAI stub.

    .venv/bin/python bench/llm_concurrency.py [--requests 64] [--latency 2] [--skip-baseline]

Scenarios, each on a fresh server and cache:
1. `--workers 2 --threads 1`, which reproduces the old design (2 synchronous workers):
   64 concurrent requests for 64 different files queue, about 64 / 2 x 2 s = 64 s.
2. The same 64 requests against the default `iris serve` (workers x threads from
   Settings), twice: cold (first requests import the SDK, parsers) and warm (64 other
   files). Target: about one upstream latency, <= 3 s.
3. When the default has fewer threads per worker than requests, also 2 x <requests>
   threads, to show the effect of uneven accept between workers.
4. 64 concurrent requests for one new file: single-flight (in-process, and across
   workers through the cache lock) should make exactly 1 upstream call.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from iris_codes.config import Settings  # noqa: E402
from iris_codes.testing import ServerProcess  # noqa: E402
from openai_stub import OpenAIStub  # noqa: E402


@dataclass
class Result:
    scenario: str
    shape: str
    requests: int
    seconds: float
    upstream_calls: int
    ok: int
    llm_answers: int


def distinct_sources(count: int) -> list[tuple[str, str]]:
    """``count`` different Python files (real modules of this repo, each made unique)."""
    files = sorted((ROOT / "src" / "iris_codes").rglob("*.py"))
    texts = [p.read_text() for p in files if p.stat().st_size > 300]
    return [
        (f"module_{n}.py", texts[n % len(texts)] + f"\nBENCH_VARIANT = {n}\n") for n in range(count)
    ]


def fire(url: str, files: list[tuple[str, str]]) -> tuple[float, list[requests.Response]]:
    """POST every file at once (one thread each); wall time until the last answer."""

    def post(item: tuple[str, str]) -> requests.Response:
        name, source = item
        body = {"filename": name, "source_code": source}
        return requests.post(f"{url}/api/iris/analyze", json=body, timeout=300)

    with ThreadPoolExecutor(max_workers=len(files)) as pool:
        started = time.perf_counter()
        replies = list(pool.map(post, files))
        return time.perf_counter() - started, replies


def run(
    stub: OpenAIStub,
    scenario: str,
    workers: int,
    threads: int,
    batches: list[list[tuple[str, str]]],
) -> list[Result]:
    """One fresh server and cache; each batch fired at once, one after the other."""
    latency = stub.latency
    env = {"OPENAI_API_KEY": "sk-bench", "OPENAI_BASE_URL": stub.base_url}
    cache_dir = Path(tempfile.mkdtemp(prefix="iris-bench-")) / "cache"
    results = []
    with ServerProcess(env, workers=workers, threads=threads, cache_dir=cache_dir) as server:
        for index, files in enumerate(batches):
            stub.reset()
            stub.latency = latency
            seconds, replies = fire(server.url, files)
            ok = [r for r in replies if r.status_code == 200]
            llm = [r for r in ok if r.json()["metadata"].get("engine") == "llm"]
            name = scenario if len(batches) == 1 else f"{scenario}, {('cold', 'warm')[index]}"
            shape = f"{workers}x{threads}"
            calls = stub.total_calls()
            results.append(Result(name, shape, len(files), seconds, calls, len(ok), len(llm)))
    return results


def table(results: list[Result], baseline: Result | None) -> str:
    rows = [
        "| scenario | workers x threads | requests | wall s | upstream calls | 200 | "
        "LLM answers | speed-up vs old design |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        ratio = f"{baseline.seconds / r.seconds:.1f}x" if baseline else "n/a"
        rows.append(
            f"| {r.scenario} | {r.shape} | {r.requests} | {r.seconds:.2f} | {r.upstream_calls} "
            f"| {r.ok} | {r.llm_answers} | {ratio} |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=64)
    parser.add_argument("--latency", type=float, default=2.0)
    parser.add_argument("--skip-baseline", action="store_true", help="skip the ~64 s old design")
    args = parser.parse_args()
    n = args.requests
    defaults = Settings()
    w, t = defaults.workers, defaults.threads
    files = distinct_sources(3 * n)
    first, second, third = files[:n], files[n : 2 * n], files[2 * n :]
    one_file = [("hot.py", first[0][1] + "\nHOT = True\n")] * n
    results: list[Result] = []
    with OpenAIStub(latency=args.latency) as stub:
        baseline = None
        if not args.skip_baseline:
            baseline = run(stub, f"{n} different files, old design", 2, 1, [first])[0]
            results.append(baseline)
        default_runs = run(stub, f"{n} different files, default serve", w, t, [first, second])
        results += default_runs
        if t < n:
            results += run(stub, f"{n} different files", w, n, [first, third])
        same = run(stub, f"{n} x one new file, default serve", w, t, [one_file])[0]
        results.append(same)
    print(f"stub latency {args.latency:g} s, {n} concurrent requests, 2-core machine")
    print(table(results, baseline))
    best = min(r.seconds for r in default_runs)
    print(f"\n{n} different files <= 3 s (default serve, warm): {'PASS' if best <= 3 else 'FAIL'}")
    print(f"one new file -> 1 upstream call: {'PASS' if same.upstream_calls == 1 else 'FAIL'}")


if __name__ == "__main__":
    main()
