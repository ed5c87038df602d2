"""The cache as a user of the server sees it: across restarts and across workers."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from support import StartServer, post_analyze

SOURCE = "import os\n\n\ndef home() -> str:\n    return os.environ['HOME']\n"


def test_restarted_server_answers_from_the_cache(start_server: StartServer, tmp_path: Path) -> None:
    cache_dir = tmp_path / "persistent"
    body = {"filename": "home.py", "source_code": SOURCE}
    first = start_server(cache_dir=cache_dir)
    assert post_analyze(first, body).json()["metadata"]["cache_hit"] == 0
    first.stop()
    second = start_server(cache_dir=cache_dir)
    reply = post_analyze(second, body).json()
    assert reply["metadata"]["cache_hit"] == 1


def _worker_counters(cache_dir: Path) -> dict[str, dict[str, float]]:
    counters: dict[str, dict[str, float]] = {}
    for path in (cache_dir / "metrics").glob("*.json"):
        rows = json.loads(path.read_text())
        counters[path.stem] = {
            f"{name}:{labels.get('cache_hit')}": value
            for name, labels, value in rows
            if name == "requests_total"
        }
    return counters


def test_two_workers_answer_from_one_cache(start_server: StartServer, tmp_path: Path) -> None:
    cache_dir = tmp_path / "shared"
    server = start_server(workers=2, threads=4, cache_dir=cache_dir)
    body = {"filename": "home.py", "source_code": SOURCE}
    assert post_analyze(server, body).json()["metadata"]["cache_hit"] == 0

    def hits(count: int) -> list[int]:
        with ThreadPoolExecutor(8) as pool:
            replies = list(pool.map(lambda _: post_analyze(server, body), range(count)))
        return [reply.json()["metadata"]["cache_hit"] for reply in replies]

    # The kernel decides which worker accepts a connection; a few rounds reach both.
    counters: dict[str, dict[str, float]] = {}
    for _ in range(6):
        assert hits(40) == [1] * 40
        time.sleep(2.2)  # workers publish their counters at most every 2 s
        assert hits(8) == [1] * 8
        counters = _worker_counters(cache_dir)
        if sum(1 for c in counters.values() if c.get("requests_total:1", 0) > 0) >= 2:
            break
    workers_with_hits = [pid for pid, c in counters.items() if c.get("requests_total:1", 0) > 0]
    assert len(workers_with_hits) == 2, counters
    assert sum(c.get("requests_total:0", 0) for c in counters.values()) == 1
