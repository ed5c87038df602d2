"""The cache as a user of the server sees it: across restarts and across workers."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.parser import text_string_to_metric_families

from iris_codes.testing import ServerProcess
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


def _hits_per_worker(cache_dir: Path) -> dict[str, float]:
    """Cache hits each worker counted, read from its prometheus-client file."""
    counted: dict[str, float] = {}
    for path in (cache_dir / "prometheus").glob("counter_*.db"):
        for key, value, *_ in MmapedDict.read_all_values_from_file(str(path)):
            _, sample, labels, _ = json.loads(key)
            if sample == "iris_requests_total" and labels.get("cache_hit") == "1":
                pid = path.stem.rpartition("_")[2]
                counted[pid] = counted.get(pid, 0.0) + value
    return counted


def _hits_counted(server: ServerProcess) -> float:
    families = text_string_to_metric_families(
        requests.get(f"{server.url}/metrics", timeout=10).text
    )
    return sum(
        sample.value
        for family in families
        for sample in family.samples
        if sample.name == "iris_requests_total" and sample.labels.get("cache_hit") == "1"
    )


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
    sent = 0
    for _ in range(6):
        assert hits(40) == [1] * 40
        sent += 40
        if len(_hits_per_worker(cache_dir)) >= 2:
            break
    assert len(_hits_per_worker(cache_dir)) == 2, "one worker served every hit"
    # Whichever worker answers the scrape, it counts both workers' hits.
    assert _hits_counted(server) == sent
    assert _hits_counted(server) == sent
