"""A small OpenAI-compatible HTTP server for tests and benchmarks.

It answers ``POST /v1/responses`` and ``POST /v1/chat/completions`` in the real wire
format (the official SDK parses it unmodified), with usage and token details. What
each call does comes from a queue of behaviours, then ``default``:

    smart            a valid answer built from the unit ids (or line numbers) in the prompt
    slow:<s>         wait <s> seconds, then answer like smart
    429[:<s>]        HTTP 429 with Retry-After: <s> (default 1)
    quota            HTTP 429 insufficient_quota (retrying cannot help)
    500 | 503        HTTP error with an OpenAI error body
    401              HTTP 401 (bad key)
    hang             accept the request and never answer (until the stub stops)
    drop             close the connection without answering
    html             HTTP 200 with an HTML page (a misconfigured proxy)
    malformed        content that is not JSON
    schema_invalid   JSON that does not match the schema
    out_of_range     valid blocks plus ids/ranges beyond the file
    overlap          blocks sharing ids, overlapping ranges
    no_valid_ids     only ids/ranges outside the file
    controls         a smart answer whose intent, labels and descriptions carry escape
                     sequences (OSC 52, OSC 0, ESC[2J, colours, C1 CSI)

``latency`` (seconds) delays every call. Calls are counted per path and request bodies
kept. Control over HTTP (for a stub in another process): ``POST /_stub/script``
``{"behaviours": [...], "default": "...", "latency": s}``, ``GET /_stub/stats``,
``POST /_stub/reset``. Standalone: ``python tests/openai_stub.py --port 8765 --latency 2``.
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import threading
import time
import uuid
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

UNIT_HEADER = re.compile(r"^U(\d+)> ", re.MULTILINE)
NUMBERED_LINE = re.compile(r"^(\d+)\| ", re.MULTILINE)
LABELS = (
    ("Public request handling", "Receives requests and answers them."),
    ("Core domain rules", "Applies the rules at the heart of the file."),
    ("Persistence and output", "Stores results and formats what callers see."),
    ("Input validation logic", "Checks inputs before they are used."),
)
API_PATHS = ("/v1/responses", "/v1/chat/completions")


class OpenAIStub:
    """The stub server; use as a context manager or call ``start``/``stop``."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        latency: float = 0.0,
        default: str = "smart",
    ) -> None:
        self.host = host
        self.port = port
        self.latency = latency
        self.default = default
        self.cached_tokens = 0
        self.queue: deque[str] = deque()
        self.calls: Counter[str] = Counter()
        self.requests: list[dict[str, Any]] = []
        self.authorizations: list[str | None] = []  # each API call's Authorization header
        self.arrivals: list[float] = []  # time.monotonic() of each API call
        self.lock = threading.Lock()
        self.release = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> OpenAIStub:
        server = _Server((self.host, self.port), _Handler)
        server.stub = self
        self._server = server
        self.port = server.server_address[1]
        # A short poll interval: stopping (after every test) takes one interval.
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> OpenAIStub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    # -- control -------------------------------------------------------------------------

    def script(self, *behaviours: str) -> None:
        """Queue behaviours for the next calls, in order; then ``default`` applies."""
        with self.lock:
            self.queue.extend(behaviours)

    def reset(self) -> None:
        with self.lock:
            self.queue.clear()
            self.calls.clear()
            self.requests.clear()
            self.arrivals.clear()
            self.default = "smart"
            self.latency = 0.0
            self.release.set()
            self.release = threading.Event()

    def total_calls(self) -> int:
        with self.lock:
            return sum(self.calls[path] for path in API_PATHS)

    def next_behaviour(self, path: str, body: dict[str, Any]) -> str:
        with self.lock:
            self.calls[path] += 1
            self.requests.append(body)
            self.arrivals.append(time.monotonic())
            return self.queue.popleft() if self.queue else self.default


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # benchmarks open 64+ connections at once
    stub: OpenAIStub


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def do_GET(self) -> None:
        stub = self.server.stub
        if self.path == "/_stub/stats":
            with stub.lock:
                stats = {"calls": dict(stub.calls), "total": sum(stub.calls[p] for p in API_PATHS)}
            self._json(200, stats)
        else:
            self._json(404, _error("Not found", "invalid_request_error"))

    def do_POST(self) -> None:
        stub = self.server.stub
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._json(400, _error("Invalid JSON body", "invalid_request_error"))
            return
        if self.path.startswith("/_stub/"):
            self._control(stub, body)
            return
        if self.path not in API_PATHS:
            self._json(404, _error(f"Unknown path {self.path}", "invalid_request_error"))
            return
        with stub.lock:
            stub.authorizations.append(self.headers.get("Authorization"))
        behaviour = stub.next_behaviour(self.path, body)
        release = stub.release
        if stub.latency and release.wait(stub.latency):
            return
        self._behave(behaviour, body, release)

    def _control(self, stub: OpenAIStub, body: dict[str, Any]) -> None:
        if self.path == "/_stub/reset":
            stub.reset()
        elif self.path == "/_stub/script":
            stub.script(*body.get("behaviours", []))
            with stub.lock:
                stub.default = body.get("default", stub.default)
                stub.latency = float(body.get("latency", stub.latency))
        self._json(200, {"ok": True})

    def _behave(self, behaviour: str, body: dict[str, Any], release: threading.Event) -> None:
        kind, _, arg = behaviour.partition(":")
        if kind == "hang":
            release.wait()
            self.close_connection = True
            return
        if kind == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if kind == "slow":
            if release.wait(float(arg or 1)):
                return
            kind = "smart"
        if kind == "429":
            headers = {"Retry-After": arg or "1"}
            self._json(429, _error("Rate limit reached", "rate_limit_error"), headers)
        elif kind == "html":
            self._raw(200, b"<html><body>Proxy login</body></html>", "text/html")
        elif kind == "quota":
            body = _error("You exceeded your current quota", "insufficient_quota")
            body["error"]["code"] = "insufficient_quota"
            self._json(429, body)
        elif kind in ("500", "503"):
            self._json(int(kind), _error("The server had an error", "server_error"))
        elif kind == "401":
            self._json(401, _error("Incorrect API key provided", "invalid_request_error"))
        else:
            text = answer_text(kind, body)
            self._json(200, wire_body(self.path, body, text, self.server.stub.cached_tokens))

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self._raw(status, json.dumps(payload).encode(), "application/json", headers)

    def _raw(
        self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (timeout); nothing to do


def _error(message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


# -- what the "model" says -------------------------------------------------------------------


def prompt_text(body: dict[str, Any]) -> str:
    """All user text of a Responses or Chat Completions request."""
    messages = body.get("messages") or body.get("input") or []
    if isinstance(messages, str):
        return messages
    parts = []
    for message in messages:
        content = message.get("content")
        if message.get("role") == "user" and isinstance(content, str):
            parts.append(content)
    return "\n".join(parts)


def request_mode(body: dict[str, Any]) -> str:
    """guided or ranges, from the schema name the request carries."""
    fmt = body.get("text", {}).get("format") or body.get("response_format", {}).get("json_schema")
    name = str((fmt or {}).get("name", ""))
    if "ranges" in name:
        return "ranges"
    if "guided" in name:
        return "guided"
    return "guided" if UNIT_HEADER.search(prompt_text(body)) else "ranges"


def answer_text(kind: str, body: dict[str, Any]) -> str:
    """The model's answer text for a content behaviour."""
    if kind == "malformed":
        return '{"file_intent": "Broken answer", "blocks": [{"label": '
    if kind == "schema_invalid":
        return json.dumps({"intent": "Wrong shape", "blocks": "none"})
    prompt = prompt_text(body)
    if request_mode(body) == "guided":
        ids = sorted({int(i) for i in UNIT_HEADER.findall(prompt)}) or [1]
        groups = _guided_groups(kind, ids)
        blocks = [_block(i, {"unit_ids": group}) for i, group in enumerate(groups)]
    else:
        lines = max((int(n) for n in NUMBERED_LINE.findall(prompt)), default=1)
        blocks = [_block(i, {"ranges": r}) for i, r in enumerate(_ranges_groups(kind, lines))]
    intent = "Handles requests for a small sample service"
    if kind == "controls":
        intent = f"{HOSTILE}{intent}\x07"
        for block in blocks:
            block["label"] = f"\x1b[31m{block['label']}\x1b[0m\x9b2J"
            block["description"] = f"{block['description']}{HOSTILE}\x00\x7f"
    return json.dumps({"file_intent": intent, "blocks": blocks})


HOSTILE = "\x1b]52;c;SGVsbG8=\x07\x1b]0;pwned\x07\x1b[2J"


def _block(index: int, where: dict[str, Any]) -> dict[str, Any]:
    label, description = LABELS[index % len(LABELS)]
    return {"label": label, "description": description, **where}


def _chunks(ids: list[int], count: int) -> list[list[int]]:
    count = max(1, min(count, len(ids)))
    size = -(-len(ids) // count)
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _guided_groups(kind: str, ids: list[int]) -> list[list[int]]:
    top = max(ids)
    if kind == "no_valid_ids":
        return [[top + 5, top + 9], [0, -1]]
    groups = _chunks(ids, 3 if len(ids) >= 3 else 1)
    if kind == "out_of_range":
        groups[0] = [*groups[0], top + 1, top + 40, 0, -3]
    elif kind == "overlap":
        groups = [*groups, list(ids)]
        groups[0] = [*groups[0], *groups[-1][:2]]
    return groups


def _ranges_groups(kind: str, lines: int) -> list[list[list[int]]]:
    if kind == "no_valid_ids":
        return [[[lines + 10, lines + 20]]]
    middle = max(1, lines // 2)
    groups = [[[1, middle]], [[middle + 1, lines]]] if lines > 1 else [[[1, 1]]]
    if kind == "out_of_range":
        groups[0].append([lines + 3, lines + 50])
        groups[-1] = [[middle + 1, lines + 30]]
    elif kind == "overlap":
        groups.append([[1, lines], [2, 3]])
        groups[0].append([max(1, middle - 1), lines])
    return groups


def wire_body(path: str, body: dict[str, Any], text: str, cached: int) -> dict[str, Any]:
    """A Responses or Chat Completions response carrying ``text`` and usage."""
    model = str(body.get("model", "stub-model"))
    input_tokens = max(1, len(json.dumps(body)) // 4)
    cached = min(cached, input_tokens)
    output_tokens = max(1, len(text) // 4)
    created = int(time.time())
    if path == "/v1/responses":
        return {
            "id": f"resp_{uuid.uuid4().hex}",
            "object": "response",
            "created_at": created,
            "status": "completed",
            "model": model,
            "error": None,
            "incomplete_details": None,
            "instructions": body.get("instructions"),
            "metadata": {},
            "temperature": 1.0,
            "top_p": 1.0,
            "parallel_tool_calls": True,
            "tool_choice": "auto",
            "tools": [],
            "output": [
                {
                    "type": "message",
                    "id": f"msg_{uuid.uuid4().hex}",
                    "status": "completed",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": text, "annotations": []}],
                }
            ],
            "usage": {
                "input_tokens": input_tokens,
                "input_tokens_details": {"cached_tokens": cached},
                "output_tokens": output_tokens,
                "output_tokens_details": {"reasoning_tokens": 0},
                "total_tokens": input_tokens + output_tokens,
            },
        }
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": created,
        "model": model,
        "system_fingerprint": None,
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "logprobs": None,
                "message": {"role": "assistant", "content": text, "refusal": None},
            }
        ],
        "usage": {
            "prompt_tokens": input_tokens,
            "completion_tokens": output_tokens,
            "total_tokens": input_tokens + output_tokens,
            "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0},
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--default", default="smart", help="behaviour when the queue is empty")
    args = parser.parse_args()
    stub = OpenAIStub(args.host, args.port, latency=args.latency, default=args.default).start()
    print(f"OpenAI stub on {stub.base_url} (latency {args.latency:g} s)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        stub.stop()


if __name__ == "__main__":
    main()
