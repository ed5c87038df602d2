"""The command that installs an optional extra into the running IRIS, wherever it came from.

IRIS is installed from a checkout (``make``, ``pip install .``, ``pipx install .``), not
from a package index, so an index install of ``iris-codes[lsp]`` would find nothing. The hint
names this environment's own Python and the folder IRIS was installed from, read from the
installed package's ``direct_url.json`` (PEP 610), so it works from any directory.
"""

from __future__ import annotations

import json
import shlex
import sys
from urllib.parse import unquote, urlsplit

DISTRIBUTION = "iris-codes"


def install_hint(extra: str) -> str:
    """E.g. ``/srv/iris/.venv/bin/python -m pip install -e '/srv/iris[lsp]'``."""
    source, editable = _installed_from()
    pip = f"{shlex.quote(sys.executable)} -m pip install "
    if source is None:
        return pip + shlex.quote(f".[{extra}]") + " (in the IRIS checkout)"
    return pip + ("-e " if editable else "") + shlex.quote(f"{source}[{extra}]")


def _installed_from() -> tuple[str | None, bool]:
    """The local folder this package was installed from and whether editably; None if unknown."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        raw = distribution(DISTRIBUTION).read_text("direct_url.json")
    except PackageNotFoundError:
        return None, False
    try:
        origin = json.loads(raw or "{}")
        url = urlsplit(str(origin.get("url", "")))
        editable = bool(origin.get("dir_info", {}).get("editable"))
    except (ValueError, AttributeError):
        return None, False
    if url.scheme != "file" or not url.path:
        return None, False
    return unquote(url.path), editable
