"""Run a real ``iris serve`` in a subprocess on a free loopback port (tests, benchmarks)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType


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
