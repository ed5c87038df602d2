"""Turn an analyze request's raw body into an ``AnalyzeRequest``, or the precise error.

Shared by the Flask route and the cache-hit fast path, so both refuse the same bodies:
not UTF-8 (422), not JSON (400), nested past what the parser can hold (400
``json_too_deep``, never a ``RecursionError``), ``NaN``/``Infinity``/``1e400`` anywhere
(422: they have no JSON spelling to echo back), and ``metadata`` larger or deeper than
the settings allow (422).
"""

from __future__ import annotations

import json
import math
from typing import Any

import msgspec

from .. import jsonio
from ..errors import (
    InvalidField,
    IrisError,
    JSONTooDeep,
    MalformedBody,
    MalformedJSON,
    MetadataTooLarge,
    MissingField,
    NonFiniteNumber,
    RequestTimeout,
    UndecodableSource,
)
from ..models import AnalyzeRequest

MAX_METADATA_DEPTH = 8
_REQUIRED = tuple(f.encode_name for f in msgspec.structs.fields(AnalyzeRequest) if f.required)


class _NonFinite(ValueError):
    """A number JSON cannot carry back; raised from inside the decoder."""


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _NonFinite(text)
    return value


def _no_constant(text: str) -> float:
    raise _NonFinite(text)


#: What reading a body may raise: ``OSError`` (a socket timeout, a body cut short) and
#: the server's own errors for bad framing, which the server's adapter adds (Gunicorn's
#: ``ParseException`` for a chunk size like ``zz``: ``deploy/gunicorn.py``).
READ_ERRORS: tuple[type[Exception], ...] = (OSError,)


def add_read_errors(*types: type[Exception]) -> None:
    """Count ``types`` among the errors a body read may raise (see ``READ_ERRORS``)."""
    global READ_ERRORS
    READ_ERRORS = (*READ_ERRORS, *(t for t in types if t not in READ_ERRORS))


def read_error(exc: Exception) -> IrisError:
    """What to answer when reading the body failed: it stalled (408) or is malformed (400).

    Only the error's type is named: its message may quote the client's bytes.
    """
    if isinstance(exc, TimeoutError | BlockingIOError):
        return RequestTimeout("The request body stopped arriving before it was complete.")
    return MalformedBody(
        f"The request body is malformed or ended early ({type(exc).__name__}); "
        "a chunked body needs hex chunk sizes, each chunk ending in CRLF, and a last chunk."
    )


def load_json(raw: bytes) -> Any:
    """The decoded body; finite numbers only."""
    return jsonio.loads(raw, _strict_loads)


def _strict_loads(raw: bytes | str) -> Any:
    # json's reading and errors, for what msgspec refused.
    try:
        text = raw if isinstance(raw, str) else raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UndecodableSource("The request body is not valid UTF-8 text.") from None
    try:
        return json.loads(text, parse_float=_finite_float, parse_constant=_no_constant)
    except _NonFinite as exc:
        raise NonFiniteNumber(
            f"The body holds {str(exc)[:32]!r}: numbers must be finite (no NaN or Infinity)."
        ) from None
    except RecursionError:
        raise JSONTooDeep("The body is nested too deeply to be JSON IRIS accepts.") from None
    except ValueError as exc:
        raise MalformedJSON(f"The body is not valid JSON: {exc}.") from None


def decode_request(raw: bytes, max_metadata_bytes: int) -> AnalyzeRequest:
    """The validated request in ``raw``, or the IrisError saying what is wrong with it."""
    data = load_json(raw)
    if not isinstance(data, dict):
        raise MalformedJSON("The body must be a JSON object.")
    missing = [name for name in _REQUIRED if name not in data]
    if missing:
        raise MissingField(f"Missing required field(s): {', '.join(missing)}.", fields=missing)
    try:
        request = msgspec.convert(data, AnalyzeRequest)
    except msgspec.ValidationError as exc:
        raise InvalidField(f"Invalid field value: {exc}.") from None
    if request.metadata:
        _check_metadata(request.metadata, max_metadata_bytes)
    return request


def _check_metadata(metadata: dict[str, Any], limit: int) -> None:
    if _depth(metadata, MAX_METADATA_DEPTH) > MAX_METADATA_DEPTH:
        raise MetadataTooLarge(f"metadata is nested deeper than {MAX_METADATA_DEPTH} levels.")
    try:
        size = len(msgspec.json.encode(metadata))
    except (msgspec.EncodeError, TypeError, UnicodeEncodeError, OverflowError):
        if _has_lone_surrogate(metadata):
            # As source_code with one is refused (service.py): it is no Unicode text.
            raise UndecodableSource(
                "metadata holds a lone surrogate (\\ud800-\\udfff): it must be valid "
                "Unicode text, as source_code must."
            ) from None
        size = len(jsonio.dumps(metadata))  # e.g. an integer past 64 bits
    if size > limit:
        raise MetadataTooLarge(
            f"metadata is {size} bytes as JSON; the limit is {limit} (IRIS_MAX_METADATA_BYTES)."
        )


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(item) for item in value)
    return False


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of ``value``, counting stops once past ``limit``."""
    if limit < 0 or not isinstance(value, dict | list):
        return 0
    children = value.values() if isinstance(value, dict) else value
    return 1 + max((_depth(child, limit - 1) for child in children), default=0)
