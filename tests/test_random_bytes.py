"""Random bytes in every language through HTTP, `iris analyze` and `iris mcp`.

Every answer is a 200 or a 4xx and no process dies: a grammar's crash costs one parse in
a parse process (``syntax/isolation.py``). ``make test`` sends two sizes over HTTP and
one through the others; ``make fuzz`` (IRIS_FUZZ_SECONDS set) sends 1,000, 25,000 and
490,000 characters through all three front doors, with the input that crashed the bash
grammar. ``iris analyze`` skips a file with a line over 1,000 characters as minified, so
its copies are cut into lines of 120.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import anyio
import requests

from iris_codes.syntax.languages import LANGUAGES
from mcp_client import call, stdio_session
from support import CRASH_INPUT, StartServer, random_text

LONG = bool(os.environ.get("IRIS_FUZZ_SECONDS"))
SIZES = (1_000, 25_000, 490_000) if LONG else (1_000, 6_000)
# 490,000 such characters are about 1.2 MB of JSON: past the default body limit.
LIMIT = str(4 * 1024 * 1024)
# What a dead worker or a dead process leaves in a log.
DEATHS = ("was sent SIG", "WORKER TIMEOUT", "exited with code", "Segmentation fault", "Traceback")


def _inputs(sizes: tuple[int, ...] = SIZES) -> list[tuple[str, str, str]]:
    """(file name, language, text) for every language and size, and the crash input."""
    cases = [
        (f"{lang.id}-{size}{lang.extensions[0]}", lang.id, random_text(size + index, size))
        for index, lang in enumerate(LANGUAGES)
        for size in sizes
    ]
    seed, chars = CRASH_INPUT
    cases.append(("crash-input.sh", "shellscript", random_text(seed, chars if LONG else 25_000)))
    cases.append(("crash-minimal.sh", "shellscript", "{\U0010ffff\necho {1..\U000fffff}\n"))
    return cases


def _assert_no_death(log: str) -> None:
    for sign in DEATHS:
        assert sign not in log, log[-3000:]


def test_random_bytes_over_http_get_200_or_4xx_and_no_worker_dies(
    start_server: StartServer,
) -> None:
    server = start_server({"IRIS_MAX_SOURCE_BYTES": LIMIT}, workers=2, threads=4)
    statuses: dict[int, int] = {}
    for filename, language, text in _inputs():
        body = {"filename": filename, "language": language, "source_code": text}
        reply = requests.post(f"{server.url}/api/iris/analyze", json=body, timeout=60)
        assert 200 <= reply.status_code < 500, (filename, reply.text[:300])
        assert reply.headers["Content-Type"] == "application/json"
        statuses[reply.status_code] = statuses.get(reply.status_code, 0) + 1
    assert requests.get(f"{server.url}/api/iris/health", timeout=10).status_code == 200
    server.stop()
    log = server.log_text()
    _assert_no_death(log)
    assert log.count("Booting worker") == 2  # none was replaced
    assert statuses.get(200, 0) >= len(LANGUAGES) * len(SIZES)


def test_random_bytes_through_iris_analyze_answer_every_file(tmp_path: Path) -> None:
    folder = tmp_path / "noise"
    folder.mkdir()
    inputs = _inputs(SIZES if LONG else SIZES[:1])
    for filename, _, text in inputs:
        lines = (text[at : at + 120] for at in range(0, len(text), 120))
        (folder / filename).write_text("\n".join(lines), encoding="utf-8")
    env = {**os.environ, "IRIS_MAX_SOURCE_BYTES": LIMIT, "IRIS_CACHE_DIR": str(tmp_path / "c")}
    done = subprocess.run(
        [sys.executable, "-m", "iris_codes", "analyze", str(folder), "--json"],
        capture_output=True, text=True, timeout=1200, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    _assert_no_death(done.stderr)
    report = json.loads(done.stdout)
    analysed = {Path(entry["path"]).name for entry in report["files"]}
    assert analysed == {filename for filename, _, _ in inputs}, report.get("skipped")


def test_random_bytes_through_iris_mcp_answer_every_file(tmp_path: Path) -> None:
    inputs = _inputs(SIZES if LONG else SIZES[:1])
    for filename, _, text in inputs:
        (tmp_path / filename).write_text(text, encoding="utf-8")
    env = {**os.environ, "IRIS_MAX_SOURCE_BYTES": LIMIT, "IRIS_CACHE_DIR": str(tmp_path / "c")}
    log = tmp_path / "mcp.log"

    async def scenario() -> None:
        async with stdio_session(tmp_path, env=env, log=log) as session:
            for filename, _, _ in inputs:
                answer = await call(session, "outline_file", path=filename)
                assert answer["path"] == filename
                assert answer["blocks"], filename

    anyio.run(scenario)
    _assert_no_death(log.read_text())
