"""Named API keys managed by ``iris keys``: stored hashed, checked live, revocable."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from iris_codes.cli import main
from iris_codes.keys import KeyStore
from iris_codes.testing import ServerProcess
from support import StartServer, post_analyze

BODY = {"filename": "a.py", "source_code": "x = 1\n"}


def test_store_keeps_only_hashes(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys.json")
    key = store.create("ci-bot")
    assert key.startswith("iris_")
    assert key not in (tmp_path / "keys.json").read_text()
    assert store.match(key) == "ci-bot"
    assert store.match(key + "x") is None
    assert (tmp_path / "keys.json").stat().st_mode & 0o777 == 0o600


def test_revoked_key_no_longer_matches(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys.json")
    key = store.create("laptop")
    assert store.revoke("laptop")
    assert not store.revoke("laptop")
    assert KeyStore(tmp_path / "keys.json").match(key) is None


def test_cli_creates_lists_and_revokes_keys(tmp_path: Path) -> None:
    env = {"IRIS_API_KEYS_FILE": str(tmp_path / "keys.json")}
    runner = CliRunner()
    created = runner.invoke(main, ["keys", "create", "alice"], env=env)
    assert created.exit_code == 0, created.output
    key = created.output.splitlines()[0]
    listed = runner.invoke(main, ["keys", "list"], env=env)
    assert "alice" in listed.output
    assert key not in listed.output
    duplicate = runner.invoke(main, ["keys", "create", "alice"], env=env)
    assert duplicate.exit_code == 1
    assert "exists" in duplicate.output
    assert runner.invoke(main, ["keys", "revoke", "alice"], env=env).exit_code == 0
    assert json.loads((tmp_path / "keys.json").read_text())["keys"] == []


def test_server_accepts_file_keys_and_notices_revocation(
    start_server: StartServer, tmp_path: Path
) -> None:
    keys_file = tmp_path / "keys.json"
    store = KeyStore(keys_file)
    key = store.create("editor")
    server = start_server({"IRIS_API_KEYS_FILE": str(keys_file)})
    assert post_analyze(server, BODY).status_code == 401
    assert post_analyze(server, BODY, headers={"X-API-Key": key}).status_code == 200
    store.revoke("editor")
    store.create("someone-else")  # auth stays on with another key in the file
    time.sleep(1.2)  # servers re-read the file at most once a second
    assert post_analyze(server, BODY, headers={"X-API-Key": key}).status_code == 401


def test_serve_counts_file_keys_as_auth(tmp_path: Path) -> None:
    env = {"IRIS_API_KEYS_FILE": str(tmp_path / "none.json")}
    refused = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--port", "1"], env=env)
    assert refused.exit_code == 2
    assert "--insecure-no-auth" in refused.output


def test_a_corrupt_keys_file_keeps_the_last_good_keys_and_warns_once(
    start_server: StartServer, tmp_path: Path
) -> None:
    keys_file = tmp_path / "keys.json"
    key = KeyStore(keys_file).create("editor")
    server = start_server({"IRIS_API_KEYS_FILE": str(keys_file)})
    assert post_analyze(server, BODY, headers={"X-API-Key": key}).status_code == 200
    keys_file.write_text('{"keys": [')  # an editor saved half a file
    time.sleep(1.2)
    for _ in range(3):
        assert post_analyze(server, BODY, headers={"X-API-Key": key}).status_code == 200
        refused = post_analyze(server, BODY, headers={"X-API-Key": "wrong"})
        assert refused.status_code == 401
        assert str(tmp_path) not in refused.text
    assert server.log_text().count("is unreadable") == 1


def test_a_keys_file_unreadable_from_the_start_accepts_no_key(
    start_server: StartServer, tmp_path: Path
) -> None:
    keys_file = tmp_path / "keys.json"
    keys_file.write_text("not json")
    server = start_server({"IRIS_API_KEYS_FILE": str(keys_file)})
    reply = post_analyze(server, BODY, headers={"X-API-Key": "anything"})
    assert reply.status_code == 401
    assert reply.json()["code"] == "unauthorized"


def test_the_auth_state_is_stated_at_start_up(start_server: StartServer, tmp_path: Path) -> None:
    keys_file = tmp_path / "keys.json"
    store = KeyStore(keys_file)
    for name in ("a", "b", "c"):
        store.create(name)
    env = {"IRIS_API_KEYS_FILE": str(keys_file), "IRIS_API_KEY": "k1,k2"}
    server = start_server(env)
    assert "auth: on, 2 from env, 3 from the keys file" in server.log_text()


def _wait_for_reload() -> None:
    time.sleep(1.2)  # servers re-read the file at most once a second


def _assert_closed(server: ServerProcess, old_key: str) -> None:
    """No request gets in, with or without the old key, and health still says auth is on."""
    assert post_analyze(server, BODY).status_code == 401
    assert post_analyze(server, BODY, headers={"X-API-Key": old_key}).status_code == 401
    health = requests.get(f"{server.url}/api/iris/health", timeout=10).json()
    assert health["auth"] is True


def _lose_last_key(how: str, keys_file: Path) -> None:
    if how == "revoke":
        env = {"IRIS_API_KEYS_FILE": str(keys_file)}
        result = CliRunner().invoke(main, ["keys", "revoke", "editor"], env=env)
        assert result.exit_code == 0, result.output
    elif how == "delete":
        keys_file.unlink()
    else:
        keys_file.write_text('{"keys": []}')


@pytest.mark.parametrize("how", ["revoke", "delete", "empty"])
def test_losing_the_last_file_key_keeps_auth_on_and_accepts_nothing(
    start_server: StartServer, tmp_path: Path, how: str
) -> None:
    keys_file = tmp_path / "keys.json"
    key = KeyStore(keys_file).create("editor")
    server = start_server({"IRIS_API_KEYS_FILE": str(keys_file)})
    assert post_analyze(server, BODY, headers={"X-API-Key": key}).status_code == 200
    _lose_last_key(how, keys_file)
    _wait_for_reload()
    _assert_closed(server, key)
    log = server.log_text()
    assert "auth stays ON" in log
    assert key not in log
    fresh = KeyStore(keys_file).create("replacement")  # a key exists again: it works
    _wait_for_reload()
    assert post_analyze(server, BODY, headers={"X-API-Key": fresh}).status_code == 200
    assert post_analyze(server, BODY).status_code == 401


def test_an_empty_keys_file_at_start_up_turns_auth_on(
    start_server: StartServer, tmp_path: Path
) -> None:
    keys_file = tmp_path / "keys.json"
    keys_file.write_text('{"keys": []}')
    server = start_server({"IRIS_API_KEYS_FILE": str(keys_file)})
    _assert_closed(server, "anything")
    assert "auth: on, 0 from the keys file (empty" in server.log_text()


def test_revoking_the_last_key_warns_that_nothing_is_accepted(tmp_path: Path) -> None:
    env = {"IRIS_API_KEYS_FILE": str(tmp_path / "keys.json")}
    runner = CliRunner()
    for name in ("a", "b"):
        assert runner.invoke(main, ["keys", "create", name], env=env).exit_code == 0
    first = runner.invoke(main, ["keys", "revoke", "a"], env=env)
    assert "last key" not in first.output
    last = runner.invoke(main, ["keys", "revoke", "b"], env=env)
    assert last.exit_code == 0
    assert "that was the last key" in last.output
    assert "refuse every request" in last.output


def test_an_existing_empty_keys_file_counts_as_auth_for_serves_bind_check(tmp_path: Path) -> None:
    keys_file = tmp_path / "keys.json"
    keys_file.write_text('{"keys": []}')  # auth on, nothing accepted: binding is safe
    from iris_codes.cli import _auth_enabled
    from iris_codes.config import Settings

    assert _auth_enabled(Settings.from_env({"IRIS_API_KEYS_FILE": str(keys_file)}))
    assert not _auth_enabled(Settings.from_env({"IRIS_API_KEYS_FILE": str(tmp_path / "no")}))
