"""The ``iris`` command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from invariants import assert_valid_analysis
from iris_codes.cli import main
from support import StartServer, post_analyze

REPO = Path(__file__).resolve().parents[1]
REAL_FILE = REPO / "src" / "iris_codes" / "service.py"


def test_analyze_prints_a_readable_table_of_contents() -> None:
    result = CliRunner().invoke(main, ["analyze", str(REAL_FILE)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "service.py:" in lines[0]
    assert any(line.startswith("1. ") and "lines " in line for line in lines)


def test_analyze_json_matches_the_api_shape(start_server: StartServer) -> None:
    result = CliRunner().invoke(main, ["analyze", "--json", str(REAL_FILE)])
    assert result.exit_code == 0, result.output
    cli_body = json.loads(result.output)
    source = REAL_FILE.read_text()
    assert_valid_analysis(cli_body, source)
    api_body = post_analyze(
        start_server(), {"filename": "service.py", "source_code": source}
    ).json()
    assert set(cli_body) == set(api_body)
    assert cli_body["file_intent"] == api_body["file_intent"]
    assert cli_body["responsibility_blocks"] == api_body["responsibility_blocks"]


def test_analyze_reports_a_missing_file_in_one_line() -> None:
    result = CliRunner().invoke(main, ["analyze", "no/such/file.py"])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_serve_refuses_public_bind_without_keys() -> None:
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--port", "1"])
    assert result.exit_code == 2
    assert "--insecure-no-auth" in result.output


def test_serve_rejects_invalid_settings_in_one_line() -> None:
    result = CliRunner().invoke(main, ["serve"], env={"IRIS_PORT": "eighty"})
    assert result.exit_code == 2
    assert "IRIS_PORT" in result.output


def test_console_script_shows_settings_in_help() -> None:
    output = subprocess.run(
        [sys.executable, "-m", "iris_codes", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for command in ("serve", "analyze"):
        assert command in output
    assert "IRIS_CACHE_DIR" in output


@pytest.mark.parametrize("extra", ["lsp", "mcp", "aws", "lambda"])
def test_install_hints_name_this_checkout_and_python_never_an_unpublished_package(
    extra: str,
) -> None:
    import shlex
    import tomllib

    from iris_codes.extras import install_hint

    words = shlex.split(install_hint(extra))
    assert words[:4] == [sys.executable, "-m", "pip", "install"]
    folder, _, rest = words[-1].partition("[")
    assert rest == f"{extra}]"
    project = tomllib.loads((Path(folder) / "pyproject.toml").read_text())["project"]
    assert project["name"] == "iris-codes"
    assert extra in project["optional-dependencies"]


def test_no_message_in_the_package_names_a_package_index_install() -> None:
    package = Path(__file__).resolve().parents[1] / "src" / "iris_codes"
    for path in package.rglob("*.py"):
        assert "install 'iris-codes[" not in path.read_text(), path


def test_serve_binds_the_port_iris_port_names(tmp_path: Path) -> None:
    import os
    import time

    from iris_codes.testing import free_port

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IRIS_", "OPENAI_"))}
    env.update({"IRIS_PORT": str(port), "IRIS_CACHE_DIR": str(tmp_path / "cache")})
    command = [sys.executable, "-m", "iris_codes", "serve", "--workers", "1", "--threads", "2"]
    with (tmp_path / "serve.log").open("wb") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = requests.get(f"http://127.0.0.1:{port}/api/iris/health", timeout=2)
                break
            except requests.ConnectionError:
                assert server.poll() is None, (tmp_path / "serve.log").read_text()
                assert time.monotonic() < deadline, "iris serve never listened on IRIS_PORT"
                time.sleep(0.1)
        assert health.status_code == 200
        assert f"IRIS on http://127.0.0.1:{port}" in (tmp_path / "serve.log").read_text()
    finally:
        server.terminate()
        server.wait(timeout=15)
