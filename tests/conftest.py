"""Shared fixtures: a clean environment, real servers on loopback, sample files."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from iris_codes import metrics
from iris_codes.testing import ServerProcess

pytest_plugins = ["fixtures_llm", "fixtures_cache"]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test starts with no IRIS/OpenAI settings and its own cache folder."""
    for name in list(os.environ):
        resettable = name.startswith(("IRIS_", "OPENAI_")) or name == "API_KEY"
        if resettable and name != "IRIS_TEST_REDIS_URL":
            monkeypatch.delenv(name)
    # `iris serve` run in-process by a CLI test must not leave multiprocess mode on.
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    monkeypatch.setenv("IRIS_CACHE_DIR", str(tmp_path / "iris-cache"))
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    metrics.reset()


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    """Start real ``iris serve`` processes; all are stopped after the test."""
    started: list[ServerProcess] = []

    def start(env: dict[str, str] | None = None, **options: Any) -> ServerProcess:
        options.setdefault("cache_dir", tmp_path / "server-cache")
        server = ServerProcess(env, **options).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One structural-engine server for read-only tests in a module."""
    cache_dir = tmp_path_factory.mktemp("shared-server") / "cache"
    with ServerProcess(cache_dir=cache_dir, threads=4) as server:
        yield server
