"""The AWS Lambda handler and authorizer, driven with real API Gateway event shapes."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
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


def _alb_event(body: str, headers: dict[str, str], method: str = "POST") -> dict[str, Any]:
    path = "/api/iris/analyze" if method == "POST" else "/api/iris/health"
    return {
        "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-2:"
                                   "123456789012:targetgroup/iris/0123456789abcdef"}},
        "httpMethod": method,
        "path": path,
        "queryStringParameters": {},
        "headers": {"content-type": "application/json", "host": "iris.example",
                    "x-forwarded-for": "203.0.113.9", "x-forwarded-proto": "https",
                    "x-forwarded-port": "443", **headers},
        "body": body if method == "POST" else "",
        "isBase64Encoded": False,
    }  # fmt: skip


def _get_event(path: str) -> dict[str, Any]:
    event = _http_api_event("", {})
    event.update(rawPath=path, body="", isBase64Encoded=False)
    event["requestContext"]["http"].update(method="GET", path=path)
    return event


@pytest.fixture
def lambda_handler(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    monkeypatch.setenv("IRIS_API_KEY", "lambda-key")
    monkeypatch.setenv("IRIS_CACHE_DIR", str(tmp_path / "lambda-cache"))
    from iris_codes.deploy import aws_lambda

    return aws_lambda._make_handler()


@pytest.mark.parametrize("make_event", [_http_api_event, _rest_api_event, _alb_event])
def test_lambda_handler_answers_api_gateway_events(lambda_handler: Any, make_event: Any) -> None:
    reply = lambda_handler(make_event(BODY, {"X-API-Key": "lambda-key"}), None)
    assert reply["statusCode"] == 200
    assert_valid_analysis(json.loads(reply["body"]), SOURCE)
    again = json.loads(lambda_handler(make_event(BODY, {"x-api-key": "lambda-key"}), None)["body"])
    assert again["metadata"]["cache_hit"] == 1


@pytest.mark.parametrize("make_event", [_http_api_event, _rest_api_event, _alb_event])
def test_lambda_handler_rejects_a_wrong_key(lambda_handler: Any, make_event: Any) -> None:
    reply = lambda_handler(make_event(BODY, {"X-API-Key": "nope"}), None)
    assert reply["statusCode"] == 401
    assert json.loads(reply["body"])["code"] == "unauthorized"


def test_alb_health_through_the_handler(lambda_handler: Any) -> None:
    reply = lambda_handler(_alb_event("", {}, method="GET"), None)
    assert reply["statusCode"] == 200
    assert reply["headers"]["Content-Type"] == "application/json"
    assert reply["isBase64Encoded"] is False
    assert json.loads(reply["body"])["success"] is True


def test_health_says_the_tmp_cache_does_not_persist(lambda_handler: Any) -> None:
    event = _get_event("/api/iris/health")
    event["headers"]["x-api-key"] = "lambda-key"  # where the cache lives is for key holders
    reply = lambda_handler(event, None)
    assert reply["statusCode"] == 200
    cache = json.loads(reply["body"])["cache"]
    assert cache["tier"] == "sqlite"
    assert cache["persistent"] is False
    assert "lambda-cache" in cache["warning"]  # where it is kept: the environment's /tmp
    assert "dynamodb://" in cache["warning"]  # and what to do about it


def test_health_says_a_memory_only_cache_does_not_persist(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IRIS_CACHE_URL", "memory://")
    from iris_codes.deploy import aws_lambda

    reply = aws_lambda._make_handler()(_get_event("/health"), None)
    cache = json.loads(reply["body"])["cache"]
    assert cache["persistent"] is False
    assert "memory only" in cache["warning"]


def test_health_on_dynamodb_has_no_warning(
    monkeypatch: pytest.MonkeyPatch, dynamodb_url: str
) -> None:
    monkeypatch.setenv("IRIS_CACHE_URL", dynamodb_url)
    from iris_codes.deploy import aws_lambda

    reply = aws_lambda._make_handler()(_get_event("/api/iris/health"), None)
    cache = json.loads(reply["body"])["cache"]
    assert cache == {"tier": "dynamodb", "ok": True, "note": dynamodb_url}


@pytest.mark.parametrize("make_event", [_http_api_event, _rest_api_event, _alb_event])
def test_oversized_body_is_a_413_through_the_handler(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, make_event: Any
) -> None:
    monkeypatch.setenv("IRIS_MAX_SOURCE_BYTES", "2000")
    monkeypatch.setenv("IRIS_CACHE_DIR", str(tmp_path / "c"))
    from iris_codes.deploy import aws_lambda

    body = json.dumps({"filename": "big.py", "source_code": "x = 1\n" * 1000})
    reply = aws_lambda._make_handler()(make_event(body, {}), None)
    assert reply["statusCode"] == 413
    assert json.loads(reply["body"])["code"] == "payload_too_large"


def test_module_handler_builds_the_app_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from iris_codes.deploy import aws_lambda

    monkeypatch.setattr(aws_lambda, "_handler", None)
    first = aws_lambda.handler(_get_event("/api/iris/health"), None)
    built = aws_lambda._handler
    second = aws_lambda.handler(_get_event("/api/iris/health"), None)
    assert first["statusCode"] == second["statusCode"] == 200
    assert aws_lambda._handler is built is not None


def test_import_loads_neither_flask_nor_pydantic() -> None:
    program = (
        "import sys, iris_codes.deploy.aws_lambda, iris_codes.deploy.aws_authorizer\n"
        "heavy = {'flask', 'pydantic', 'werkzeug', 'boto3', 'iris_codes.models'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_cold_analysis_through_the_handler_skips_flask_pydantic_and_prometheus(
    tmp_path: Path,
) -> None:
    # What a cold start pays for: the fast path answers without the Flask app, the request
    # is checked without pydantic, nothing records series no one can scrape, and the one
    # grammar needed loads without the pack's other grammars.
    event = _http_api_event(BODY, {"x-api-key": "lambda-key"})
    program = (
        "import json, sys\n"
        "from iris_codes.deploy.aws_lambda import handler\n"
        f"reply = handler(json.loads({json.dumps(json.dumps(event))}), None)\n"
        "assert reply['statusCode'] == 200, reply\n"
        "heavy = {'flask', 'pydantic', 'werkzeug', 'prometheus_client', 'tree_sitter_c_sharp',\n"
        "         'tree_sitter_language_pack', 'tree_sitter_yaml'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    env = {**os.environ, "IRIS_API_KEY": "lambda-key", "IRIS_CACHE_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_http_api_authorizer_allows_only_configured_keys() -> None:
    keys = ("alpha", "beta")
    good = _http_api_event(BODY, {"x-api-key": "beta"})
    assert aws_authorizer.is_authorized(good, keys) == (True, "key-2")
    assert aws_authorizer.is_authorized(_http_api_event(BODY, {}), keys) == (False, "")
    assert aws_authorizer.is_authorized(good, ()) == (False, "")


def test_authorizer_accepts_digests_and_the_keys_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from iris_codes.keys import KeyStore, hash_key

    keys_file = tmp_path / "keys.json"
    filed = KeyStore(keys_file).create("laptop")
    monkeypatch.setenv("IRIS_API_KEY_HASHES", f"{hash_key('gamma')},{hash_key('delta')}")
    monkeypatch.setenv("IRIS_API_KEYS_FILE", str(keys_file))
    monkeypatch.setattr(aws_authorizer, "_authenticator", None)

    def check(key: str) -> tuple[bool, str]:
        return aws_authorizer.is_authorized(_http_api_event(BODY, {"x-api-key": key}))

    assert check("delta") == (True, "hash-2")
    assert check(filed) == (True, "laptop")
    assert check(hash_key("delta")) == (False, "")  # the digest itself is not a key
    assert check("epsilon") == (False, "")
    reply = aws_authorizer.handler(_http_api_event(BODY, {"x-api-key": "gamma"}))
    assert reply == {"isAuthorized": True, "context": {"keyName": "hash-1"}}


def test_authorizer_without_any_key_denies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aws_authorizer, "_authenticator", None)
    reply = aws_authorizer.handler(_http_api_event(BODY, {"x-api-key": "anything"}))
    assert reply["isAuthorized"] is False


def test_rest_authorizer_returns_an_iam_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IRIS_API_KEY", "alpha")
    monkeypatch.setattr(aws_authorizer, "_authenticator", None)

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


def _in_init_phase(tmp_path: Path, program: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``program`` in a fresh process, as Lambda runs the import of a new environment."""
    env = {
        **os.environ,
        "IRIS_CACHE_DIR": str(tmp_path),
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        **env,
    }
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return done


_BUILT_AT_IMPORT = "from iris_codes.deploy import aws_lambda\nprint(aws_lambda._handler is None)\n"


def test_lambda_init_phase_builds_the_app_and_warms_the_engine(tmp_path: Path) -> None:
    # Lambda sets AWS_LAMBDA_INITIALIZATION_TYPE while the module is imported: that phase
    # has a full vCPU, so the first request's loading is done there instead.
    event = _http_api_event(BODY, {"x-api-key": "lambda-key"})
    program = (
        "import json, sys\n"
        "from iris_codes.deploy import aws_lambda\n"
        "warmed = aws_lambda._handler is not None\n"
        "engine = 'iris_codes.engines.structural' in sys.modules\n"
        f"reply = aws_lambda.handler(json.loads({json.dumps(json.dumps(event))}), None)\n"
        "print(json.dumps([warmed, engine, reply['statusCode']]))\n"
    )
    done = _in_init_phase(tmp_path, program, IRIS_API_KEY="lambda-key")
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [True, True, 200]


def test_a_failed_warm_up_in_the_init_phase_leaves_the_import_working(tmp_path: Path) -> None:
    # A setting that cannot be parsed: building the app fails, the import must not.
    done = _in_init_phase(tmp_path, _BUILT_AT_IMPORT, IRIS_RATE_LIMIT="lots")
    assert done.stdout.strip().splitlines()[-1] == "True"
    assert "warming in the init phase failed (ConfigError)" in done.stderr
    assert "lots" not in done.stderr


def test_lambda_warm_off_keeps_the_init_phase_to_the_import(tmp_path: Path) -> None:
    done = _in_init_phase(tmp_path, _BUILT_AT_IMPORT, IRIS_LAMBDA_WARM="off")
    assert done.stdout.strip().splitlines()[-1] == "True"


def _malformed_events() -> dict[str, dict[str, Any]]:
    good = _http_api_event(BODY, {"x-api-key": "lambda-key"})
    no_headers = {k: v for k, v in good.items() if k != "headers"}
    no_context = {k: v for k, v in good.items() if k != "requestContext"}
    non_latin1 = _get_event("/api/iris/аналіз")
    return {
        "bad base64": {**good, "body": "!!!not base64", "isBase64Encoded": True},
        "non-Latin-1 rawPath": non_latin1,
        "no headers": no_headers,
        "no requestContext": no_context,
        "empty": {},
    }


@pytest.mark.parametrize("name", list(_malformed_events()))
def test_a_malformed_event_gets_a_400_not_an_exception(
    lambda_handler: Any, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    from iris_codes.deploy import aws_lambda

    monkeypatch.setattr(aws_lambda, "_handler", lambda_handler)
    reply = aws_lambda.handler(_malformed_events()[name], None)
    assert reply["statusCode"] in (400, 404), reply
    if reply["statusCode"] == 400:
        assert json.loads(reply["body"])["success"] is False


@pytest.mark.parametrize(
    "headers",
    [[["X-API-Key", "alpha"]], {"X-API-Key": 12345}, {7: "alpha"}, "X-API-Key: alpha", None],
    ids=["a list", "an int value", "an int name", "a string", "null"],
)
def test_the_authorizer_denies_headers_of_the_wrong_shape(
    monkeypatch: pytest.MonkeyPatch, headers: object
) -> None:
    monkeypatch.setenv("IRIS_API_KEY", "alpha")
    monkeypatch.setattr(aws_authorizer, "_authenticator", None)
    event = {"type": "REQUEST", "methodArn": "arn:aws:execute-api:x", "headers": headers}
    statement = aws_authorizer.handler(event)["policyDocument"]["Statement"][0]
    assert statement["Effect"] == "Deny"
    v2 = aws_authorizer.handler({"version": "2.0", "headers": headers})
    assert v2["isAuthorized"] is False


def test_the_authorizer_denies_a_rest_event_without_a_method_arn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IRIS_API_KEY", "alpha")
    monkeypatch.setattr(aws_authorizer, "_authenticator", None)
    reply = aws_authorizer.handler({"type": "REQUEST", "headers": {"X-API-Key": "alpha"}})
    statement = reply["policyDocument"]["Statement"][0]
    assert statement == {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": "*"}
