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
