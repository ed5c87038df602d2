"""Helpers shared by test modules (fixtures live in conftest.py)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from iris_codes.testing import ServerProcess

SAMPLES = Path(__file__).parent / "samples"
IN_CI = os.environ.get("CI", "").lower() == "true"
StartServer = Callable[..., ServerProcess]


def require(condition: bool, reason: str) -> None:
    """Skip locally when a real part is missing; under CI=true, fail instead."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def post_analyze(
    server: ServerProcess | str, body: Any, *, headers: dict[str, str] | None = None, **kw: Any
) -> requests.Response:
    """POST a JSON body to /api/iris/analyze."""
    base = server if isinstance(server, str) else server.url
    return requests.post(f"{base}/api/iris/analyze", json=body, headers=headers, timeout=30, **kw)


def sample_files() -> list[Path]:
    """Every sample source file under tests/samples (files of a supported language)."""
    from iris_codes.syntax.languages import detect_language

    if not SAMPLES.exists():
        return []
    return sorted(
        path
        for path in SAMPLES.rglob("*")
        if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(SAMPLES).parts)
        and detect_language(path.name) is not None
    )


def read_sample(path: Path) -> str:
    """A sample's text exactly as stored (CRLF kept)."""
    return path.read_bytes().decode("utf-8")


def random_text(seed: int, chars: int) -> str:
    """Random bytes decoded as UTF-8 (bad bytes become U+FFFD), NULs as spaces, cut to
    ``chars`` characters: the fuzzer's input that found the bash scanner's crash."""
    import random

    rng = random.Random(seed)
    text = rng.randbytes(chars * 2).decode("utf-8", "replace").replace("\x00", " ")
    return text[:chars]


#: One such input that crashed tree-sitter-bash (unguarded) in about 1 process in 2.
CRASH_INPUT = (5, 490_000)
