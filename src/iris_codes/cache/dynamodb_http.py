"""A small DynamoDB client: signed JSON over one kept-alive HTTP connection per thread.

The DynamoDB tier calls a handful of item operations, each one POST of a JSON document
signed with AWS Signature Version 4. boto3 does that too, but importing it and building
its client took 300 ms here, longer than a whole cold Lambda request without it. So when
the environment holds the credentials (as Lambda's always does) the tier uses this client;
for anything else (instance roles, profiles, SSO, FIPS or custom endpoint settings) it
uses boto3, which knows them all. ``tests/test_dynamodb_http.py`` checks every signature
against botocore's own signer.

The methods take and return what boto3's low-level client does (DynamoDB's attribute-value
JSON, ``bytes`` for binary ``B`` values) and raise ``DynamoDBError`` with the same
``response["Error"]["Code"]``, so the tier runs on either client unchanged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import os
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

SERVICE = "dynamodb"
TARGET_PREFIX = "DynamoDB_20120810."
CONTENT_TYPE = "application/x-amz-json-1.0"
#: Error codes worth one more attempt: DynamoDB asks to slow down or failed inside.
RETRYABLE = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)
#: Settings only boto3 understands; when one is set, the tier leaves the work to boto3.
BOTO3_ONLY_SETTINGS = (
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_DYNAMODB",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
)


class DynamoDBError(Exception):
    """An error answer from DynamoDB, or no answer at all (``code`` is then empty)."""

    def __init__(self, code: str, message: str, status: int = 0) -> None:
        super().__init__(f"{code or 'no answer'}: {message}" if message else code)
        self.code = code
        #: The shape of botocore's ``ClientError.response``, which the tier reads.
        self.response = {"Error": {"Code": code, "Message": message}, "Status": status}


class Credentials:
    """An access key pair and, for temporary credentials, the session token."""

    __slots__ = ("access_key", "secret_key", "token")

    def __init__(self, access_key: str, secret_key: str, token: str | None = None) -> None:
        self.access_key = access_key
        self.secret_key = secret_key
        self.token = token

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Credentials | None:
        """The credentials Lambda (or an operator) put in the environment, if complete."""
        environ = os.environ if environ is None else environ
        key = environ.get("AWS_ACCESS_KEY_ID")
        secret = environ.get("AWS_SECRET_ACCESS_KEY")
        if not key or not secret:
            return None
        return cls(key, secret, environ.get("AWS_SESSION_TOKEN") or None)

    def __repr__(self) -> str:  # never the secret, never the token
        return f"Credentials(access_key={self.access_key[:4]}…)"


def default_endpoint(region: str) -> str:
    """DynamoDB's regional HTTPS endpoint (China's regions live under ``.com.cn``)."""
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"https://{SERVICE}.{region}.{suffix}"


def sign(
    credentials: Credentials,
    region: str,
    host: str,
    headers: dict[str, str],
    body: bytes,
    now: datetime,
) -> dict[str, str]:
    """``headers`` plus the date, token and ``Authorization`` of a SigV4-signed POST to ``/``."""
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    day = stamp[:8]
    signed = {**headers, "host": host, "x-amz-date": stamp}
    if credentials.token:
        signed["x-amz-security-token"] = credentials.token
    canonical = {name.lower(): " ".join(value.split()) for name, value in signed.items()}
    names = sorted(canonical)
    request = "\n".join(
        [
            "POST",
            "/",
            "",
            *(f"{name}:{canonical[name]}" for name in names),
            "",
            ";".join(names),
            hashlib.sha256(body).hexdigest(),
        ]
    )
    scope = f"{day}/{region}/{SERVICE}/aws4_request"
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(request.encode()).hexdigest()]
    )
    key = f"AWS4{credentials.secret_key}".encode()
    for part in (day, region, SERVICE, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    signed["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={credentials.access_key}/{scope}, "
        f"SignedHeaders={';'.join(names)}, Signature={signature}"
    )
    return signed


class DynamoDBHttpClient:
    """The item and table operations the DynamoDB tier uses, with boto3's names."""

    def __init__(
        self,
        region: str,
        credentials: Credentials,
        endpoint_url: str | None = None,
        *,
        connect_timeout: float = 0.5,
        read_timeout: float = 1.0,
        max_attempts: int = 2,
    ) -> None:
        self.region = region
        self.credentials = credentials
        endpoint = urlsplit(endpoint_url or default_endpoint(region))
        if endpoint.scheme not in ("http", "https") or not endpoint.hostname:
            raise ValueError(f"not an http(s) endpoint: {endpoint_url!r}")
        self._https = endpoint.scheme == "https"
        self._host = endpoint.hostname
        self._port = endpoint.port
        self._host_header = endpoint.netloc.rpartition("@")[2]
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._max_attempts = max(1, max_attempts)
        self._local = threading.local()
        self._connections: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    # boto3's low-level method names, so the tier does not care which client it holds.
    def get_item(self, **request: Any) -> dict[str, Any]:
        return self.call("GetItem", request)

    def put_item(self, **request: Any) -> dict[str, Any]:
        return self.call("PutItem", request)

    def delete_item(self, **request: Any) -> dict[str, Any]:
        return self.call("DeleteItem", request)

    def update_item(self, **request: Any) -> dict[str, Any]:
        return self.call("UpdateItem", request)

    def batch_write_item(self, **request: Any) -> dict[str, Any]:
        return self.call("BatchWriteItem", request)

    def scan(self, **request: Any) -> dict[str, Any]:
        return self.call("Scan", request)

    def describe_table(self, **request: Any) -> dict[str, Any]:
        return self.call("DescribeTable", request)

    def create_table(self, **request: Any) -> dict[str, Any]:
        return self.call("CreateTable", request)

    def describe_time_to_live(self, **request: Any) -> dict[str, Any]:
        return self.call("DescribeTimeToLive", request)

    def update_time_to_live(self, **request: Any) -> dict[str, Any]:
        return self.call("UpdateTimeToLive", request)

    def call(self, operation: str, request: Mapping[str, Any]) -> dict[str, Any]:
        """One operation, retried once on a dropped connection, a throttle or a 5xx."""
        body = json.dumps(_encode_binary(request), separators=(",", ":")).encode()
        for attempt in range(1, self._max_attempts + 1):
            try:
                status, payload = self._post(operation, body)
            except (OSError, http.client.HTTPException) as exc:
                self._drop_connection()
                if attempt == self._max_attempts:
                    raise DynamoDBError("", f"{type(exc).__name__}: {exc}") from exc
                continue
            if status == 200:
                return _decode_binary(json.loads(payload)) if payload else {}
            error = _error(status, payload)
            if attempt == self._max_attempts or not (status >= 500 or error.code in RETRYABLE):
                raise error
            time.sleep(0.025 * attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        """Close every thread's connection."""
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            connection.close()
        self._local = threading.local()

    def _post(self, operation: str, body: bytes) -> tuple[int, bytes]:
        connection = self._connection()
        headers = sign(
            self.credentials,
            self.region,
            self._host_header,
            {"content-type": CONTENT_TYPE, "x-amz-target": TARGET_PREFIX + operation},
            body,
            datetime.now(UTC),
        )
        # The signed Host header goes as signed: http.client then adds none of its own.
        connection.request("POST", "/", body=body, headers=headers)
        reply = connection.getresponse()
        return reply.status, reply.read()

    def _connection(self) -> http.client.HTTPConnection:
        connection: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        if connection is None:
            kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            connection = kind(self._host, self._port, timeout=self._connect_timeout)
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        if connection.sock is None:  # new, or closed by the server since the last call
            connection.timeout = self._connect_timeout
            connection.connect()
            connection.sock.settimeout(self._read_timeout)  # type: ignore[attr-defined]
        return connection

    def _drop_connection(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            connection.close()
            with self._lock:
                if connection in self._connections:
                    self._connections.remove(connection)


def _error(status: int, payload: bytes) -> DynamoDBError:
    try:
        document = json.loads(payload)
    except ValueError:
        document = {}
    if not isinstance(document, dict):
        document = {}
    # "__type" is "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException".
    code = str(document.get("__type", "")).rpartition("#")[2] or f"HTTP{status}"
    message = str(document.get("message") or document.get("Message") or "")
    return DynamoDBError(code, message, status)


def _encode_binary(value: Any) -> Any:
    """Request values with ``bytes`` as base64 text, as the JSON protocol carries them."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, Mapping):
        return {key: _encode_binary(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_encode_binary(item) for item in value]
    return value


def _decode_binary(value: Any) -> Any:
    """Reply values with every ``{"B": base64}`` attribute as ``bytes``, as boto3 returns."""
    if isinstance(value, dict):
        if len(value) == 1 and isinstance(value.get("B"), str):
            return {"B": base64.b64decode(value["B"])}
        return {key: _decode_binary(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode_binary(item) for item in value]
    return value
