"""Schemathesis against a live `iris serve`, from the document it serves, every check.

`make test` runs a bounded pass (a few hundred cases); `make fuzz` sets IRIS_FUZZ_SECONDS,
so fuzzing repeats until that time is spent and each test must reach 2,000 cases.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import StartServer, require

CONFIG = Path(__file__).parent / "schemathesis.toml"
EXAMPLES = 40
LONG_RUN_SECONDS = os.environ.get("IRIS_FUZZ_SECONDS")
MINIMUM_CASES = 2_000 if LONG_RUN_SECONDS else 150


def _schemathesis() -> str:
    found = shutil.which("schemathesis") or str(Path(sys.executable).parent / "schemathesis")
    require(Path(found).exists(), "schemathesis is not installed (pip install -e '.[dev]')")
    return found


@pytest.mark.parametrize("with_key", [False, True], ids=["no-key", "with-key"])
def test_fuzzing_the_served_document_finds_nothing(
    start_server: StartServer, with_key: bool, tmp_path: Path
) -> None:
    env = {"IRIS_API_KEY": "fuzz-key"} if with_key else {}
    server = start_server(env, threads=8)
    command = [
        _schemathesis(), "--config-file", str(CONFIG), "--no-color", "run",
        f"{server.url}/api/iris/openapi.json", "--checks", "all",
        "--max-examples", str(EXAMPLES), "--seed", "12", "--workers", "2",
        "--request-timeout", "30", "--generation-database", "none",
    ]  # fmt: skip
    if with_key:
        command += ["--header", "X-API-Key: fuzz-key"]
    if LONG_RUN_SECONDS:
        command += ["--max-time", LONG_RUN_SECONDS]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=1800, cwd=tmp_path, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]
    generated = re.search(r"(\d+) generated", output)
    assert generated is not None, output[-2000:]
    assert int(generated.group(1)) >= MINIMUM_CASES, output[-2000:]
    print(re.findall(r"\d+ generated.*", output)[-1])  # shown by `make fuzz` (-rP)
    assert "Traceback" not in server.log_text()
