"""The SAM template in deploy/aws/: what it grants, what it creates, what it passes on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from iris_codes.cache import Cache
from iris_codes.cache.dynamodb import DynamoDBTier
from iris_codes.cache.dynamodb_http import DynamoDBHttpClient
from iris_codes.cache.memory import MemoryTier

TEMPLATE = Path(__file__).parent.parent / "deploy" / "aws" / "template.yaml"


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (!Ref, !Sub, !GetAtt…) kept as data."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node)
    else:
        value = loader.construct_mapping(node)  # type: ignore[arg-type]
    return {suffix: value}


_CfnLoader.add_multi_constructor("!", _tag)


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.load(TEMPLATE.read_text(), Loader=_CfnLoader)
    return loaded


def _policy_actions(template: dict[str, Any]) -> tuple[set[str], list[Any]]:
    statements = template["Resources"]["IrisFunction"]["Properties"]["Policies"][0]["Statement"]
    actions = {action for s in statements for action in s["Action"]}
    return actions, [s["Resource"] for s in statements]


def test_table_is_on_demand_with_ttl_on_the_tiers_attribute(template: dict[str, Any]) -> None:
    table = template["Resources"]["CacheTable"]["Properties"]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}
    assert table["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]


def test_function_may_use_only_item_actions_on_its_table(template: dict[str, Any]) -> None:
    actions, resources = _policy_actions(template)
    assert actions == {
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
    }
    assert resources == [{"GetAtt": "CacheTable.Arn"}]


@pytest.mark.parametrize("client", ["auto", "boto3"])
def test_serving_calls_no_dynamodb_action_the_role_lacks(
    template: dict[str, Any], dynamodb_url: str, client: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    tier = DynamoDBTier.from_url(dynamodb_url + ("&client=boto3" if client == "boto3" else ""))
    called: set[str] = set()
    db = tier._db()
    if isinstance(db, DynamoDBHttpClient):
        send = DynamoDBHttpClient.call

        def record(self: DynamoDBHttpClient, operation: str, request: Any) -> Any:
            called.add(f"dynamodb:{operation}")
            return send(self, operation, request)

        monkeypatch.setattr(DynamoDBHttpClient, "call", record)
    else:
        db.meta.events.register(
            "before-call.dynamodb.*", lambda model, **_: called.add(f"dynamodb:{model.name}")
        )
    cache = Cache(MemoryTier(10, 1 << 20), tier, ttl=60, inc=lambda *a, **k: None)
    cache.get("k" * 64)
    token = cache.try_lock("k" * 64, 10)
    assert token is not None
    cache.set("k" * 64, b"v")
    cache.unlock("k" * 64, token)
    cache.incr("client", 60)
    cache.health(probe=True)
    cache.set("big" * 22, b"x" * 500_000)  # counted as oversized
    tier.delete("k" * 64)
    cache.close()  # flushes the counters
    actions, _ = _policy_actions(template)
    assert called
    assert called <= actions, called - actions


def test_authorizer_caches_on_the_key_header_with_simple_responses(
    template: dict[str, Any],
) -> None:
    api = template["Resources"]["HttpApi"]["Properties"]["Auth"]
    assert api["DefaultAuthorizer"] == "ApiKey"
    authorizer = api["Authorizers"]["ApiKey"]
    assert authorizer["EnableSimpleResponses"] is True
    assert authorizer["AuthorizerPayloadFormatVersion"] == "2.0"
    assert authorizer["Identity"]["Headers"] == ["x-api-key"]
    assert authorizer["Identity"]["ReauthorizeEvery"] == {"Ref": "AuthorizerCacheSeconds"}
    function = template["Resources"]["AuthorizerFunction"]["Properties"]
    assert function["Handler"] == "iris_codes.deploy.aws_authorizer.handler"


def test_keys_are_passed_as_digests_only(template: dict[str, Any]) -> None:
    for name in ("IrisFunction", "AuthorizerFunction"):
        variables = template["Resources"][name]["Properties"]["Environment"]["Variables"]
        assert variables["IRIS_API_KEY_HASHES"] == {"Ref": "ApiKeyHashes"}
        assert "IRIS_API_KEY" not in variables
    parameters = template["Parameters"]
    assert parameters["OpenAIApiKey"]["NoEcho"] is True
    iris = template["Resources"]["IrisFunction"]
    assert iris["Properties"]["PackageType"] == "Image"
    assert iris["Metadata"]["Dockerfile"] == "deploy/Dockerfile.lambda"
    cache_url = iris["Properties"]["Environment"]["Variables"]["IRIS_CACHE_URL"]
    assert cache_url == {"Sub": "dynamodb://${CacheTable}?region=${AWS::Region}"}


def test_authorizer_zip_runs_on_the_standard_library_alone(tmp_path: Path) -> None:
    """The template zips src/ with no dependencies: the authorizer must need none."""
    import json
    import os
    import shutil
    import subprocess
    import sys

    from iris_codes.keys import hash_key

    shutil.copytree(TEMPLATE.parent.parent.parent / "src", tmp_path / "zip")
    event = {"version": "2.0", "type": "REQUEST", "headers": {"x-api-key": "k1"}}
    program = (
        "import json, sys\n"
        "from iris_codes.deploy.aws_authorizer import handler\n"
        "print(json.dumps(handler(json.loads(sys.argv[1]))))\n"
        "assert not any(m.split('.')[0] in ('flask', 'pydantic', 'boto3') for m in sys.modules)\n"
    )
    env = {"PATH": os.environ.get("PATH", ""), "IRIS_API_KEY_HASHES": hash_key("k1")}
    done = subprocess.run(
        [sys.executable, "-S", "-c", program, json.dumps(event)],  # -S: no site-packages
        cwd=tmp_path / "zip",
        env={**env, "PYTHONPATH": str(tmp_path / "zip")},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"isAuthorized": True, "context": {"keyName": "hash-1"}}
