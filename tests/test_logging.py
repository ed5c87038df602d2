"""Secrets and source code never reach a log line, at any level."""

from __future__ import annotations

import logging

import pytest

from iris_codes import analyze
from support import StartServer, post_analyze

SECRET_KEY = "sk-live-SECRET-0123456789"
MARKER = "PROPRIETARY_MARKER_7f3a"
SOURCE = f'"""{MARKER} module."""\n\n\ndef {MARKER.lower()}() -> str:\n    return "{MARKER}"\n'


def test_server_logs_hold_no_source_or_key(start_server: StartServer) -> None:
    env = {
        "IRIS_API_KEY": SECRET_KEY,
        "IRIS_LOG_LEVEL": "DEBUG",
        "OPENAI_API_KEY": "sk-openai-SECRET-abc",
        "IRIS_ENGINE": "structural",
    }
    server = start_server(env)
    headers = {"X-API-Key": SECRET_KEY}
    assert post_analyze(server, {"filename": "a.py", "source_code": SOURCE}, headers=headers).ok
    post_analyze(server, {"filename": "a.py", "source_code": SOURCE}, headers={"X-API-Key": "bad"})
    post_analyze(server, {"filename": "a.py", "source_code": 1}, headers=headers)
    post_analyze(server, {"filename": "a.py", "language": MARKER, "source_code": SOURCE},
                 headers=headers)  # fmt: skip
    server.stop()
    log = server.log_text()
    assert "POST /api/iris/analyze 200" in log  # the access log is there ...
    for secret in (SECRET_KEY, "sk-openai-SECRET", MARKER, MARKER.lower()):
        assert secret not in log  # ... without the payload or the keys


def test_in_process_analysis_logs_no_source(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    analyze(SOURCE, filename="a.py")
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert MARKER not in text
    assert MARKER.lower() not in text


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_access_log_off_means_no_access_lines_and_query_strings_never_logged(
    start_server: StartServer, log_format: str
) -> None:
    import requests

    server = start_server({"IRIS_LOG_FORMAT": log_format, "IRIS_ACCESS_LOG": "off"})
    url = f"{server.url}/api/iris/analyze?api_key={SECRET_KEY}"
    reply = requests.post(url, json={"filename": "a.py", "source_code": "x = 1\n"}, timeout=10)
    assert reply.status_code == 200
    requests.get(f"{server.url}/api/iris/health?password={SECRET_KEY}", timeout=10)
    server.stop()
    log = server.log_text()
    assert SECRET_KEY not in log
    assert "/api/iris/analyze" not in log  # Gunicorn's own access log stays off too
    assert "/api/iris/health" not in log


def test_request_ids_differ_across_workers(start_server: StartServer) -> None:
    import requests

    server = start_server(workers=2, threads=2)
    prefixes = set()
    for _ in range(300):
        reply = requests.get(f"{server.url}/api/iris/health", timeout=10)  # new connection
        prefixes.add(reply.headers["X-Request-ID"][:8])
        if len(prefixes) == 2:
            break
    ids = [requests.get(f"{server.url}/api/iris/health", timeout=10).headers["X-Request-ID"]
           for _ in range(40)]  # fmt: skip
    assert len(prefixes) == 2  # one per worker: both answered, each with its own prefix
    assert len(set(ids)) == len(ids)
