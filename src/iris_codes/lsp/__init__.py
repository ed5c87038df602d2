"""``iris lsp``: a language server that shows IRIS's table of contents in any editor.

    backends.py  where analyses come from: this process's Service, or an IRIS server
    convert.py   an API body → LSP symbols, hovers, highlights, code lenses, folds
    server.py    the pygls server: documents, debounced analyses, request handlers

Only ``iris_codes.cli`` imports this package, and only when ``iris lsp`` runs.
"""

from __future__ import annotations

from .backends import Analyzer, HttpAnalyzer, LocalAnalyzer, uri_to_filename
from .server import IrisLanguageServer

__all__ = ["Analyzer", "HttpAnalyzer", "IrisLanguageServer", "LocalAnalyzer", "uri_to_filename"]
