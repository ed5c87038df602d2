"""``iris analyze PATH…`` over a generated tree, run as the real console script."""

from __future__ import annotations

import json
import os
import pty
import re
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from invariants import assert_valid_analysis
from iris_codes.testing import free_port
from support import StartServer

IRIS = str(Path(sys.executable).with_name("iris"))
# A parent that ignores SIGINT (a CI shell's background job) passes that on to children;
# this trampoline restores the default so Python turns SIGINT into KeyboardInterrupt.
WITH_SIGINT = [
    sys.executable,
    "-c",
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.argv[1], sys.argv[1:])",
]
MAX_BYTES = 4000

PYTHON_APP = '''"""Command-line entry point that greets users."""

import sys


def greet(name: str) -> str:
    """Build a greeting for ``name``."""
    return f"Hello, {name}!"


def main() -> None:
    print(greet(sys.argv[1] if len(sys.argv) > 1 else "world"))


if __name__ == "__main__":
    main()
'''

TREE: dict[str, str | bytes] = {
    "proj/.gitignore": "secret.py\n*.log\nbuild-output/\n",
    "proj/.git/info/exclude": "local_only.py\n",
    "proj/app.py": PYTHON_APP,
    "proj/secret.py": "TOKEN = 'not for reports'\n",
    "proj/local_only.py": "print('mine')\n",
    "proj/debug.log": "started\n",
    "proj/notes.txt": "Remember to write docs.\n",
    "proj/blob.py": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
    "proj/big.py": "VALUE = 1\n" * (MAX_BYTES // 10 + 50),
    "proj/src/.gitignore": "generated.ts\n",
    "proj/src/generated.ts": "export const x = 1;\n",
    "proj/src/server.js": (
        "const express = require('express');\nconst app = express();\n\n"
        "app.get('/users', (req, res) => {\n  res.json([]);\n});\n\n"
        "function start(port) {\n  app.listen(port);\n}\n\nmodule.exports = { start };\n"
    ),
    "proj/src/user.ts": (
        "export interface User {\n  id: number;\n  name: string;\n}\n\n"
        "export function greet(user: User): string {\n  return `Hello ${user.name}`;\n}\n"
    ),
    "proj/src/lib/handlers.go": (
        'package lib\n\nimport "net/http"\n\n'
        "// Health answers liveness probes.\n"
        "func Health(w http.ResponseWriter, r *http.Request) {\n"
        "\tw.WriteHeader(http.StatusOK)\n}\n"
    ),
    "proj/web/node_modules/left-pad/index.js": "module.exports = (s) => s;\n",
    "proj/web/node_modules/left-pad/lib/inner.js": "module.exports = 1;\n",
    "proj/web/app.min.js": "var a=1;\n",
    "proj/web/bundle.js": "var a=" + "1+" * 700 + "1;\n",
    "proj/web/build-output/out.js": "console.log(1);\n",
    "proj/web/Button.jsx": (
        "import React from 'react';\n\nexport default function Button({ label, onClick }) {\n"
        "  return <button onClick={onClick}>{label}</button>;\n}\n"
    ),
}
ANALYSED = [
    "proj/app.py",
    "proj/src/server.js",
    "proj/src/user.ts",
    "proj/src/lib/handlers.go",
    "proj/web/Button.jsx",
]
SKIPPED = {
    "proj/secret.py": "gitignored",
    "proj/local_only.py": "gitignored",
    "proj/debug.log": "gitignored",
    "proj/notes.txt": "unsupported_language",
    "proj/blob.py": "binary",
    "proj/big.py": "too_large",
    "proj/src/generated.ts": "gitignored",
    "proj/web/node_modules": "vendored",
    "proj/web/app.min.js": "minified",
    "proj/web/bundle.js": "minified",
    "proj/web/build-output": "gitignored",
    "proj/.git": "vendored",
}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """The generated project under ``tmp_path/proj``; returns ``tmp_path``."""
    for relative, content in TREE.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return tmp_path


def iris(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the console script with this test's cache and size limit."""
    return subprocess.run(
        [IRIS, *args], cwd=cwd, env=_env(env), capture_output=True, text=True, timeout=120
    )


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["IRIS_MAX_SOURCE_BYTES"] = str(MAX_BYTES)
    env.update(extra or {})
    return env


def analyze_json(cwd: Path, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = iris(cwd, "analyze", *args, "--json", env=env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_walks_a_tree_and_reports_every_file_in_tree_order(tree: Path) -> None:
    document = analyze_json(tree, "proj", "--markdown", "report.md")
    assert [entry["path"] for entry in document["files"]] == ANALYSED
    for entry in document["files"]:
        assert entry["status"] == "analysed"
        assert entry["metadata"]["cache_hit"] == 0
        assert_valid_analysis({"success": True, **entry}, (tree / entry["path"]).read_text())
    skipped = {item["path"]: item["reason"] for item in document["skipped"]}
    assert SKIPPED.items() <= skipped.items()
    assert not any("node_modules/" in path for path in skipped), "vendored folders are pruned"
    summary = document["summary"]
    assert summary["skipped"] == dict(Counter(skipped.values()))
    assert (summary["files"], summary["analysed"], summary["cache_hits"]) == (5, 5, 0)
    assert (summary["failed"], summary["unfinished"], summary["interrupted"]) == (0, 0, False)


def test_a_walked_file_gets_the_same_answer_as_the_file_alone(tree: Path) -> None:
    document = analyze_json(tree, "proj")
    alone = iris(tree, "analyze", "proj/src/server.js", "--json")
    assert alone.returncode == 0, alone.stderr
    body = json.loads(alone.stdout)
    walked = next(e for e in document["files"] if e["path"] == "proj/src/server.js")
    assert body["file_intent"] == walked["file_intent"]
    assert body["responsibility_blocks"] == walked["responsibility_blocks"]


def test_second_run_is_answered_from_the_cache_and_says_so(tree: Path) -> None:
    analyze_json(tree, "proj")
    again = iris(tree, "analyze", "proj", "--json")
    document = json.loads(again.stdout)
    assert {entry["status"] for entry in document["files"]} == {"cached"}
    assert all(entry["metadata"]["cache_hit"] == 1 for entry in document["files"])
    assert document["summary"]["cache_hits"] == len(ANALYSED)
    assert document["summary"]["analysed"] == 0
    progress = [line for line in again.stderr.splitlines() if line.startswith("[")]
    assert len(progress) == len(ANALYSED)
    assert all(line.endswith(": cached") for line in progress)
    assert f"{len(ANALYSED)} from cache" in again.stderr.splitlines()[-1]


def test_markdown_report_has_an_overview_and_linked_ranges(tree: Path) -> None:
    (tree / "reports").mkdir()
    document = analyze_json(tree, "proj", "--markdown", "reports/toc.md")
    report = (tree / "reports" / "toc.md").read_text()
    overview, _, files = report.partition("## Files")
    assert "## Overview" in overview
    positions = [overview.index(f"(../{path})") for path in ANALYSED]
    assert positions == sorted(positions), "the overview lists files in tree order"
    for folder in ("proj/", "proj/src/", "proj/src/lib/", "proj/web/"):
        assert f"**`{folder}`**" in overview
    for entry in document["files"]:
        assert f"### [`{entry['path']}`](../{entry['path']})" in files
        for block in entry["responsibility_blocks"]:
            start, end = block["ranges"][0]
            anchor = f"L{start}" if start == end else f"L{start}-L{end}"
            assert f"](../{entry['path']}#{anchor})" in files
    assert "secret.py" not in report


def test_text_output_prints_each_table_of_contents_in_tree_order(tree: Path) -> None:
    result = iris(tree, "analyze", "proj")
    assert result.returncode == 0, result.stderr
    heads = [line.partition(":")[0] for line in result.stdout.splitlines() if line[:5] == "proj/"]
    assert heads == ANALYSED
    assert "\x1b[" not in result.stdout, "no colour codes when stdout is not a terminal"
    assert re.search(r"5 files in [\d.]+ s", result.stderr)


def test_include_and_exclude_globs(tree: Path) -> None:
    only_ts = analyze_json(tree, "proj", "--include", "*.ts", "--include", "*.go")
    assert [e["path"] for e in only_ts["files"]] == ["proj/src/user.ts", "proj/src/lib/handlers.go"]
    no_src = analyze_json(tree, "proj", "--exclude", "src/")
    assert [e["path"] for e in no_src["files"]] == ["proj/app.py", "proj/web/Button.jsx"]
    assert {"path": "proj/src", "reason": "excluded"} in no_src["skipped"]


def test_single_file_output_is_unchanged(tree: Path) -> None:
    result = iris(tree, "analyze", "proj/app.py")
    assert result.returncode == 0
    assert result.stdout.startswith("proj/app.py: ")
    assert result.stderr == "", "one file shows no progress or summary"


def test_remote_server_with_a_key_gives_the_same_answers(
    tree: Path, start_server: StartServer
) -> None:
    server = start_server({"IRIS_API_KEY": "cli-key"})
    local = analyze_json(tree, "proj")
    remote = analyze_json(tree, "proj", "--server", server.url, env={"IRIS_API_KEY": "cli-key"})
    assert [e["path"] for e in remote["files"]] == ANALYSED
    for here, there in zip(local["files"], remote["files"], strict=True):
        assert here["file_intent"] == there["file_intent"]
        assert here["responsibility_blocks"] == there["responsibility_blocks"]
    flag = analyze_json(tree, "proj", "--server", server.url, "--api-key", "cli-key")
    assert flag["summary"]["cache_hits"] == len(ANALYSED), "the server's cache answered"


def test_remote_failures_are_counted_per_file_without_a_traceback(
    tree: Path, start_server: StartServer
) -> None:
    server = start_server({"IRIS_API_KEY": "cli-key"})
    wrong = iris(tree, "analyze", "proj", "--json", "--server", server.url, "--api-key", "nope")
    assert wrong.returncode == 1
    document = json.loads(wrong.stdout)
    assert {entry["code"] for entry in document["files"]} == {"unauthorized"}
    assert document["summary"]["failed"] == len(ANALYSED)
    assert "Traceback" not in wrong.stderr

    refused = iris(tree, "analyze", "proj", "--server", f"http://127.0.0.1:{free_port()}")
    assert refused.returncode == 1
    assert "server_unreachable" in refused.stderr
    assert f"{len(ANALYSED)} failed" in refused.stderr.splitlines()[-1]
    assert "Traceback" not in refused.stderr


def test_single_file_failure_is_one_clean_line(tree: Path) -> None:
    result = iris(tree, "analyze", "proj/notes.txt")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: Cannot detect the language")
    assert len(result.stderr.strip().splitlines()) == 1


def generated_module(index: int) -> str:
    """A distinct, ordinary Python module (so no two files share a cache entry)."""
    functions = "\n\n".join(
        f"def step_{index}_{n}(value: int) -> int:\n"
        f'    """Stage {n} of pipeline {index}."""\n'
        f"    total = value * {n}\n"
        f"    for item in range({n}):\n"
        f"        total += item\n"
        f"    return total\n"
        for n in range(12)
    )
    return f'"""Pipeline {index}: numbered stages."""\n\nimport math\n\n\n{functions}'


@pytest.fixture
def many_files(tmp_path: Path) -> Path:
    """Enough distinct files that a run is still going when it is interrupted."""
    for index in range(120):
        target = tmp_path / "many" / f"part{index // 40}" / f"m{index:03d}.py"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(generated_module(index))
    return tmp_path


def test_ctrl_c_exits_130_prints_what_was_done_and_keeps_the_cache(many_files: Path) -> None:
    process = subprocess.Popen(
        [*WITH_SIGINT, IRIS, "analyze", "many", "--json", "--jobs", "1"],
        cwd=many_files,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    reported: list[str] = []
    for line in process.stderr:
        if line.startswith("["):
            reported.append(line.split("] ", 1)[1].rsplit(": ", 1)[0])
            if len(reported) == 2:
                process.send_signal(signal.SIGINT)
                break
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    document = json.loads(stdout)
    assert document["summary"]["interrupted"] is True
    assert 2 <= len(document["files"]) < 120
    assert document["summary"]["unfinished"] == 120 - len(document["files"])

    stats = iris(many_files, "cache", "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["entries"] >= 2
    rerun = analyze_json(many_files, *reported)
    assert [entry["path"] for entry in rerun["files"]] == reported
    assert rerun["summary"]["cache_hits"] == len(reported)


def test_progress_bar_on_a_terminal(tree: Path) -> None:
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [IRIS, "analyze", "proj"],
        cwd=tree,
        env={**_env(), "COLUMNS": "120", "TERM": "xterm"},
        stdout=subprocess.PIPE,
        stderr=follower,
    )
    os.close(follower)
    screen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the process is gone
            break
        if not chunk:
            break
        screen += chunk
    os.close(leader)
    stdout, _ = process.communicate(timeout=60)
    assert process.returncode == 0
    text = screen.decode(errors="replace")
    assert f"{len(ANALYSED)}/{len(ANALYSED)}" in text
    assert "files/s" in text
    assert "cached" in text
    assert b"proj/app.py:" in stdout, "results still go to stdout"
