"""A client for a running IRIS server's ``POST /api/iris/analyze`` (stdlib HTTP, no new dep).

Every failure becomes an ``IrisError``: the server's own JSON error keeps its code and
message; a refused connection, a timeout or a non-JSON answer get one of IRIS's codes.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from .errors import ConfigError, EngineError, IrisError, ServerTimeout, ServerUnreachable
from .textsafe import strip_controls

DEFAULT_TIMEOUT = 30.0


class RemoteAnalyzer:
    """Sends each file to ``{base_url}/api/iris/analyze``; thread-safe (one request each)."""

    def __init__(
        self, base_url: str, api_key: str | None = None, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        if urlsplit(base_url).scheme not in ("http", "https"):
            raise ConfigError(f"--server must be an http:// or https:// address, not {base_url!r}.")
        self.endpoint = base_url.rstrip("/") + "/api/iris/analyze"
        parts = urlsplit(self.endpoint)
        # What messages show: never the user:password some URLs carry.
        self._shown = f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}"
        self._api_key = api_key
        self._timeout = timeout

    def analyze(self, filename: str, language: str | None, source: str) -> dict[str, Any]:
        """The server's success body for ``source``."""
        payload: dict[str, Any] = {"filename": filename, "source_code": source}
        if language:
            payload["language"] = language
        request = urllib.request.Request(
            self.endpoint,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            headers=self._headers(),
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                body = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise _from_error_response(exc) from None
        except TimeoutError:
            raise ServerTimeout(f"{self._shown} did not answer in {self._timeout:g} s.") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise ServerTimeout(
                    f"{self._shown} did not answer in {self._timeout:g} s."
                ) from None
            raise ServerUnreachable(f"Cannot reach {self._shown}: {exc.reason}.") from None
        except OSError as exc:
            raise ServerUnreachable(f"Cannot reach {self._shown}: {exc}.") from None
        except ValueError:
            raise EngineError(f"{self._shown} answered with something other than JSON.") from None
        if not isinstance(body, dict) or "responsibility_blocks" not in body:
            raise EngineError(f"{self._shown} answered without a table of contents.")
        return body

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._api_key:
            headers["X-API-Key"] = self._api_key
        return headers

    def close(self) -> None:
        """Nothing to release: each request opens its own connection."""


def _from_error_response(exc: urllib.error.HTTPError) -> IrisError:
    """The server's JSON error as an ``IrisError`` with the same message and code."""
    try:
        body = json.loads(exc.read())
    except (ValueError, OSError):
        body = None
    finally:
        exc.close()
    if not isinstance(body, dict) or "error" not in body:
        return EngineError(f"The IRIS server answered HTTP {exc.code}.")
    error = IrisError(f"HTTP {exc.code}: {strip_controls(str(body['error']))}")
    error.status = exc.code
    error.code = str(body.get("code", "internal_error"))
    return error
