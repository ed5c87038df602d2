"""Fixtures for the cache tests: a fake clock, SQLite tiers, real Redis and DynamoDB servers."""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from iris_codes.cache.sqlite import SqliteTier
from iris_codes.testing import free_port
from support import require

DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379/15"


class FakeClock:
    """A wall clock the test moves by hand, so TTL tests never sleep."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock starting at a fixed instant."""
    return FakeClock()


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    """Where a test's SQLite cache file lives."""
    return tmp_path / "cache" / "cache.sqlite3"


@pytest.fixture
def make_sqlite_tier(sqlite_path: Path, clock: FakeClock) -> Iterator[Callable[..., SqliteTier]]:
    """Build SQLite tiers on the test's file (several act like several processes)."""
    tiers: list[SqliteTier] = []

    def make(max_bytes: int = 1 << 20, path: Path | None = None) -> SqliteTier:
        tier = SqliteTier(path or sqlite_path, max_bytes, clock=clock)
        tiers.append(tier)
        return tier

    yield make
    for tier in tiers:
        tier.close()


def redis_reachable(url: str) -> bool:
    """Whether a Redis answers PING at ``url``."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, OSError):
        return False


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The shared test Redis (IRIS_TEST_REDIS_URL), flushed before and after."""
    import redis

    url = os.environ.get("IRIS_TEST_REDIS_URL", DEFAULT_TEST_REDIS_URL)
    require(redis_reachable(url), f"no Redis at IRIS_TEST_REDIS_URL={url}")
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


class RedisServer:
    """A throwaway ``redis-server`` on a spare port that a test may stop and restart."""

    def __init__(self, binary: str, workdir: Path) -> None:
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start (or restart on the same port) and wait until it accepts connections."""
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.workdir)]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def kill(self) -> None:
        """SIGKILL the server, as an outage would."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis this test owns (started), killed at the end."""
    binary = shutil.which("redis-server")
    require(binary is not None, "redis-server is not installed (apt-get install redis-server)")
    assert binary is not None
    workdir = tmp_path / "redis"
    workdir.mkdir()
    server = RedisServer(binary, workdir)
    server.start()
    yield server
    server.kill()


#: Credentials and region for moto (it accepts any); set for the tests and their servers.
AWS_TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}
_tables = itertools.count(1)


class DynamoDBServer:
    """moto's standalone server (real HTTP on loopback) that a test may kill and restart.

    moto keeps its tables in memory, so a restart is an empty endpoint; ``start`` creates
    the tables it served before again, as an operator's ``iris cache init`` would.
    """

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.tables: list[str] = []

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, table: str) -> str:
        """The ``IRIS_CACHE_URL`` of ``table`` on this endpoint."""
        return f"dynamodb://{table}?region=us-east-1&endpoint_url={self.endpoint}"

    def start(self) -> None:
        """Start (or restart on the same port) and wait until it answers HTTP."""
        log = (self.workdir / "moto.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=log,
            stderr=log,
            env={**os.environ, **AWS_TEST_ENV},
        )
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto server exited: {(self.workdir / 'moto.log').read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError(f"moto server did not start on port {self.port}")
        for table in self.tables:
            self.create_table(table, remember=False)

    def create_table(self, table: str | None = None, *, remember: bool = True) -> str:
        """Create a table as ``iris cache init`` does; its name."""
        from iris_codes.cache.dynamodb import DynamoDBTier

        table = table or f"iris-test-{os.getpid()}-{next(_tables)}"
        tier = DynamoDBTier(table, "us-east-1", self.endpoint)
        try:
            tier.init()
        finally:
            tier.close()
        if remember and table not in self.tables:
            self.tables.append(table)
        return table

    def client(self) -> Any:
        """A raw boto3 DynamoDB client on this endpoint, for tests that poke at items."""
        import boto3

        return boto3.session.Session(region_name="us-east-1").client(
            "dynamodb", endpoint_url=self.endpoint
        )

    def kill(self) -> None:
        """SIGKILL the server, as an outage would."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


def _moto_available() -> bool:
    try:
        import boto3  # noqa: F401
        import moto.server  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="session")
def _aws_test_credentials() -> Iterator[None]:
    """moto's fake credentials in this process's environment for the whole session."""
    saved = {name: os.environ.get(name) for name in AWS_TEST_ENV}
    os.environ.update(AWS_TEST_ENV)
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def moto_server(
    tmp_path_factory: pytest.TempPathFactory, _aws_test_credentials: None
) -> Iterator[DynamoDBServer]:
    """One moto server for the session; tests that only read and write use their own table."""
    require(_moto_available(), "moto[server] and boto3 are not installed (pip install -e .[dev])")
    server = DynamoDBServer(tmp_path_factory.mktemp("moto"))
    server.start()
    yield server
    server.kill()


@pytest.fixture
def dynamodb_url(moto_server: DynamoDBServer) -> str:
    """``IRIS_CACHE_URL`` of a fresh table on the session's moto server."""
    return moto_server.url(moto_server.create_table())


@pytest.fixture
def dynamodb_server(tmp_path: Path, _aws_test_credentials: None) -> Iterator[DynamoDBServer]:
    """A moto server this test owns (started), killed at the end."""
    require(_moto_available(), "moto[server] and boto3 are not installed (pip install -e .[dev])")
    workdir = tmp_path / "moto"
    workdir.mkdir()
    server = DynamoDBServer(workdir)
    server.start()
    yield server
    server.kill()


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody (root included) can write to, or a skip if that is impossible here."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    immutable = False
    if _writable(folder) and shutil.which("chattr"):
        # Root ignores permission bits; the immutable attribute stops root too.
        immutable = subprocess.run(["chattr", "+i", str(folder)], check=False).returncode == 0
    require(not _writable(folder), "cannot make a read-only folder here (root without chattr)")
    yield folder
    if immutable:
        subprocess.run(["chattr", "-i", str(folder)], check=False)
    folder.chmod(0o755)


def _writable(folder: Path) -> bool:
    probe = folder / ".probe"
    try:
        probe.write_bytes(b"")
    except OSError:
        return False
    probe.unlink()
    return True
