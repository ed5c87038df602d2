"""Observability: Prometheus exposition, JSON logs and CloudWatch EMF lines."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from iris_codes import emf
from iris_codes.testing import ServerProcess
from support import StartServer, post_analyze

MARKER = "SECRET_SOURCE_MARKER_42"
BODY = {"filename": "obs.py", "source_code": f"def {MARKER.lower()}():\n    return 1\n"}


def _families(server: ServerProcess, path: str = "/metrics") -> dict[str, Any]:
    text = requests.get(f"{server.url}{path}", timeout=10).text
    return {family.name: family for family in text_string_to_metric_families(text)}


def test_metrics_parse_as_prometheus_text_with_types(shared_server: ServerProcess) -> None:
    post_analyze(shared_server, BODY)
    post_analyze(shared_server, BODY)
    post_analyze(shared_server, {"filename": "obs.py"})  # a 400
    families = _families(shared_server)
    assert families["iris_analyze_seconds"].type == "histogram"
    assert families["iris_http_requests"].type == "counter"
    statuses = {
        (s.labels["route"], s.labels["status"])
        for s in families["iris_http_requests"].samples
        if s.name == "iris_http_requests_total"
    }
    assert {("/api/iris/analyze", "200"), ("/api/iris/analyze", "400")} <= statuses
    hits = [s for s in families["iris_requests"].samples if s.labels.get("cache_hit") == "1"]
    assert sum(s.value for s in hits) >= 1
    assert "iris_cache_hits" in families
    assert "iris_in_flight_analyses" in families
    assert _families(shared_server, "/api/iris/metrics").keys() == families.keys()


def test_metrics_need_the_key_when_auth_is_on(start_server: StartServer) -> None:
    server = start_server({"IRIS_API_KEY": "k"})
    assert requests.get(f"{server.url}/metrics", timeout=10).status_code == 401
    keyed = requests.get(f"{server.url}/metrics", headers={"X-API-Key": "k"}, timeout=10)
    assert keyed.status_code == 200


def test_json_logs_carry_request_fields_and_never_source(start_server: StartServer) -> None:
    server = start_server({"IRIS_LOG_FORMAT": "json", "IRIS_ACCESS_LOG": "all"})
    post_analyze(server, BODY, headers={"X-Request-ID": "req-json-1"})
    post_analyze(server, BODY, headers={"X-Request-ID": "req-json-2"})
    server.stop()
    # Every line, Gunicorn's own (start-up, workers, shutdown) included, is one JSON object.
    lines = [json.loads(line) for line in server.log_text().splitlines() if line.strip()]
    assert any(line["logger"] == "gunicorn.error" for line in lines)
    access = {line.get("request_id"): line for line in lines if line.get("path")}
    first, second = access["req-json-1"], access["req-json-2"]
    assert first["status"] == 200
    assert first["engine"] == "structural"
    assert (first["cache_hit"], second["cache_hit"]) == (0, 1)
    assert first["latency_ms"] >= 0
    assert MARKER.lower() not in server.log_text()


def test_no_prometheus_series_when_metrics_go_elsewhere(start_server: StartServer) -> None:
    server = start_server({"IRIS_METRICS": "off"})
    assert post_analyze(server, BODY).status_code == 200
    reply = requests.get(f"{server.url}/metrics", timeout=10)
    assert reply.status_code == 404
    assert reply.json()["code"] == "not_found"
    assert "IRIS_METRICS" in reply.json()["error"]


def _validate_emf(record: dict[str, Any]) -> None:
    """The structure the EMF specification requires of a log event."""
    aws = record["_aws"]
    assert isinstance(aws["Timestamp"], int)
    assert aws["Timestamp"] > 1_600_000_000_000  # milliseconds since the epoch
    directives = aws["CloudWatchMetrics"]
    assert isinstance(directives, list)
    assert directives
    for directive in directives:
        assert isinstance(directive["Namespace"], str)
        assert directive["Namespace"]
        for dimension_set in directive["Dimensions"]:
            assert 1 <= len(dimension_set) <= 30
            for dimension in dimension_set:
                assert isinstance(record[dimension], str)  # dimension values are strings
        assert 1 <= len(directive["Metrics"]) <= 100
        for metric in directive["Metrics"]:
            assert isinstance(record[metric["Name"]], int | float)
            assert metric.get("Unit", "None") in {"Count", "Milliseconds", "None"}


def test_emf_records_have_the_required_structure() -> None:
    meta = {"engine": "llm", "cache_hit": 0, "input_tokens": 120, "output_tokens": 30,
            "estimated_cost_usd": 0.0004, "degraded": "timeout"}  # fmt: skip
    record = emf.emf_record(200, 812.5, meta, "prod", "rid-1")
    _validate_emf(record)
    assert record["InputTokens"] == 120
    assert record["Degraded"] == 1
    stream = io.StringIO()
    emf.emit(record, stream)
    assert json.loads(stream.getvalue()) == record
    assert stream.getvalue().count("\n") == 1


def test_lambda_with_emf_writes_one_valid_line_per_answer(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("IRIS_METRICS", "emf")
    monkeypatch.setenv("IRIS_CACHE_DIR", str(tmp_path / "lambda-cache"))
    from iris_codes.deploy import aws_lambda

    handler = aws_lambda._make_handler()
    event = {
        "version": "2.0", "routeKey": "$default", "rawPath": "/api/iris/analyze",
        "rawQueryString": "", "headers": {"content-type": "application/json"},
        "requestContext": {"http": {"method": "POST", "path": "/api/iris/analyze",
                                    "sourceIp": "203.0.113.9", "protocol": "HTTP/1.1"},
                           "stage": "$default", "requestId": "r"},
        "body": json.dumps(BODY), "isBase64Encoded": False,
    }  # fmt: skip
    assert handler(event, None)["statusCode"] == 200
    assert handler(event, None)["statusCode"] == 200
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines() if '"_aws"' in x]
    assert len(lines) == 2
    for line in lines:
        _validate_emf(line)
    assert [line["CacheHit"] for line in lines] == ["0", "1"]
    assert MARKER.lower() not in json.dumps(lines)
