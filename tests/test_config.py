"""Settings: one table, validated, documented."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests

from iris_codes.config import SETTINGS, Settings, mask_url
from iris_codes.errors import ConfigError
from support import StartServer

REPO = Path(__file__).resolve().parents[1]


def test_defaults_need_nothing_external() -> None:
    settings = Settings.from_env({})
    assert settings.engine == "auto"
    assert settings.api_keys == ()
    assert settings.host == "127.0.0.1"
    assert settings.threads > settings.workers


def test_reads_keys_comma_separated_and_the_older_name() -> None:
    assert Settings.from_env({"IRIS_API_KEY": "a, b,,c"}).api_keys == ("a", "b", "c")
    assert Settings.from_env({"API_KEY": "old"}).api_keys == ("old",)
    assert Settings.from_env({"IRIS_API_KEY": "new", "API_KEY": "old"}).api_keys == ("new",)


def test_invalid_value_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="IRIS_WORKERS"):
        Settings.from_env({"IRIS_WORKERS": "many"})
    with pytest.raises(ConfigError, match="IRIS_ENGINE"):
        Settings.from_env({"IRIS_ENGINE": "magic"})


def test_public_view_masks_secrets() -> None:
    shown = Settings.from_env({"IRIS_API_KEY": "k1", "OPENAI_API_KEY": "sk-x"}).public()
    assert shown["api_keys"] == "***"
    assert shown["openai_api_key"] == "***"


def test_every_setting_is_a_field_and_documented() -> None:
    documented = (REPO / "docs" / "configuration.md").read_text()
    fields = Settings.__dataclass_fields__
    for setting in SETTINGS:
        assert setting.name in fields
        assert fields[setting.name].default == setting.default or setting.default == ()
        for name in setting.env:
            assert f"`{name}`" in documented, f"{name} missing from docs/configuration.md"


def test_the_documented_settings_table_is_what_iris_config_markdown_prints() -> None:
    from click.testing import CliRunner

    from iris_codes.cli import main

    documented = (REPO / "docs" / "configuration.md").read_text()
    begin = documented.index("| variable | meaning | default |")
    end = documented.index("\n<!-- end of generated table -->")
    printed = CliRunner().invoke(main, ["config", "--markdown"]).output.rstrip("\n")
    assert documented[begin:end] == printed, (
        "docs/configuration.md is stale: paste the output of `iris config --markdown`"
    )


def test_dotenv_file_is_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("IRIS_PORT=9191\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IRIS_PORT", raising=False)
    assert Settings.from_env().port == 9191
    monkeypatch.delenv("IRIS_PORT", raising=False)


def test_iris_config_masks_a_password_inside_a_url() -> None:
    from click.testing import CliRunner

    from iris_codes.cli import main

    env = {"IRIS_CACHE_URL": "redis://:s3cretPW@cache.internal:6379/0", "IRIS_API_KEY": "k-123"}
    shown = CliRunner().invoke(main, ["config"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "s3cretPW" not in shown.output
    assert "k-123" not in shown.output
    assert "redis://:***@cache.internal:6379/0" in shown.output


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("redis://cache:6379/0?password=s3cretPW", "redis://cache:6379/0?password=***"),
        ("redis://cache/0?db=1&Password=s3cretPW&x=1", "redis://cache/0?db=1&Password=***&x=1"),
        ("https://gw.example/v1?api-key=s3cretPW", "https://gw.example/v1?api-key=***"),
        ("https://gw.example/v1?api_key=s3cretPW#f", "https://gw.example/v1?api_key=***#f"),
        ("https://x.blob/c?sv=1&sig=s3cretPW", "https://x.blob/c?sv=1&sig=***"),
        ("https://u:s3cretPW@gw/v1?access_token=s3cretPW", "https://u:***@gw/v1?access_token=***"),
        ("dynamodb://t?region=eu-west-1", "dynamodb://t?region=eu-west-1"),
    ],
)
def test_the_url_masker_hides_passwords_in_user_info_and_secret_query_values(
    url: str, masked: str
) -> None:
    assert mask_url(url) == masked


def test_iris_config_and_health_mask_query_string_secrets(start_server: StartServer) -> None:
    from click.testing import CliRunner

    from iris_codes.cli import main

    redis_url = os.environ.get("IRIS_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
    env = {
        "IRIS_CACHE_URL": f"{redis_url}?password=s3cretPW",
        "OPENAI_BASE_URL": "https://gw.example/v1?api-key=s3cretKEY",
    }
    shown = CliRunner().invoke(main, ["config"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "s3cretPW" not in shown.output
    assert "s3cretKEY" not in shown.output
    assert "?password=***" in shown.output
    assert "?api-key=***" in shown.output
    server = start_server({**env, "IRIS_ENGINE": "structural"})
    health = requests.get(f"{server.url}/api/iris/health", timeout=10)
    assert "s3cretPW" not in health.text
    assert "s3cretKEY" not in health.text
    assert "?password=***" in health.text  # where the cache lives is still shown
    assert "s3cretPW" not in server.log_text()
    assert "s3cretKEY" not in server.log_text()
