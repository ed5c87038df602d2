"""API keys: off by default, constant-time checked when configured, old name honoured."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from iris_codes.web.auth import authenticate
from support import StartServer, post_analyze

BODY = {"filename": "a.py", "source_code": "x = 1\n"}


def test_auth_is_off_without_keys(start_server: StartServer) -> None:
    server = start_server()
    assert post_analyze(server, BODY).status_code == 200


def test_requires_key_when_configured(start_server: StartServer) -> None:
    server = start_server({"IRIS_API_KEY": "alpha-key,beta-key"})
    missing = post_analyze(server, BODY)
    assert missing.status_code == 401
    assert missing.json()["code"] == "unauthorized"
    wrong = post_analyze(server, BODY, headers={"X-API-Key": "nope"})
    assert wrong.status_code == 401
    assert post_analyze(server, BODY, headers={"x-api-key": "beta-key"}).status_code == 200
    assert post_analyze(server, BODY, headers={"X-Api-Key": "alpha-key"}).status_code == 200


def test_honours_the_older_api_key_variable(start_server: StartServer) -> None:
    server = start_server({"API_KEY": "legacy-secret"})
    assert post_analyze(server, BODY).status_code == 401
    assert post_analyze(server, BODY, headers={"X-API-KEY": "legacy-secret"}).status_code == 200


def test_authenticate_names_the_matching_key() -> None:
    assert authenticate("b", ("a", "b")) == "key-2"
    assert authenticate(None, ()) is None


def test_authenticate_rejects_a_prefix_of_a_key() -> None:
    from iris_codes.errors import Unauthorized

    with pytest.raises(Unauthorized):
        authenticate("secret", ("secret-key",))


def test_key_hashes_are_accepted_by_the_app_and_its_fast_path(start_server: StartServer) -> None:
    from iris_codes.keys import hash_key

    server = start_server({"IRIS_API_KEY_HASHES": f"{hash_key('one')},{hash_key('two')}"})
    assert post_analyze(server, BODY).status_code == 401
    assert post_analyze(server, BODY, headers={"X-API-Key": hash_key("two")}).status_code == 401
    first = post_analyze(server, BODY, headers={"X-API-Key": "two"})
    assert first.status_code == 200
    assert first.headers["X-Iris-Cache"] == "miss"
    again = post_analyze(server, BODY, headers={"X-API-Key": "one"})
    assert again.headers["X-Iris-Cache"] == "hit"  # answered by the fast path, key checked
    refused = post_analyze(server, BODY, headers={"X-API-Key": "three"})
    assert refused.status_code == 401


def test_authenticate_names_clear_keys_and_digests() -> None:
    from iris_codes.keys import hash_key

    hashes = (hash_key("h1"), hash_key("h2"))
    assert authenticate("h2", ("a",), hashes) == "hash-2"
    assert authenticate(" a ", ("a",), hashes) == "key-1"
    assert authenticate(None, (), ()) is None
    from iris_codes.errors import Unauthorized

    with pytest.raises(Unauthorized):
        authenticate(hash_key("h1"), (), hashes)


def test_key_hashes_setting_rejects_what_is_not_a_digest() -> None:
    from iris_codes.config import Settings
    from iris_codes.errors import ConfigError
    from iris_codes.keys import hash_key

    digest = hash_key("k").upper()
    assert Settings.from_env({"IRIS_API_KEY_HASHES": f" {digest} ,"}).api_key_hashes == (
        digest.lower(),
    )
    with pytest.raises(ConfigError, match="not a SHA-256"):
        Settings.from_env({"IRIS_API_KEY_HASHES": "my-clear-key"})


def test_cli_keys_hash_prints_the_digest() -> None:
    from click.testing import CliRunner

    from iris_codes.cli import main
    from iris_codes.keys import hash_key

    runner = CliRunner()
    assert runner.invoke(main, ["keys", "hash", "s3cret"]).output == hash_key("s3cret") + "\n"
    piped = runner.invoke(main, ["keys", "hash"], input="s3cret\n")
    assert piped.output == hash_key("s3cret") + "\n"


def test_health_shows_no_path_or_secret_without_a_key(
    start_server: StartServer, tmp_path: Path
) -> None:
    cache_dir = tmp_path / "secret-place"
    server = start_server({"IRIS_API_KEY": "alpha-key"}, cache_dir=cache_dir)
    anonymous = requests.get(f"{server.url}/api/iris/health", timeout=10)
    assert anonymous.status_code == 200
    assert "secret-place" not in anonymous.text
    assert "alpha-key" not in anonymous.text
    assert anonymous.json()["auth"] is True
    assert "auth_state" not in anonymous.json()
    keyed = requests.get(
        f"{server.url}/api/iris/health", headers={"X-API-Key": "alpha-key"}, timeout=10
    )
    assert "secret-place" in keyed.text  # operators see where the cache lives
    assert keyed.json()["auth_state"] == "auth: on, 1 from env"
    assert "alpha-key" not in keyed.text
