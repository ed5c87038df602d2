"""The DynamoDB shared tier: a cache that outlives Lambda execution environments.

``IRIS_CACHE_URL=dynamodb://TABLE?region=REGION[&endpoint_url=URL]``. One table with a
string partition key ``pk`` holds four kinds of item, told apart by a prefix:

    e#<key>     an entry: the value (binary), its CRC-32, size, creation time, expiry
    l#<key>     a single-flight lock: owner token and expiry
    r#<key>     a rate-limit counter: count and expiry
    c#counters  the hit/miss counters every process adds to

Every item carries ``exp`` (expiry, fractional Unix seconds, what reads compare) and
``ttl`` (the same rounded up to whole seconds: the table's TTL attribute, so DynamoDB
deletes expired items by itself, at no cost, within a day or two). Reads never trust
the TTL sweep: an item past ``exp`` is a miss.

A value larger than DynamoDB's 400 KB item limit is not stored: it is counted
(``oversized`` in ``iris cache stats``) and logged, never an error. Timeouts are short
and retries few, so an outage costs a request a fraction of a second before the breaker
in ``tiered.Cache`` skips the tier. The client's exceptions are translated into
``CacheError`` here and go no further.

Two clients speak to DynamoDB, with the same calls: when the environment holds the
credentials (Lambda's always does), ``dynamodb_http.DynamoDBHttpClient``, which costs a
cold start a few milliseconds; otherwise, or with ``client=boto3`` in the URL, boto3
(the ``aws`` extra, ``pip install '.[aws]'``), which knows instance roles, profiles and SSO but
takes about 300 ms to import and build. Either is created when the tier is first used.
"""

from __future__ import annotations

import logging
import math
import os
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlencode

from ..errors import CacheError, ConfigError
from .base import COUNTER_NAMES, Clock, Tier, checksum, new_token

logger = logging.getLogger(__name__)

#: DynamoDB's item size limit (names and values of every attribute count).
ITEM_LIMIT = 400 * 1024
#: Room left for the key and the other attributes of an entry.
ITEM_OVERHEAD = 512
#: Seconds to open a connection and to wait for a reply; DynamoDB answers in milliseconds.
CONNECT_TIMEOUT = 0.5
READ_TIMEOUT = 1.0
#: Attempts per call, the first included (one retry covers a dropped pooled connection).
MAX_ATTEMPTS = 2
#: Items ``stats`` inspects at most, so it stays bounded on a huge table.
STATS_SCAN_LIMIT = 200_000

ENTRY, LOCK, RATE = "e#", "l#", "r#"
COUNTERS_PK = "c#counters"
#: Attribute names (all sent through placeholders: TTL is a DynamoDB reserved word).
PK, VALUE, CRC, SIZE, CREATED, EXPIRES, TTL_ATTR, TOKEN, COUNT = (
    "pk", "v", "crc", "size", "created", "exp", "ttl", "token", "n",
)  # fmt: skip
OVERSIZED = "oversized"
CLIENTS = ("auto", "boto3")
#: Error codes that mean "slow down", not "down".
_THROTTLED = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TransactionConflictException",
}


def parse_url(url: str) -> tuple[str, str | None, str | None, str]:
    """(table, region, endpoint_url, client) from ``dynamodb://TABLE?region=R&…``.

    ``client`` is ``auto`` (IRIS's own HTTP client when the environment holds the
    credentials, boto3 otherwise) or ``boto3``.
    """
    rest = url.partition("://")[2]
    table, _, query = rest.partition("?")
    table = table.strip("/")
    if not table:
        raise ConfigError("IRIS_CACHE_URL must name the table: dynamodb://TABLE?region=REGION")
    params = {name: values[-1] for name, values in parse_qs(query).items()}
    unknown = set(params) - {"region", "endpoint_url", "client"}
    if unknown:
        raise ConfigError(
            "IRIS_CACHE_URL dynamodb:// takes region, endpoint_url and client, "
            f"not {sorted(unknown)}"
        )
    client = params.get("client", "auto")
    if client not in CLIENTS:
        raise ConfigError(f"IRIS_CACHE_URL dynamodb:// client is auto or boto3, not {client!r}")
    region = params.get("region") or os.environ.get("AWS_REGION")
    region = region or os.environ.get("AWS_DEFAULT_REGION")
    return table, region, params.get("endpoint_url"), client


class DynamoDBTier(Tier):
    """Entries, locks and counters as items of one DynamoDB table."""

    name = "dynamodb"

    def __init__(
        self,
        table: str,
        region: str | None = None,
        endpoint_url: str | None = None,
        *,
        client: str = "auto",
        clock: Clock = time.time,
    ) -> None:
        self.table = table
        self.region = region
        self.endpoint_url = endpoint_url
        self.client = client
        self._clock = clock
        self._client: Any = None
        self._client_pid = 0
        self._client_lock = threading.Lock()
        #: Values this process declined to store because they exceed the item limit.
        self.oversized = 0

    @classmethod
    def from_url(cls, url: str) -> DynamoDBTier:
        table, region, endpoint_url, client = parse_url(url)
        return cls(table, region, endpoint_url, client=client)

    # -- Tier ---------------------------------------------------------------

    def get(self, key: str) -> bytes | None:
        """The value under ``key``; expired or corrupt items are misses."""
        with self._translate("read"):
            item = (
                self._db()
                .get_item(
                    TableName=self.table,
                    Key={PK: {"S": ENTRY + key}},
                    ExpressionAttributeNames={"#v": VALUE, "#c": CRC, "#e": EXPIRES},
                    ProjectionExpression="#v, #c, #e",
                )
                .get("Item")
            )
            if item is None:
                return None
            value = _binary(item.get(VALUE))
            stored_sum = _number(item.get(CRC))
            expires = _number(item.get(EXPIRES))
            if expires is not None and expires <= self._clock():
                return None  # DynamoDB's TTL sweep removes it later, for free
            if value is None or stored_sum is None or checksum(value) != int(stored_sum):
                logger.warning("cache entry %s… failed its checksum; deleted", key[:12])
                self._db().delete_item(TableName=self.table, Key={PK: {"S": ENTRY + key}})
                return None
            return value

    def set(self, key: str, value: bytes, ttl: float) -> None:
        """One PutItem (atomic on the server); too large for an item: counted, skipped."""
        if ttl <= 0:
            return
        if len(value) + len(key) + ITEM_OVERHEAD > ITEM_LIMIT:
            self._count_oversized(key, len(value))
            return
        now = self._clock()
        item = {
            PK: {"S": ENTRY + key},
            VALUE: {"B": value},
            CRC: {"N": str(checksum(value))},
            SIZE: {"N": str(len(value))},
            CREATED: {"N": _num(now)},
            **_expiry(now + ttl),
        }
        with self._translate("write"):
            self._db().put_item(TableName=self.table, Item=item)

    def delete(self, key: str) -> None:
        """Remove ``key`` if present."""
        with self._translate("write"):
            self._db().delete_item(TableName=self.table, Key={PK: {"S": ENTRY + key}})

    def try_lock(self, key: str, ttl: float) -> str | None:
        """A conditional put: succeeds when no lock item exists or the one there expired."""
        token = new_token()
        now = self._clock()
        with self._translate("lock"):
            try:
                self._db().put_item(
                    TableName=self.table,
                    Item={PK: {"S": LOCK + key}, TOKEN: {"S": token}, **_expiry(now + ttl)},
                    ConditionExpression="attribute_not_exists(#pk) OR #e <= :now",
                    ExpressionAttributeNames={"#pk": PK, "#e": EXPIRES},
                    ExpressionAttributeValues={":now": {"N": _num(now)}},
                )
            except Exception as exc:
                if _code(exc) == "ConditionalCheckFailedException":
                    return None
                raise
        return token

    def unlock(self, key: str, token: str) -> None:
        """A conditional delete: only the owner's token releases the lock."""
        with self._translate("unlock"):
            try:
                self._db().delete_item(
                    TableName=self.table,
                    Key={PK: {"S": LOCK + key}},
                    ConditionExpression="#t = :token",
                    ExpressionAttributeNames={"#t": TOKEN},
                    ExpressionAttributeValues={":token": {"S": token}},
                )
            except Exception as exc:
                if _code(exc) != "ConditionalCheckFailedException":
                    raise

    def extend_lock(self, key: str, token: str, ttl: float) -> bool:
        """A conditional update of the expiry: only the owner's token renews."""
        expiry = _expiry(self._clock() + ttl)
        with self._translate("lock"):
            try:
                self._db().update_item(
                    TableName=self.table,
                    Key={PK: {"S": LOCK + key}},
                    UpdateExpression="SET #e = :e, #ttl = :ttl",
                    ConditionExpression="#t = :token",
                    ExpressionAttributeNames={"#e": EXPIRES, "#ttl": TTL_ATTR, "#t": TOKEN},
                    ExpressionAttributeValues={
                        ":e": expiry[EXPIRES],
                        ":ttl": expiry[TTL_ATTR],
                        ":token": {"S": token},
                    },
                )
            except Exception as exc:
                if _code(exc) == "ConditionalCheckFailedException":
                    return False
                raise
        return True

    def incr(self, key: str, ttl: float) -> int:
        """An atomic ADD on a live counter; an expired one is restarted at 1.

        The window starts at the first increment: ``exp`` is set only when the item is
        created (``if_not_exists``), so later increments do not stretch it.
        """
        with self._translate("write"):
            for _ in range(3):
                now = self._clock()
                try:
                    return self._add(key, now, ttl)
                except Exception as exc:
                    if _code(exc) != "ConditionalCheckFailedException":
                        raise
                try:  # the window is over: start a new one, unless another caller just did
                    self._restart(key, now, ttl)
                    return 1
                except Exception as exc:
                    if _code(exc) != "ConditionalCheckFailedException":
                        raise
            raise CacheError("DynamoDB counter kept changing under us", transient=True)

    def count(self, key: str) -> int:
        with self._translate("read"):
            item = (
                self._db()
                .get_item(TableName=self.table, Key={PK: {"S": RATE + key}}, ConsistentRead=True)
                .get("Item")
            )
        if item is None:
            return 0
        expires = _number(item.get(EXPIRES))
        live = expires is None or expires > self._clock()
        return int(_number(item.get(COUNT)) or 0) if live else 0

    def ping(self) -> None:
        """Read one small item (GetItem is all the function's role may do)."""
        with self._translate("ping"):
            self._db().get_item(TableName=self.table, Key={PK: {"S": COUNTERS_PK}})

    def stats(self) -> dict[str, Any]:
        """Entries, bytes and oldest entry (by scanning), and persisted counters."""
        entries = size = 0
        oldest: float | None = None
        truncated = False
        now = self._clock()
        with self._translate("read"):
            for item in self._scan(f"{PK}, {SIZE}, {CREATED}, {EXPIRES}"):
                pk = item[PK]["S"]
                if not pk.startswith(ENTRY):
                    continue
                expires = _number(item.get(EXPIRES))
                if expires is not None and expires <= now:
                    continue  # expired, awaiting the TTL sweep
                entries += 1
                size += int(_number(item.get(SIZE)) or 0)
                created = _number(item.get(CREATED))
                if created is not None and (oldest is None or created < oldest):
                    oldest = created
                if entries >= STATS_SCAN_LIMIT:
                    truncated = True
                    break
            counters = (
                self._db()
                .get_item(TableName=self.table, Key={PK: {"S": COUNTERS_PK}}, ConsistentRead=True)
                .get("Item", {})
            )
        return {
            "entries": entries,
            "bytes": size,
            "oldest_entry": _iso(oldest),
            "truncated": truncated,
            "oversized": int(_number(counters.get(OVERSIZED)) or 0),
            "counters": {name: int(_number(counters.get(name)) or 0) for name in COUNTER_NAMES},
            "url": self.describe(),
        }

    def prune(self) -> dict[str, int]:
        """Delete items past their expiry now, rather than waiting for the TTL sweep.

        Each delete is conditional on the item still being expired, so an entry written or
        a lock taken again since the scan is left alone.
        """
        now = self._clock()
        expired = 0
        with self._translate("write"):
            doomed = [
                item[PK]["S"]
                for item in self._scan(f"{PK}, {EXPIRES}")
                if (_number(item.get(EXPIRES)) or math.inf) <= now
            ]
            db = self._db()
            for name in doomed:
                try:
                    db.delete_item(
                        TableName=self.table,
                        Key={PK: {"S": name}},
                        ConditionExpression="#e <= :now",
                        ExpressionAttributeNames={"#e": EXPIRES},
                        ExpressionAttributeValues={":now": {"N": _num(now)}},
                    )
                except Exception as exc:
                    if _code(exc) != "ConditionalCheckFailedException":
                        raise
                    continue
                expired += name.startswith(ENTRY)
        return {"expired": expired, "evicted": 0}

    def clear(self) -> int:
        """Delete every IRIS item: entries, locks, counters (the table stays)."""
        with self._translate("write"):
            names = [item[PK]["S"] for item in self._scan(PK)]
            self._delete_all(names)
        return sum(name.startswith(ENTRY) for name in names)

    def add_counters(self, counts: Mapping[str, int]) -> None:
        """ADD each counter delta to the counters item, in one UpdateItem."""
        rows = [(name, int(n)) for name, n in counts.items() if n and name in COUNTER_NAMES]
        if not rows:
            return
        names = {f"#c{i}": name for i, (name, _) in enumerate(rows)}
        values = {f":c{i}": {"N": str(n)} for i, (_, n) in enumerate(rows)}
        expression = "ADD " + ", ".join(f"#c{i} :c{i}" for i in range(len(rows)))
        with self._translate("write"):
            self._db().update_item(
                TableName=self.table,
                Key={PK: {"S": COUNTERS_PK}},
                UpdateExpression=expression,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )

    def describe(self) -> str:
        """``dynamodb://TABLE?region=…`` (no credentials are ever part of it)."""
        query = {
            "region": self.region,
            "endpoint_url": self.endpoint_url,
            "client": None if self.client == "auto" else self.client,
        }
        shown = urlencode({k: v for k, v in query.items() if v}, safe=":/")
        return f"dynamodb://{self.table}" + (f"?{shown}" if shown else "")

    def close(self) -> None:
        """Drop the client (its connection pool closes with it)."""
        client, self._client = self._client, None
        if client is not None:
            try:
                client.close()
            except Exception:  # closing must not fail shutdown
                logger.debug("closing the DynamoDB client failed", exc_info=True)

    def init(self) -> dict[str, Any]:
        """Create the table (on-demand, TTL on ``ttl``) if it is missing; what was done."""
        created = False
        with self._translate("init"):
            db = self._db()
            try:
                db.describe_table(TableName=self.table)
            except Exception as exc:
                if _code(exc) != "ResourceNotFoundException":
                    raise
                db.create_table(
                    TableName=self.table,
                    AttributeDefinitions=[{"AttributeName": PK, "AttributeType": "S"}],
                    KeySchema=[{"AttributeName": PK, "KeyType": "HASH"}],
                    BillingMode="PAY_PER_REQUEST",
                )
                created = True
            self._wait_until_active(db)
            ttl = db.describe_time_to_live(TableName=self.table)["TimeToLiveDescription"]
            ttl_enabled = ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING")
            if not ttl_enabled:
                db.update_time_to_live(
                    TableName=self.table,
                    TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTR},
                )
        return {
            "created": created,
            "ttl_attribute": TTL_ATTR,
            "ttl_enabled_now": not ttl_enabled,
            "billing": "PAY_PER_REQUEST" if created else "unchanged",
        }

    # -- internals ------------------------------------------------------------

    def _wait_until_active(self, db: Any, attempts: int = 120) -> None:
        for _ in range(attempts):
            table = db.describe_table(TableName=self.table)["Table"]
            if table.get("TableStatus") == "ACTIVE":
                return
            time.sleep(1)
        raise CacheError(f"DynamoDB table {self.table!r} did not become active")

    def _add(self, key: str, now: float, ttl: float) -> int:
        expiry = _expiry(now + ttl)
        reply = self._db().update_item(
            TableName=self.table,
            Key={PK: {"S": RATE + key}},
            UpdateExpression="ADD #n :one SET #e = if_not_exists(#e, :exp), "
            "#t = if_not_exists(#t, :ttl)",
            ConditionExpression="attribute_not_exists(#pk) OR #e > :now",
            ExpressionAttributeNames={"#n": COUNT, "#e": EXPIRES, "#t": TTL_ATTR, "#pk": PK},
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":exp": expiry[EXPIRES],
                ":ttl": expiry[TTL_ATTR],
                ":now": {"N": _num(now)},
            },
            ReturnValues="UPDATED_NEW",
        )
        return int(reply["Attributes"][COUNT]["N"])

    def _restart(self, key: str, now: float, ttl: float) -> None:
        self._db().put_item(
            TableName=self.table,
            Item={PK: {"S": RATE + key}, COUNT: {"N": "1"}, **_expiry(now + ttl)},
            ConditionExpression="#e <= :now",
            ExpressionAttributeNames={"#e": EXPIRES},
            ExpressionAttributeValues={":now": {"N": _num(now)}},
        )

    def _count_oversized(self, key: str, size: int) -> None:
        self.oversized += 1
        logger.warning(
            "cache entry %s… not stored: %s bytes exceed DynamoDB's 400 KB item limit",
            key[:12],
            size,
        )
        with self._translate("write"):
            self._db().update_item(
                TableName=self.table,
                Key={PK: {"S": COUNTERS_PK}},
                UpdateExpression="ADD #o :one",
                ExpressionAttributeNames={"#o": OVERSIZED},
                ExpressionAttributeValues={":one": {"N": "1"}},
            )

    def _scan(self, projection: str) -> Iterator[dict[str, Any]]:
        names = {f"#a{i}": name.strip() for i, name in enumerate(projection.split(","))}
        request: dict[str, Any] = {
            "TableName": self.table,
            "ProjectionExpression": ", ".join(names),
            "ExpressionAttributeNames": names,
        }
        while True:
            page = self._db().scan(**request)
            yield from page.get("Items", [])
            if not page.get("LastEvaluatedKey"):
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _delete_all(self, names: list[str]) -> None:
        db = self._db()
        for start in range(0, len(names), 25):  # BatchWriteItem takes 25 requests at most
            requests = [
                {"DeleteRequest": {"Key": {PK: {"S": name}}}} for name in names[start : start + 25]
            ]
            pending: dict[str, Any] = {self.table: requests}
            for attempt in range(8):
                reply = db.batch_write_item(RequestItems=pending)
                pending = reply.get("UnprocessedItems") or {}
                if not pending:
                    break
                time.sleep(0.05 * 2**attempt)
            else:
                raise CacheError("DynamoDB kept items unprocessed", transient=True)

    def _db(self) -> Any:
        pid = os.getpid()
        if self._client is not None and self._client_pid == pid:
            return self._client
        with self._client_lock:
            if self._client is None or self._client_pid != pid:
                self._client = self._new_client()
                self._client_pid = pid  # a forked child builds its own client
        return self._client

    def _new_client(self) -> Any:
        http_client = self._http_client()
        if http_client is not None:
            return http_client
        try:
            # Imported here: only DynamoDB deployments pay for boto3.
            import boto3
            from botocore.config import Config
        except ImportError:
            from ..extras import install_hint

            raise ConfigError(f"The DynamoDB cache needs boto3: {install_hint('aws')}") from None
        config = Config(
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=READ_TIMEOUT,
            retries={"total_max_attempts": MAX_ATTEMPTS, "mode": "standard"},
            max_pool_connections=64,  # one per server thread, as IRIS_THREADS defaults to
        )
        # A session of its own: boto3's default session is not safe to share across threads.
        session = boto3.session.Session(region_name=self.region)
        return session.client("dynamodb", endpoint_url=self.endpoint_url, config=config)

    def _http_client(self) -> Any:
        """IRIS's own client when nothing needs boto3's knowledge, else None."""
        from .dynamodb_http import BOTO3_ONLY_SETTINGS, Credentials, DynamoDBHttpClient

        credentials = Credentials.from_environment()
        if self.client != "auto" or credentials is None or not self.region:
            return None
        if any(os.environ.get(name) for name in BOTO3_ONLY_SETTINGS):
            return None
        return DynamoDBHttpClient(
            self.region,
            credentials,
            self.endpoint_url,
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=READ_TIMEOUT,
            max_attempts=MAX_ATTEMPTS,
        )

    @contextmanager
    def _translate(self, action: str) -> Iterator[None]:
        try:
            yield
        except CacheError:
            raise
        except ConfigError:
            raise
        except Exception as exc:
            if not _is_client_error(exc) and not isinstance(exc, OSError):
                raise
            code = _code(exc)
            if code == "ResourceNotFoundException":
                message = (
                    f"DynamoDB cache {action} failed: table {self.table!r} does not exist "
                    "(create it with `iris cache init`)"
                )
            else:
                message = f"DynamoDB cache {action} failed: {type(exc).__name__}: {exc}"
            raise CacheError(message, transient=code in _THROTTLED) from exc


def _is_client_error(exc: BaseException) -> bool:
    from .dynamodb_http import DynamoDBError

    if isinstance(exc, DynamoDBError):
        return True
    # A botocore error can only come from a loaded botocore: never import it just to ask.
    botocore = sys.modules.get("botocore.exceptions")
    return botocore is not None and isinstance(exc, botocore.BotoCoreError | botocore.ClientError)


def _code(exc: BaseException) -> str:
    """The DynamoDB error code of a ``ClientError`` or ``DynamoDBError`` (else empty)."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return ""
    return str(response.get("Error", {}).get("Code", ""))


def _num(value: float) -> str:
    return repr(round(float(value), 6))


def _expiry(expires: float) -> dict[str, dict[str, str]]:
    """The precise expiry read back by IRIS and the whole-second one DynamoDB's TTL uses."""
    return {EXPIRES: {"N": _num(expires)}, TTL_ATTR: {"N": str(math.ceil(expires))}}


def _binary(attribute: Any) -> bytes | None:
    if not isinstance(attribute, dict):
        return None
    value = attribute.get("B")
    return bytes(value) if isinstance(value, bytes | bytearray) else None


def _number(attribute: Any) -> float | None:
    if not isinstance(attribute, dict) or "N" not in attribute:
        return None
    try:
        return float(Decimal(attribute["N"]))
    except (ArithmeticError, ValueError, TypeError):
        return None


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")
