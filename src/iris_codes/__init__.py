"""IRIS: a table of contents for any source file.

In-process: ``iris_codes.analyze(source, filename="app.py")`` returns an ``Analysis``
(``file_intent`` and ``blocks``); ``iris serve`` offers the same over HTTP.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .analysis import Analysis, Block

__version__ = "0.1.0"
__all__ = ["Analysis", "Block", "__version__", "analyze"]


def analyze(
    source: str, *, filename: str = "untitled", language: str | None = None, **settings: Any
) -> Analysis:
    """Analyse one file in-process with settings from the environment (overridable)."""
    from .config import Settings
    from .models import AnalyzeRequest
    from .service import Service

    service = Service(Settings.from_env(**settings))
    try:
        request = AnalyzeRequest(filename=filename, language=language, source_code=source)
        return service.analyze(request)
    finally:
        service.close()


def __getattr__(name: str) -> Any:
    # Loaded on first use: importing any iris_codes module (the Lambda handler, the
    # authorizer, the CLI) must not pay for pydantic and the models.
    if name in ("Analysis", "Block"):
        from . import analysis

        return getattr(analysis, name)
    raise AttributeError(f"module 'iris_codes' has no attribute {name!r}")
