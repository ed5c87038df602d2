"""The protocol every analysis engine follows."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from ..analysis import Analysis


@runtime_checkable
class Engine(Protocol):
    """Turns one file into an Analysis.

    Contract:
    - ``source`` has ``\\n`` line endings only (the service normalises them).
    - ``analyze`` returns blocks in reading order with 1-based inclusive ranges; the
      service still runs ``postprocess.enforce`` on the result.
    - Failures raise ``errors.EngineError`` subclasses, never library exceptions.
    - ``cache_identity`` names everything besides the source and language that changes
      the answer (engine version, model, prompt version, mode), so a change misses.
    """

    name: str

    def cache_identity(self) -> str: ...

    def analyze(self, source: str, language: str, filename: str) -> Analysis: ...

    def health(self) -> dict[str, Any]: ...
