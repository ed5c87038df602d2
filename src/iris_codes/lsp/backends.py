"""Where the language server's analyses come from: in-process, or an IRIS server over HTTP."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import unquote, urlsplit

from ..errors import ConfigError, EngineError, IrisError, PayloadTooLarge
from ..models import AnalyzeRequest

if TYPE_CHECKING:
    from ..config import Settings
    from ..service import Service

log = logging.getLogger(__name__)

_HTTP_TIMEOUT = 60.0
_CLIENT = {"client": "iris-lsp"}


class Analyzer(Protocol):
    """Turns one document into the success body ``POST /api/iris/analyze`` returns.

    ``analyze`` raises an ``IrisError`` (never a library type) when there is no answer;
    it is called from worker threads, so implementations are thread-safe.
    """

    def analyze(self, filename: str, language: str | None, source: str) -> dict[str, Any]:
        """The API's success body for ``source``."""
        ...

    def warm_up(self) -> None:
        """Load what the first analysis would otherwise wait for (may do nothing)."""
        ...

    def close(self) -> None:
        """Release connections and engines."""
        ...


def uri_to_filename(uri: str) -> str:
    """The base name an LSP document URI points at (``untitled`` when it has none)."""
    path = unquote(urlsplit(uri).path) if "://" in uri or uri.startswith("file:") else ""
    if not path:
        # untitled:Untitled-1 and similar carry no path, only an opaque name.
        path = unquote(uri.partition(":")[2])
    return PurePosixPath(path.replace("\\", "/")).name or "untitled"


class LocalAnalyzer:
    """Analyses in this process through ``Service``: same cache and engines as the server."""

    def __init__(self, settings: Settings, service: Service | None = None) -> None:
        from ..service import Service

        self._limit = settings.max_source_bytes
        self._service = service if service is not None else Service(settings)

    def analyze(self, filename: str, language: str | None, source: str) -> dict[str, Any]:
        """The API's success body, computed (or found in the cache) here."""
        if len(source.encode("utf-8", "surrogatepass")) > self._limit:
            raise PayloadTooLarge(f"The document is larger than {self._limit} bytes.")
        request = AnalyzeRequest(
            filename=filename, language=language, source_code=source, metadata=_CLIENT
        )
        return self._service.analyze(request).to_dict()

    def warm_up(self) -> None:
        """Load the engines, one grammar and the cache before the first document arrives."""
        self._service.warm_up()

    def close(self) -> None:
        """Close the service's engines and cache."""
        self._service.close()


class HttpAnalyzer:
    """Analyses through a running IRIS server's HTTP API (``--url``)."""

    def __init__(self, base_url: str, api_key: str | None = None) -> None:
        if urlsplit(base_url).scheme not in ("http", "https"):
            raise ConfigError(f"--url must be an http:// or https:// address, not {base_url!r}.")
        self.endpoint = base_url.rstrip("/") + "/api/iris/analyze"
        self._api_key = api_key

    def analyze(self, filename: str, language: str | None, source: str) -> dict[str, Any]:
        """The server's success body; its error bodies become ``IrisError``s."""
        payload = {"filename": filename, "source_code": source, "metadata": _CLIENT}
        if language:
            payload["language"] = language
        request = urllib.request.Request(
            self.endpoint,
            data=json.dumps(payload).encode(),
            headers=self._headers(),
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=_HTTP_TIMEOUT) as response:
                body: dict[str, Any] = json.loads(response.read())
                return body
        except urllib.error.HTTPError as exc:
            raise _from_error_response(exc) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or type(exc).__name__
            message = f"Cannot reach the IRIS server at {self.endpoint}: {reason}."
            raise EngineError(message) from None

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._api_key:
            headers["X-API-Key"] = self._api_key
        return headers

    def warm_up(self) -> None:
        """Nothing to load: the server does the work."""

    def close(self) -> None:
        """Nothing to release: each request opens its own connection."""


def _from_error_response(exc: urllib.error.HTTPError) -> IrisError:
    """The server's JSON error body as an ``IrisError`` carrying the same code and fields."""
    try:
        body = json.loads(exc.read())
    except ValueError:
        body = None
    finally:
        exc.close()
    if not isinstance(body, dict) or "error" not in body:
        return EngineError(f"The IRIS server answered HTTP {exc.code}.")
    details = {k: v for k, v in body.items() if k not in ("success", "error", "code")}
    error = IrisError(str(body["error"]), **details)
    error.status = exc.code
    error.code = str(body.get("code", "internal_error"))
    return error
