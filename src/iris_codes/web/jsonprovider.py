"""Flask's JSON through ``jsonio``: every JSON answer is written alike, fast path or not."""

from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider

from .. import jsonio


class JSONProvider(DefaultJSONProvider):
    """Flask's default provider, writing compact JSON through ``jsonio`` (keys in order)."""

    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs.keys() <= {"separators"}:  # what jsonify asks for outside debug mode
            return jsonio.dumps(obj, self.default).decode()
        return super().dumps(obj, **kwargs)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return jsonio.loads(s) if not kwargs else super().loads(s, **kwargs)
