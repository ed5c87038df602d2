"""The cache through real ``iris serve`` processes: Redis sharing, outages, crashes."""

from __future__ import annotations

import sqlite3
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

from fixtures_cache import RedisServer
from invariants import assert_valid_analysis
from openai_stub import OpenAIStub
from support import StartServer, post_analyze


def source_for(index: int) -> str:
    return (
        f'"""Module number {index}."""\n\nimport os\n\n\n'
        f"def read_{index}(path: str) -> str:\n    return open(path).read()\n\n\n"
        f"def home_{index}() -> str:\n    return os.environ['HOME']\n"
    )


def body_for(index: int) -> dict[str, Any]:
    return {
        "filename": f"module_{index}.py",
        "language": "python",
        "source_code": source_for(index),
    }


def test_two_servers_sharing_redis_hit_through_the_other(
    start_server: StartServer, redis_url: str, tmp_path: Path
) -> None:
    env = {"IRIS_CACHE_URL": redis_url}
    first = start_server(env, cache_dir=tmp_path / "first")
    second = start_server(env, cache_dir=tmp_path / "second")
    assert post_analyze(first, body_for(1)).json()["metadata"]["cache_hit"] == 0
    reply = post_analyze(second, body_for(1)).json()
    assert reply["metadata"]["cache_hit"] == 1
    assert_valid_analysis(reply, source_for(1))
    health = requests.get(f"{second.url}/api/iris/health", timeout=5).json()
    assert health["cache"] == {"tier": "redis", "ok": True, "note": redis_url}


def test_restarted_server_hits_in_redis(
    start_server: StartServer, redis_url: str, tmp_path: Path
) -> None:
    env = {"IRIS_CACHE_URL": redis_url}
    server = start_server(env, cache_dir=tmp_path / "a")
    assert post_analyze(server, body_for(2)).json()["metadata"]["cache_hit"] == 0
    server.stop()
    server = start_server(env, cache_dir=tmp_path / "b")
    assert post_analyze(server, body_for(2)).json()["metadata"]["cache_hit"] == 1


def test_instances_sharing_redis_call_the_llm_once_for_one_new_file(
    start_server: StartServer, redis_url: str, openai_stub: OpenAIStub, tmp_path: Path
) -> None:
    openai_stub.latency = 1.0  # long enough that every request arrives while it runs
    env = {
        "IRIS_CACHE_URL": redis_url,
        "IRIS_ENGINE": "llm",
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": openai_stub.base_url,
        "IRIS_LLM_API": "chat",
    }
    servers = [start_server(env, workers=2, threads=8, cache_dir=tmp_path / name) for name in "ab"]
    with ThreadPoolExecutor(16) as pool:
        replies = list(pool.map(lambda n: post_analyze(servers[n % 2], body_for(7)), range(16)))
    assert [reply.status_code for reply in replies] == [200] * 16
    assert openai_stub.total_calls() == 1
    engines = {reply.json()["metadata"]["engine"] for reply in replies}
    assert engines == {"llm"}  # one answer shared, not 15 structural fallbacks


def test_redis_stopped_mid_run_fails_no_request(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    server = start_server({"IRIS_CACHE_URL": redis_server.url}, workers=2, threads=8)
    load = MixedLoad([server.url])
    with load:
        wait_for(lambda: load.answered >= 200)
        redis_server.kill()
        down_at = load.answered
        wait_for(lambda: load.answered >= down_at + 300)
        health = requests.get(f"{server.url}/api/iris/health", timeout=5).json()
        assert health["cache"]["ok"] is False
        assert health["status"] == "degraded"
        redis_server.start()
        wait_for(lambda: cache_ok(server.url))
        back_at = load.answered
        wait_for(lambda: load.answered >= back_at + 200)
    assert load.failures == []
    assert load.answered > 700
    # Recovered by itself: new analyses are written to the restarted Redis again.
    reply = post_analyze(server, body_for(999_999_999)).json()
    assert reply["metadata"]["cache_hit"] == 0
    import redis

    assert any(redis.Redis.from_url(redis_server.url).scan_iter(match="iris:cache:*"))


def test_sigkill_under_write_load_leaves_every_entry_whole_or_absent(
    start_server: StartServer, tmp_path: Path
) -> None:
    cache_dir = tmp_path / "crash"
    server = start_server(cache_dir=cache_dir, workers=2, threads=8)
    sent = 0
    stop = threading.Event()
    lock = threading.Lock()

    def write_load(worker: int) -> None:
        nonlocal sent
        session = requests.Session()
        index = worker * 1_000_000
        while not stop.is_set():
            index += 1
            try:
                session.post(f"{server.url}/api/iris/analyze", json=body_for(index), timeout=10)
            except requests.RequestException:
                return  # the server was killed
            with lock:
                sent += 1

    threads = [threading.Thread(target=write_load, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    wait_for(lambda: sent >= 300)
    server.kill()
    stop.set()
    for thread in threads:
        thread.join()

    database = cache_dir / "cache.sqlite3"
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute("SELECT key, value, checksum FROM entries").fetchall()
    assert len(rows) >= 250
    assert all(zlib.crc32(value) == stored for _, value, stored in rows)

    server = start_server(cache_dir=cache_dir, workers=2, threads=8)
    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(lambda n: post_analyze(server, body_for(n)), range(1, 60)))
    for number, reply in enumerate(replies, start=1):
        assert reply.status_code == 200
        assert_valid_analysis(reply.json(), source_for(number))
    assert replies[0].json()["metadata"]["cache_hit"] == 1  # written before the crash


class MixedLoad:
    """Six threads posting analyses to ``urls`` in turn (half repeats of a small set, half
    new files) until the ``with`` block ends; counts answers and keeps every failure."""

    def __init__(self, urls: list[str], threads: int = 6) -> None:
        self.urls = urls
        self.answered = 0
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._drive, args=(n,)) for n in range(threads)]

    def __enter__(self) -> MixedLoad:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _drive(self, worker: int) -> None:
        index = worker * 100_000
        session = requests.Session()
        url = self.urls[worker % len(self.urls)]
        while not self._stop.is_set():
            index += 1
            # Half repeat a small set (hits), half are new files (misses and writes).
            number = index % 20 if index % 2 else index
            try:
                reply = session.post(f"{url}/api/iris/analyze", json=body_for(number), timeout=10)
                ok = reply.status_code == 200 and reply.json()["success"] is True
                problem = None if ok else f"{reply.status_code} {reply.text[:200]}"
            except requests.RequestException as exc:
                problem = repr(exc)
            with self._lock:
                self.answered += 1
                if problem:
                    self.failures.append(problem)


def cache_ok(url: str) -> bool:
    # A request drives the probe: the breaker retries the tier on use, not on a timer.
    requests.post(f"{url}/api/iris/analyze", json=body_for(0), timeout=10)
    health = requests.get(f"{url}/api/iris/health", timeout=5).json()
    return bool(health["cache"]["ok"])


def wait_for(condition: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)
