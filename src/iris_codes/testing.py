"""Run a real ``iris serve`` in a subprocess on a free loopback port (tests, benchmarks)."""

from __future__ import annotations

import os
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ServerProcess:
    """``iris serve`` on 127.0.0.1:<free port>, started and stopped by a context manager.

    The server's environment is this process's, minus ``IRIS_*``/key variables, plus
    ``IRIS_CACHE_DIR=cache_dir`` and ``env``. Its log (stderr) goes to ``log_path``.
    """

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        workers: int = 1,
        threads: int = 8,
        cache_dir: Path | None = None,
        port: int | None = None,
        extra_args: tuple[str, ...] = (),
        startup_timeout: float = 30.0,
    ) -> None:
        self.env = dict(env or {})
        self.workers = workers
        self.threads = threads
        self.cache_dir = cache_dir or Path(tempfile.mkdtemp(prefix="iris-cache-"))
        self.port = port or free_port()
        self.extra_args = extra_args
        self.startup_timeout = startup_timeout
        self.log_path = self.cache_dir.parent / f"iris-server-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _environment(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("IRIS_", "OPENAI_")) and key != "API_KEY"
        }
        env["IRIS_CACHE_DIR"] = str(self.cache_dir)
        env.update(self.env)
        return env

    def start(self) -> ServerProcess:
        """Start the server and wait until /api/iris/health answers."""
        command = [
            sys.executable, "-m", "iris_codes", "serve",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--workers", str(self.workers), "--threads", str(self.threads),
            *self.extra_args,
        ]  # fmt: skip
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=self._environment(), stdout=log, stderr=log, start_new_session=True
            )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"iris serve exited early:\n{self.log_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/iris/health", timeout=2) as reply:
                    if reply.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"iris serve did not become ready:\n{self.log_text()[-3000:]}")

    def log_text(self) -> str:
        """Everything the server wrote to stdout and stderr so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, timeout: float = 15.0) -> None:
        """Stop gracefully (SIGTERM to the whole process group), then force."""
        self._signal(signal.SIGTERM, timeout)

    def kill(self) -> None:
        """SIGKILL the master and its workers at once, as a crash would."""
        self._signal(signal.SIGKILL, 10.0)

    def _signal(self, signum: int, timeout: float) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signum)
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        except ProcessLookupError:
            pass

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class SlowClients:
    """``count`` connections to ``port`` that send requests one byte a second, or stall.

    Half send an analyze request's head one byte a second; half send a whole head
    declaring a 100-byte body, then 2 bytes of it, then nothing. A connection the server
    answers or closes is replaced at once, so ``count`` stay open. Runs on one thread of
    its own (``start``/``stop``); ``outcomes`` counts how each connection ended.
    """

    HEAD = (
        b"POST /api/iris/analyze HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    )

    def __init__(self, port: int, count: int, interval: float = 1.0) -> None:
        self.port = port
        self.count = count
        self.interval = interval
        self.outcomes = {"opened": 0, "408": 0, "other status": 0, "closed": 0}
        self.longest_open = 0.0  # seconds the longest-lived slow connection stayed open
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="slow-clients", daemon=True)

    def start(self) -> SlowClients:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)

    def _open(self, index: int) -> tuple[socket.socket, bytes, float]:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        sock.setblocking(False)
        self.outcomes["opened"] += 1
        if index % 2:
            sock.send(self.HEAD + b'{"')  # the head, then 2 of the 100 bytes: a stall
            return sock, b"", time.monotonic()
        return sock, self.HEAD + b"{" * 100, time.monotonic()

    def _run(self) -> None:
        selector = selectors.DefaultSelector()
        conns: dict[int, tuple[socket.socket, bytes, float]] = {}
        for index in range(self.count):
            conns[index] = self._open(index)
            selector.register(conns[index][0], selectors.EVENT_READ, index)
        while not self._stop.is_set():
            tick = time.monotonic() + self.interval
            while (left := tick - time.monotonic()) > 0:
                for key, _ in selector.select(left):
                    self._ended(key.data, conns, selector)
            for index, (sock, pending, opened) in list(conns.items()):
                if pending:
                    try:
                        sock.send(pending[:1])
                        conns[index] = (sock, pending[1:], opened)
                    except OSError:
                        self._ended(index, conns, selector)
        for sock, _, opened in conns.values():
            self.longest_open = max(self.longest_open, time.monotonic() - opened)
            sock.close()
        selector.close()

    def _ended(self, index: int, conns: dict[int, Any], selector: Any) -> None:
        sock, _, opened = conns[index]
        try:
            data = sock.recv(4096)
        except OSError:
            data = b""
        if data.startswith(b"HTTP/1.1 408"):
            self.outcomes["408"] += 1
        elif data.startswith(b"HTTP/"):
            self.outcomes["other status"] += 1
        else:
            self.outcomes["closed"] += 1
        self.longest_open = max(self.longest_open, time.monotonic() - opened)
        selector.unregister(sock)
        sock.close()
        conns[index] = self._open(index)
        selector.register(conns[index][0], selectors.EVENT_READ, index)
