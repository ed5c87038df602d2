"""Headers every answer carries, the fast path's and Flask's alike (one WSGI middleware).

- ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer`` everywhere;
- a Content-Security-Policy on HTML (the page loads only its own app.js and app.css);
- ``Cache-Control: no-store`` on errors, so no proxy keeps a 401 or a 429;
- CORS only for the origins in ``IRIS_CORS_ORIGINS`` (none by default): the allowed origin
  is echoed with ``Vary: Origin``, and a preflight gets the methods and headers it may use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
_ALWAYS = [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer")]
_EXPOSED = "X-Request-ID, X-Iris-Cache, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, "
_EXPOSED += "X-RateLimit-Reset"
_PREFLIGHT = [
    ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
    ("Access-Control-Allow-Headers", "Content-Type, X-API-Key, X-Request-ID"),
    ("Access-Control-Max-Age", "600"),
]


class SecurityHeaders:
    """WSGI middleware adding the headers above to every answer."""

    def __init__(self, app: WSGIApp, cors_origins: tuple[str, ...] = ()) -> None:
        self.app = app
        self.cors_origins = frozenset(cors_origins)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        cors = self._cors(environ)

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers = [*headers, *_ALWAYS, *cors]
            if status[:1] in ("4", "5"):
                headers.append(("Cache-Control", "no-store"))
            elif any(n.lower() == "content-type" and "text/html" in v for n, v in headers):
                headers.append(("Content-Security-Policy", PAGE_POLICY))
            return start_response(status, headers, exc_info)

        return self.app(environ, start)

    def _cors(self, environ: dict[str, Any]) -> list[tuple[str, str]]:
        origin = environ.get("HTTP_ORIGIN")
        if not origin or not self.cors_origins:
            return []
        if origin not in self.cors_origins and "*" not in self.cors_origins:
            return [("Vary", "Origin")]
        headers = [
            ("Access-Control-Allow-Origin", origin),
            ("Vary", "Origin"),
            ("Access-Control-Expose-Headers", _EXPOSED),
        ]
        if environ.get("REQUEST_METHOD") == "OPTIONS":
            headers.extend(_PREFLIGHT)
        return headers
