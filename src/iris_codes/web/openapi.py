"""The OpenAPI 3.1 description of the HTTP API, built from the request and response Structs.

It lists every status each path can return, the supported ``language`` ids and aliases
as an enum, and ``X-API-Key`` as a security scheme, required when the server has keys.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import msgspec

from .. import __version__
from ..models import AnalyzeRequest, AnalyzeResponse, ErrorResponse
from ..syntax.languages import LANGUAGES

_ERRORS = {
    "400": "Malformed JSON, nested too deeply, or a missing field (codes malformed_json, "
    "json_too_deep, missing_field).",
    "401": "Missing or invalid X-API-Key (code unauthorized).",
    "413": "Body larger than IRIS_MAX_SOURCE_BYTES (code payload_too_large).",
    "415": "Body is not JSON (code unsupported_media_type).",
    "422": "Invalid value: unsupported_language (lists the supported ones), "
    "undecodable_source, non_finite_number, metadata_too_large, invalid_field.",
    "429": "Rate limited (code rate_limited, Retry-After and X-RateLimit-* headers).",
    "503": "Engine unavailable and no fallback allowed (llm_unavailable, llm_bad_output).",
    "504": "Engine timed out and no fallback allowed (llm_timeout, analysis_timeout).",
}
_ANALYZE_STATUSES = ("400", "401", "405", "413", "415", "422", "429", "503", "504")
_OTHER_STATUSES = ("405",)


def _error(description: str) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/ErrorResponse"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _json(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    body = schema or {"type": "object"}
    return {"description": description, "content": {"application/json": {"schema": body}}}


def language_names() -> list[str]:
    """Every id and alias a client may send as ``language``."""
    names = {lang.id for lang in LANGUAGES}
    names.update(alias.lower() for lang in LANGUAGES for alias in lang.aliases)
    return sorted(names)


def _any_case(text: str) -> str:
    """An ECMA-262 pattern matching ``text`` in any letter case (JSON Schema has no flags)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else _literal(c) for c in text)


def _literal(text: str) -> str:
    # re.escape() also escapes "-", which ECMA-262's unicode mode refuses outside a class.
    return re.escape(text).replace("\\-", "-")


def language_source_rule() -> list[dict[str, Any]]:
    """When the server can tell a request's language: what ``detect_language`` accepts.

    A named ``language`` (its enum lists the ids), else a file name whose extension or
    base name is known, else a shebang line naming a known interpreter. Anything else
    gets 422 ``unsupported_language``; the spec says so, so a fuzzer knows it too.
    """
    extensions = sorted({e.lstrip(".") for lang in LANGUAGES for e in lang.extensions})
    names = sorted({n for lang in LANGUAGES for n in lang.filenames})
    interpreters = sorted({i for lang in LANGUAGES for i in lang.interpreters}, key=len)[::-1]
    # As base_name() and detect_language() read it: the part after the last / or \, a
    # stem with something besides dots, the extension in any case; or a whole known name.
    suffix = "|".join(_any_case(e) for e in extensions)
    filename = (
        f"(?:^|[/\\\\])(?:[^/\\\\]*[^/\\\\.][^/\\\\]*\\.(?:{suffix})"
        f"|{'|'.join(_literal(n) for n in names)})$"
    )
    shebang = (
        r"^#!\s*(?:/usr/bin/env\s+(?:-\S+\s+)*)?(?:\S*/)?"
        f"(?:{'|'.join(_literal(i) for i in interpreters)})(?:[0-9.]+)?(?![A-Za-z0-9_.+-])"
    )
    return [
        {"required": ["language"], "properties": {"language": {"type": "string", "minLength": 1}}},
        {"required": ["filename"], "properties": {"filename": {"pattern": filename}}},
        {"required": ["source_code"], "properties": {"source_code": {"pattern": shebang}}},
    ]


def _errors(statuses: tuple[str, ...]) -> dict[str, Any]:
    texts = {**_ERRORS, "405": "Method not allowed on this path (code method_not_allowed)."}
    return {status: _error(texts[status]) for status in statuses}


@cache
def openapi_spec(auth_required: bool = False) -> dict[str, Any]:
    """The spec served at ``/api/iris/openapi.json``."""
    _, schemas = msgspec.json.schema_components(
        (AnalyzeRequest, AnalyzeResponse, ErrorResponse),
        ref_template="#/components/schemas/{name}",
    )
    language = schemas["AnalyzeRequest"]["properties"]["language"]
    described = language["anyOf"][0].get("description", "")
    # "" is sent by clients that know no language: the server treats it as omitted.
    names = [*language_names(), ""]
    language["anyOf"] = [{"type": "string", "enum": names}, {"type": "null"}]
    language["description"] = f"{described} An empty string is the same as omitting it."
    schemas["AnalyzeRequest"]["anyOf"] = language_source_rule()
    security: list[dict[str, list[str]]] = [{"ApiKey": []}] if auth_required else [{}]
    with_key = ("401",) if auth_required else ()
    ok = {"$ref": "#/components/schemas/AnalyzeResponse"}
    analyze = {
        "summary": "Table of contents of one source file",
        "security": security,
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/AnalyzeRequest"}}
            },
        },
        "responses": {"200": _json("The analysis", ok), **_errors(_ANALYZE_STATUSES)},
    }
    text = {"text/plain": {"schema": {"type": "string"}}}
    html = {"text/html": {"schema": {"type": "string"}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "IRIS", "version": __version__},
        "paths": {
            "/api/iris/analyze": {"post": analyze},
            "/api/iris/health": {
                "get": {
                    "summary": "Readiness (no key needed; details for key holders)",
                    "responses": {"200": _json("Readiness"), **_errors(_OTHER_STATUSES)},
                }
            },
            "/api/iris/languages": {
                "get": {
                    "summary": "Supported languages",
                    "responses": {"200": _json("Languages"), **_errors(_OTHER_STATUSES)},
                }
            },
            "/api/iris/metrics": {
                "get": {
                    "summary": "Prometheus metrics of every worker",
                    "security": security,
                    "responses": {
                        "200": {"description": "Prometheus text exposition", "content": text},
                        **_errors(with_key + _OTHER_STATUSES),
                    },
                }
            },
            "/api/iris/openapi.json": {
                "get": {
                    "summary": "This document",
                    "responses": {"200": _json("OpenAPI 3.1"), **_errors(_OTHER_STATUSES)},
                }
            },
            "/api/iris/docs": {
                "get": {
                    "summary": "This document as a page (served from the package)",
                    "responses": {
                        "200": {"description": "HTML page", "content": html},
                        **_errors(_OTHER_STATUSES),
                    },
                }
            },
        },
        "components": {
            "schemas": schemas,
            "securitySchemes": {"ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
        },
    }
