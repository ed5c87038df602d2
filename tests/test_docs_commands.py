"""Docs that run: every command in README.md and docs/ is run here, named as run by another
test, or marked as needing what this machine has not (AWS, Docker, root, a hosted model).

A new command in the docs fails ``test_every_documented_command_is_accounted_for`` until it
is given one of those three homes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import require

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BIN = Path(sys.executable).parent
_FENCE = re.compile(r"```(sh|bash|console|shell)\n(.*?)```", re.S)

# (pattern, home): "run" — executed below; "test:NAME" — a test function that runs it;
# "needs:WHAT" — cannot run here.
HOMES: list[tuple[str, str]] = [
    (r"^iris analyze /usr/lib/python3\.11/textwrap\.py$", "run"),
    (r"^iris analyze json --markdown TOC\.md$", "run"),
    (r"^iris analyze app\.py( --json)?$", "run"),
    (r"^iris analyze src/ tests/$", "run"),
    (r"^iris analyze \. --json > toc\.json$", "run"),
    (r"^iris analyze \. --markdown TOC\.md$", "run"),
    (r"^iris analyze \. --include '\*\.py' --exclude 'tests/'$", "run"),
    (r"^cat app\.py \| iris analyze - --language python$", "run"),
    (r"^\.venv/bin/python bench/cost\.py", "run"),
    (r"^iris keys hash ", "run"),
    (r"^iris analyze \. --server ", "test:test_remote_server_with_a_key_gives_the_same_answers"),
    (r"^make serve$", "test:test_analyzes_each_core_language"),  # make serve = install + iris serve
    (r"^make test$", "needs:it is the command CI runs (.ci/run); running it here would recurse"),
    (r"^curl -s localhost:8080/api/iris/analyze", "test:test_analyzes_each_core_language"),
    (r"^OPENAI_API_KEY=sk-\S+ (make|iris) serve$", "needs:a hosted model and its key"),
    (r"^OPENAI_BASE_URL=http://localhost:11434", "needs:an Ollama server"),
    (r"^IRIS_PORT=9000 make serve$", "test:test_serve_binds_the_port_iris_port_names"),
    (
        r"^iris serve --port 9000$",
        "test:test_analyzes_each_core_language",
    ),  # --port: every server test
    (r"^pip install \.$", "test:test_make_serve_installs_the_package_and_test_adds_the_dev_extra"),
    (
        r"^\.venv/bin/python tests/openai_stub\.py",
        "test:test_llm_answers_over_http_in_both_api_styles_and_modes",
    ),
    (
        r"^OPENAI_API_KEY=sk-test OPENAI_BASE_URL=http://127\.0\.0\.1:8765/v1 iris serve$",
        "test:test_llm_answers_over_http_in_both_api_styles_and_modes",
    ),
    (r"^sudo ", "needs:root and systemd on the target VM"),
    (r"docker compose", "needs:a Docker engine (none runs on this machine kind)"),
    (r"^cd deploy/aws$|^sam (build|deploy)", "needs:AWS SAM CLI and an AWS account"),
    (r"\$API_URL|\$CACHE_URL", "needs:a deployed AWS stack"),
    (
        r"^pip install -e '\.\[(lsp|mcp)\]'",
        "needs:covered by make's own install (.[dev] holds both)",
    ),
    (
        r"^iris lsp( --tcp \S+| --url \S+)?$",
        "test:test_initialize_advertises_each_feature_the_reanalyze_command_and_sync",
    ),
    (
        r"^iris mcp( --root \S+)?$",
        "test:test_lists_three_tools_each_with_an_input_schema_and_a_description",
    ),
    (r"^iris mcp --http", "test:test_streamable_http_serves_the_same_tools_on_loopback"),
    (r"^claude mcp add", "needs:the Claude Code client"),
    (
        r"^\.venv/bin/pytest tests/test_web_page\.py",
        "test:test_dropped_file_reads_well_in_each_theme",
    ),
    (r"^cp /tmp/iris-shots/", "needs:a maintainer refreshing docs/web-page.png after that test"),
    (r"^make vsix( code-server)?$", "test:test_the_vsix_installs_into_code_server"),
    (r"^code --install-extension ", "needs:VS Code desktop (code-server takes it in tests)"),
    (
        r"^IRIS_VSCODE_SHOTS=docs \.venv/bin/pytest tests/test_vscode\.py",
        "test:test_dark_theme_tints_keep_the_text_readable",
    ),
]


def documented_commands() -> list[tuple[str, str]]:
    """(document, command) for every shell command in a fenced block, continuations joined."""
    found: list[tuple[str, str]] = []
    for path in DOCS:
        for language, body in _FENCE.findall(path.read_text(encoding="utf-8")):
            pending = ""
            for line in body.split("\n"):
                if language == "console":
                    if not line.startswith("$ "):
                        continue
                    line = line[2:]
                text = re.sub(r"\s+#\s.*$", "", line).strip()
                if not text or text.startswith("#"):
                    continue
                if text.endswith("\\"):
                    pending += text[:-1] + " "
                    continue
                found.append((path.name, (pending + text).strip()))
                pending = ""
    return found


def home(command: str) -> str | None:
    homes = [where for pattern, where in HOMES if re.search(pattern, command)]
    return homes[0] if len(homes) == 1 else None


def test_every_documented_command_is_accounted_for() -> None:
    unaccounted = [(doc, cmd) for doc, cmd in documented_commands() if home(cmd) is None]
    assert not unaccounted, f"give these a home in HOMES: {unaccounted}"


def test_commands_said_to_be_run_by_a_test_name_a_test_that_exists() -> None:
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_*.py"))
    for _, command in documented_commands():
        where = home(command) or ""
        if where.startswith("test:"):
            assert f"def {where[5:]}(" in sources, (command, where)


def runnable() -> list[str]:
    return [cmd for _, cmd in documented_commands() if home(cmd) == "run"]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small project to run the documented commands in: app.py, src/, tests/, json/."""
    folder = tmp_path_factory.mktemp("docs-project")
    (folder / "app.py").write_text('"""A tiny app."""\n\n\ndef main():\n    return 1\n')
    (folder / "src").mkdir()
    (folder / "src" / "shop.py").write_text("def price(item):\n    return item.cost * 2\n")
    (folder / "tests").mkdir()
    (folder / "tests" / "test_shop.py").write_text("def test_price():\n    assert True\n")
    json_package = Path(__import__("json").__file__).parent
    shutil.copytree(json_package, folder / "json", ignore=shutil.ignore_patterns("__pycache__"))
    return folder


@pytest.mark.parametrize("command", runnable())
def test_documented_command_runs(command: str, project: Path, tmp_path: Path) -> None:
    stdlib_textwrap = Path(__import__("textwrap").__file__)
    line = command.replace("/usr/lib/python3.11/textwrap.py", str(stdlib_textwrap))
    line = line.replace("$(openssl rand -hex 24 | tee /dev/stderr)", "docs-example-key")
    line = line.replace(".venv/bin/python", sys.executable)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env["IRIS_CACHE_DIR"] = str(tmp_path / "cache")
    done = subprocess.run(
        line, shell=True, cwd=ROOT if "bench/" in line else project, env=env,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, (line, done.stderr[-2000:])


def test_make_serve_installs_the_package_and_test_adds_the_dev_extra(tmp_path: Path) -> None:
    """`make serve` installs what `pip install .` would; `make test` still adds the dev extra."""
    require(shutil.which("make") is not None, "make is not installed")
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    os.utime(tmp_path / "pyproject.toml", (1_000_000, 1_000_000))  # older than any stamp
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").touch(mode=0o755)

    def plan(target: str) -> str:
        run = subprocess.run(
            ["make", "-n", target], cwd=tmp_path, capture_output=True, text=True, check=True
        )
        return run.stdout

    serve = plan("serve")
    assert "pip install --quiet --disable-pip-version-check -e .\n" in serve
    assert "[dev]" not in serve
    (tmp_path / ".venv" / ".installed-serve").touch()  # as `make serve` leaves it
    assert "pip install" not in plan("serve")
    assert "-e '.[dev]'" in plan("pytest")  # `make test` after `make serve` installs dev
    (tmp_path / ".venv" / ".installed-dev").touch()
    assert "pip install" not in plan("serve")
    assert "pip install" not in plan("pytest")
