"""Versioned keys: anything that changes the answer misses instead of serving a stale one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from iris_codes.cache import open_cache
from iris_codes.config import Settings
from iris_codes.models import Analysis, AnalyzeRequest, Block
from iris_codes.service import Service

SOURCE = "def greet(name):\n    return f'hello {name}'\n"


class CountingEngine:
    """A structural stand-in whose identity the test controls."""

    name = "structural"

    def __init__(self, identity: str) -> None:
        self.identity = identity
        self.calls = 0

    def cache_identity(self) -> str:
        return self.identity

    def analyze(self, source: str, language: str, filename: str) -> Analysis:
        self.calls += 1
        block = Block("Greeting text builder", "Builds a greeting.", ((1, 2),))
        return Analysis("Greets people by name", (block,), {"engine": self.name})

    def health(self) -> dict[str, Any]:
        return {"status": "ok"}


def analyse(
    cache_dir: Path, identity: str, *, language: str = "python", filename: str = "greet.py"
) -> tuple[int, int]:
    """(cache_hit, engine calls) for one request on a fresh service over the same cache."""
    settings = Settings(cache_dir=str(cache_dir), engine="structural")
    engine = CountingEngine(identity)
    service = Service(settings, cache=open_cache(settings), engines={"structural": engine})
    request = AnalyzeRequest(filename=filename, language=language, source_code=SOURCE)
    hit = service.analyze(request).metadata["cache_hit"]
    service.close()
    return hit, engine.calls


def test_same_identity_hits_across_services(tmp_path: Path) -> None:
    assert analyse(tmp_path, "structural/1") == (0, 1)
    assert analyse(tmp_path, "structural/1") == (1, 0)


def test_new_engine_version_or_model_or_prompt_misses(tmp_path: Path) -> None:
    assert analyse(tmp_path, "llm/1 model=a prompt=3") == (0, 1)
    assert analyse(tmp_path, "llm/2 model=a prompt=3") == (0, 1)
    assert analyse(tmp_path, "llm/2 model=b prompt=3") == (0, 1)
    assert analyse(tmp_path, "llm/2 model=b prompt=4") == (0, 1)
    assert analyse(tmp_path, "llm/1 model=a prompt=3") == (1, 0)


def test_other_language_or_file_name_misses(tmp_path: Path) -> None:
    assert analyse(tmp_path, "structural/1") == (0, 1)
    assert analyse(tmp_path, "structural/1", language="javascript") == (0, 1)
    assert analyse(tmp_path, "structural/1", filename="other.py") == (0, 1)
