"""Every error IRIS raises, in one tree.

    IrisError                      500 internal_error
    ├── InvalidRequest             400 invalid_request
    │   ├── MalformedJSON          400 malformed_json
    │   │   └── JSONTooDeep        400 json_too_deep
    │   ├── MissingField           400 missing_field
    │   ├── MalformedBody          400 malformed_body (chunked framing, a body cut short)
    │   ├── RequestTimeout         408 request_timeout
    │   ├── NotJSON                415 unsupported_media_type
    │   ├── PayloadTooLarge        413 payload_too_large
    │   └── InvalidField           422 invalid_field
    │       ├── UnsupportedLanguage  422 unsupported_language
    │       ├── UndecodableSource    422 undecodable_source
    │       ├── NonFiniteNumber      422 non_finite_number
    │       └── MetadataTooLarge     422 metadata_too_large
    ├── NotFound                   404 not_found
    ├── MethodNotAllowed           405 method_not_allowed
    ├── Unauthorized               401 unauthorized
    ├── RateLimited                429 rate_limited (carries retry_after)
    ├── EngineError                503 engine_unavailable
    │   ├── LLMUnavailable         503 llm_unavailable
    │   ├── LLMTimeout             504 llm_timeout
    │   ├── LLMBadOutput           503 llm_bad_output
    │   ├── AnalysisTimeout        504 analysis_timeout
    │   ├── ParserCrashed          503 parser_crashed (the service answers degraded)
    │   ├── ServerUnreachable      503 server_unreachable (iris analyze --server)
    │   └── ServerTimeout          504 server_timeout (iris analyze --server)
    ├── CacheError                 503 cache_unavailable
    └── ConfigError                500 config_error

Each class carries its HTTP ``status`` and machine ``code``; the web layer renders
any of them as ``{"success": false, "error": str(exc), "code": exc.code}``.
Third-party exceptions (openai, redis, sqlite3, tree-sitter) are translated into
these where they enter, so callers never catch library types.
"""

from __future__ import annotations

from typing import Any


class IrisError(Exception):
    """Root of every error IRIS raises on purpose."""

    status: int = 500
    code: str = "internal_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        """The JSON error body the API returns."""
        body: dict[str, Any] = {"success": False, "error": self.message, "code": self.code}
        body.update(self.details)
        return body


class InvalidRequest(IrisError):
    status = 400
    code = "invalid_request"


class MalformedJSON(InvalidRequest):
    code = "malformed_json"


class JSONTooDeep(MalformedJSON):
    code = "json_too_deep"


class MissingField(InvalidRequest):
    code = "missing_field"


class MalformedBody(InvalidRequest):
    code = "malformed_body"


class RequestTimeout(InvalidRequest):
    status = 408
    code = "request_timeout"


class NotJSON(InvalidRequest):
    status = 415
    code = "unsupported_media_type"


class PayloadTooLarge(InvalidRequest):
    status = 413
    code = "payload_too_large"


class InvalidField(InvalidRequest):
    status = 422
    code = "invalid_field"


class UnsupportedLanguage(InvalidField):
    code = "unsupported_language"


class UndecodableSource(InvalidField):
    code = "undecodable_source"


class NonFiniteNumber(InvalidField):
    code = "non_finite_number"


class MetadataTooLarge(InvalidField):
    code = "metadata_too_large"


class NotFound(IrisError):
    status = 404
    code = "not_found"


class MethodNotAllowed(IrisError):
    status = 405
    code = "method_not_allowed"

    def __init__(self, message: str, allow: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.allow = allow  # sent as the Allow header


class Unauthorized(IrisError):
    status = 401
    code = "unauthorized"


class RateLimited(IrisError):
    status = 429
    code = "rate_limited"

    def __init__(
        self, message: str, retry_after: float, quota_headers: list[tuple[str, str]] | None = None
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.quota_headers = quota_headers or []  # X-RateLimit-* for the refusal


class EngineError(IrisError):
    status = 503
    code = "engine_unavailable"


class LLMUnavailable(EngineError):
    code = "llm_unavailable"


class LLMTimeout(EngineError):
    status = 504
    code = "llm_timeout"


class LLMBadOutput(EngineError):
    code = "llm_bad_output"


class AnalysisTimeout(EngineError):
    status = 504
    code = "analysis_timeout"


class ParserCrashed(EngineError):
    """A grammar's parse process died (or could not start); the service answers degraded."""

    code = "parser_crashed"


class ServerUnreachable(EngineError):
    code = "server_unreachable"


class ServerTimeout(EngineError):
    status = 504
    code = "server_timeout"


class CacheError(IrisError):
    status = 503
    code = "cache_unavailable"


class ConfigError(IrisError):
    code = "config_error"
