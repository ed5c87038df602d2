"""The ``--server`` client: every failure is an IRIS error with a code, never a library type."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from iris_codes.errors import ConfigError, IrisError
from iris_codes.remote import RemoteAnalyzer


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A loopback port that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


class _BadGateway(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.send_response(502)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<h1>Bad gateway</h1>")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def proxy_error_server() -> Iterator[str]:
    """A proxy answering 502 with an HTML page, as nginx does when IRIS is down."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _BadGateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_server_that_never_answers_is_a_timeout(silent_server: str) -> None:
    with pytest.raises(IrisError) as caught:
        RemoteAnalyzer(silent_server, timeout=0.3).analyze("a.py", None, "x = 1\n")
    assert caught.value.code == "server_timeout"


def test_a_non_json_error_page_names_the_status(proxy_error_server: str) -> None:
    with pytest.raises(IrisError) as caught:
        RemoteAnalyzer(proxy_error_server).analyze("a.py", None, "x = 1\n")
    assert caught.value.code == "engine_unavailable"
    assert "HTTP 502" in caught.value.message


def test_only_http_addresses_are_accepted() -> None:
    with pytest.raises(ConfigError):
        RemoteAnalyzer("ftp://example.invalid")
