"""The OpenAPI 3.1 description of the HTTP API, built from the pydantic models."""

from __future__ import annotations

from functools import cache
from typing import Any

from .. import __version__
from ..models import AnalyzeRequest, AnalyzeResponse, ErrorResponse

_ERRORS = {
    "400": "Malformed JSON or a missing field (codes malformed_json, missing_field).",
    "401": "Missing or invalid X-API-Key (code unauthorized).",
    "413": "Body larger than IRIS_MAX_SOURCE_BYTES (code payload_too_large).",
    "415": "Body is not JSON (code unsupported_media_type).",
    "422": "Invalid value: unsupported_language (lists the supported ones), "
    "undecodable_source, invalid_field.",
    "429": "Rate limited (code rate_limited, Retry-After header).",
    "503": "Engine unavailable and no fallback allowed (llm_unavailable, llm_bad_output).",
    "504": "Engine timed out and no fallback allowed (llm_timeout, analysis_timeout).",
}


def _error(description: str) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/ErrorResponse"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


@cache
def openapi_spec() -> dict[str, Any]:
    """The spec served at ``/api/iris/openapi.json``."""
    schemas: dict[str, Any] = {}
    for model in (AnalyzeRequest, AnalyzeResponse, ErrorResponse):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    ok = {"$ref": "#/components/schemas/AnalyzeResponse"}
    analyze = {
        "summary": "Table of contents of one source file",
        "security": [{"ApiKey": []}, {}],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/AnalyzeRequest"}}
            },
        },
        "responses": {
            "200": {"description": "The analysis", "content": {"application/json": {"schema": ok}}},
            **{status: _error(text) for status, text in _ERRORS.items()},
        },
    }
    plain = {"200": {"description": "OK"}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "IRIS", "version": __version__},
        "paths": {
            "/api/iris/analyze": {"post": analyze},
            "/api/iris/health": {"get": {"summary": "Readiness", "responses": plain}},
            "/api/iris/languages": {"get": {"summary": "Supported languages", "responses": plain}},
            "/api/iris/metrics": {"get": {"summary": "Counters", "responses": plain}},
        },
        "components": {
            "schemas": schemas,
            "securitySchemes": {"ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
        },
    }
