"""IRIS's own DynamoDB client: botocore's signatures, boto3's shapes, chosen only when safe."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import pytest

from fixtures_cache import DynamoDBServer
from iris_codes.cache.dynamodb import DynamoDBTier
from iris_codes.cache.dynamodb_http import (
    Credentials,
    DynamoDBError,
    DynamoDBHttpClient,
    default_endpoint,
    sign,
)

NOW = datetime(2026, 12, 1, 14, 30, 5, tzinfo=UTC)


def _botocore_signature(
    credentials: Credentials, region: str, host: str, headers: dict[str, str], body: bytes
) -> dict[str, str]:
    botocore_auth = pytest.importorskip("botocore.auth")
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials as BotoCredentials

    request = AWSRequest(
        method="POST", url=f"https://{host}/", data=body, headers={**headers, "host": host}
    )
    signer = botocore_auth.SigV4Auth(
        BotoCredentials(credentials.access_key, credentials.secret_key, credentials.token),
        "dynamodb",
        region,
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(botocore_auth, "get_current_datetime", lambda: NOW.replace(tzinfo=None))
        signer.add_auth(request)
    return {name.lower(): value for name, value in request.headers.items()}


@pytest.mark.parametrize("token", [None, "FwoGZXIvYXdzEJr//////////wEaDOv+token=="])
@pytest.mark.parametrize(
    ("region", "host", "target", "body"),
    [
        ("us-east-1", "dynamodb.us-east-1.amazonaws.com", "GetItem", b'{"TableName":"t"}'),
        ("eu-west-1", "127.0.0.1:8000", "PutItem", '{"Item":{"v":{"S":"é  x"}}}'.encode()),
        ("cn-north-1", "dynamodb.cn-north-1.amazonaws.com.cn", "Scan", b""),
    ],
)
def test_signature_matches_botocores_signer(
    token: str | None, region: str, host: str, target: str, body: bytes
) -> None:
    credentials = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token)
    headers = {
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": f"DynamoDB_20120810.{target}",
    }
    ours = {k.lower(): v for k, v in sign(credentials, region, host, headers, body, NOW).items()}
    theirs = _botocore_signature(credentials, region, host, headers, body)
    assert ours["authorization"] == theirs["authorization"]
    assert ours["x-amz-date"] == theirs["x-amz-date"] == "20261201T143005Z"
    assert ours.get("x-amz-security-token") == theirs.get("x-amz-security-token") == token


def test_credentials_never_show_their_secret() -> None:
    credentials = Credentials("AKIDEXAMPLE", "very-secret-key", "session-token")
    assert "very-secret" not in repr(credentials)
    assert "session-token" not in repr(credentials)
    assert Credentials.from_environment({"AWS_ACCESS_KEY_ID": "only-half"}) is None


def test_regional_endpoints_follow_the_partition() -> None:
    assert default_endpoint("eu-central-1") == "https://dynamodb.eu-central-1.amazonaws.com"
    assert default_endpoint("cn-northwest-1") == "https://dynamodb.cn-northwest-1.amazonaws.com.cn"
    assert default_endpoint("us-gov-west-1") == "https://dynamodb.us-gov-west-1.amazonaws.com"


def test_tier_uses_its_own_client_only_when_nothing_needs_boto3(
    moto_server: DynamoDBServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = moto_server.create_table()

    def client_of(url: str) -> str:
        tier = DynamoDBTier.from_url(url)
        try:
            tier.ping()
            return "http" if isinstance(tier._client, DynamoDBHttpClient) else "boto3"
        finally:
            tier.close()

    url = moto_server.url(table)
    assert client_of(url) == "http"  # the environment holds credentials, as on Lambda
    assert client_of(url + "&client=boto3") == "boto3"
    monkeypatch.setenv("AWS_USE_FIPS_ENDPOINT", "true")  # a setting only boto3 knows
    assert client_of(url) == "boto3"
    monkeypatch.delenv("AWS_USE_FIPS_ENDPOINT")
    monkeypatch.delenv("AWS_SESSION_TOKEN")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")  # credentials must come from a profile or role
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(_profile(monkeypatch)))
    assert client_of(url) == "boto3"


def _profile(monkeypatch: pytest.MonkeyPatch) -> str:
    import tempfile

    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "credentials")
    with open(path, "w") as handle:
        handle.write("[default]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    return path


def test_items_written_by_one_client_read_the_same_through_the_other(
    moto_server: DynamoDBServer,
) -> None:
    url = moto_server.url(moto_server.create_table())
    ours, boto = DynamoDBTier.from_url(url), DynamoDBTier.from_url(url + "&client=boto3")
    value = bytes(range(256)) * 3  # every byte value, not only text
    try:
        ours.set("k1" * 32, value, 60)
        assert boto.get("k1" * 32) == value
        boto.set("k2" * 32, value[::-1], 60)
        assert ours.get("k2" * 32) == value[::-1]
        token = ours.try_lock("lock", 30)
        assert token is not None
        assert boto.try_lock("lock", 30) is None
        boto.unlock("lock", token)
        assert ours.try_lock("lock", 30) is not None
        assert [ours.incr("rate", 60), boto.incr("rate", 60), ours.incr("rate", 60)] == [1, 2, 3]
        assert isinstance(ours._client, DynamoDBHttpClient)
        assert not isinstance(boto._client, DynamoDBHttpClient)
    finally:
        ours.close()
        boto.close()


def test_error_answers_carry_dynamodbs_code(moto_server: DynamoDBServer) -> None:
    client = DynamoDBHttpClient(
        "us-east-1", Credentials("testing", "testing"), moto_server.endpoint
    )
    try:
        with pytest.raises(DynamoDBError) as missing:
            client.get_item(TableName="no-such-table", Key={"pk": {"S": "x"}})
        assert missing.value.code == "ResourceNotFoundException"
        assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    finally:
        client.close()


def test_no_answer_is_an_error_without_a_code_after_one_retry() -> None:
    import socket

    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    client = DynamoDBHttpClient(
        "us-east-1", Credentials("testing", "testing"), f"http://127.0.0.1:{port}"
    )
    with pytest.raises(DynamoDBError) as failed:
        client.get_item(TableName="t", Key={"pk": {"S": "x"}})
    assert failed.value.code == ""
    assert "ConnectionRefusedError" in str(failed.value)


def test_a_cold_lambda_request_on_dynamodb_loads_no_boto3(
    moto_server: DynamoDBServer, tmp_path: Any
) -> None:
    # What the SAM template deploys: the cache is DynamoDB, the credentials are Lambda's.
    url = moto_server.url(moto_server.create_table())
    body = json.dumps({"filename": "a.py", "source_code": "def f():\n    return 1\n"})
    event = {
        "version": "2.0",
        "rawPath": "/api/iris/analyze",
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "x-api-key": "k"},
        "requestContext": {
            "http": {
                "method": "POST",
                "path": "/api/iris/analyze",
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "test",
            },
            "stage": "$default",
        },
        "body": body,
        "isBase64Encoded": False,
    }
    program = (
        "import json, sys\n"
        "from iris_codes.deploy.aws_lambda import handler\n"
        "event = json.loads(sys.argv[1])\n"
        "first = json.loads(handler(event, None)['body'])\n"
        "again = json.loads(handler(event, None)['body'])\n"
        "print(json.dumps([first['success'], again['metadata'].get('cache_hit'),\n"
        "                  sorted(m for m in sys.modules if m.split('.')[0] in\n"
        "                         ('boto3', 'botocore', 'urllib3'))]))\n"
    )
    env = {**os.environ, "IRIS_API_KEY": "k", "IRIS_CACHE_URL": url, "TMPDIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", program, json.dumps(event)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    success, hit, loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert success is True
    assert hit  # the second request was answered from the cache
    assert loaded == []
    table = url.split("://")[1].split("?")[0]
    stored = moto_server.client().scan(TableName=table, Select="COUNT")["Count"]
    assert stored >= 1  # and the answer reached the table, not only memory
