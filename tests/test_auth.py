"""API keys: off by default, constant-time checked when configured, old name honoured."""

from __future__ import annotations

import pytest

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
