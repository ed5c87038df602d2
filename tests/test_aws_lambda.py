"""The AWS Lambda handler and authorizer, driven with real API Gateway event shapes."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from invariants import assert_valid_analysis
from iris_codes.deploy import aws_authorizer

SOURCE = "def handler(event, context):\n    return {'ok': True}\n"
BODY = json.dumps({"filename": "fn.py", "source_code": SOURCE})


def _http_api_event(body: str, headers: dict[str, str]) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/api/iris/analyze",
        "rawQueryString": "",
        "headers": {"content-type": "application/json", **headers},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api-id",
            "domainName": "id.execute-api.us-east-2.amazonaws.com",
            "http": {"method": "POST", "path": "/api/iris/analyze", "protocol": "HTTP/1.1",
                     "sourceIp": "203.0.113.9", "userAgent": "vscode"},
            "requestId": "req-1",
            "stage": "$default",
            "timeEpoch": 1767225600000,
        },
        "body": base64.b64encode(body.encode()).decode(),
        "isBase64Encoded": True,
    }  # fmt: skip


def _rest_api_event(body: str, headers: dict[str, str]) -> dict[str, Any]:
    all_headers = {"Content-Type": "application/json", **headers}
    return {
        "resource": "/{proxy+}",
        "path": "/api/iris/analyze",
        "httpMethod": "POST",
        "headers": all_headers,
        "multiValueHeaders": {k: [v] for k, v in all_headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"proxy": "api/iris/analyze"},
        "stageVariables": None,
        "requestContext": {"stage": "prod", "requestId": "req-2", "httpMethod": "POST",
                           "identity": {"sourceIp": "203.0.113.9"}, "path": "/prod/x"},
        "body": body,
        "isBase64Encoded": False,
    }  # fmt: skip


@pytest.fixture
def lambda_handler(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    monkeypatch.setenv("IRIS_API_KEY", "lambda-key")
    monkeypatch.setenv("IRIS_CACHE_DIR", str(tmp_path / "lambda-cache"))
    from iris_codes.deploy import aws_lambda

    return aws_lambda._make_handler()


@pytest.mark.parametrize("make_event", [_http_api_event, _rest_api_event])
def test_lambda_handler_answers_api_gateway_events(lambda_handler: Any, make_event: Any) -> None:
    reply = lambda_handler(make_event(BODY, {"X-API-Key": "lambda-key"}), None)
    assert reply["statusCode"] == 200
    assert_valid_analysis(json.loads(reply["body"]), SOURCE)
    again = json.loads(lambda_handler(make_event(BODY, {"x-api-key": "lambda-key"}), None)["body"])
    assert again["metadata"]["cache_hit"] == 1


@pytest.mark.parametrize("make_event", [_http_api_event, _rest_api_event])
def test_lambda_handler_rejects_a_wrong_key(lambda_handler: Any, make_event: Any) -> None:
    reply = lambda_handler(make_event(BODY, {"X-API-Key": "nope"}), None)
    assert reply["statusCode"] == 401
    assert json.loads(reply["body"])["code"] == "unauthorized"


def test_http_api_authorizer_allows_only_configured_keys() -> None:
    keys = ("alpha", "beta")
    good = _http_api_event(BODY, {"x-api-key": "beta"})
    assert aws_authorizer.is_authorized(good, keys) == (True, "key-2")
    assert aws_authorizer.is_authorized(_http_api_event(BODY, {}), keys) == (False, "")
    assert aws_authorizer.is_authorized(good, ()) == (False, "")


def test_rest_authorizer_returns_an_iam_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aws_authorizer, "_KEYS", ("alpha",))

    def effect(key: str) -> str:
        event = {
            "type": "REQUEST",
            "methodArn": "arn:aws:execute-api:x",
            "headers": {"X-API-Key": key},
        }
        statement = aws_authorizer.handler(event)["policyDocument"]["Statement"][0]
        assert statement["Resource"] == "arn:aws:execute-api:x"
        return str(statement["Effect"])

    assert effect("alpha") == "Allow"
    assert effect("x") == "Deny"
