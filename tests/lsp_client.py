"""A small LSP client for ``iris lsp``: Content-Length framing over stdio or TCP.

Shared by tests/test_lsp.py and bench/lsp.py.
"""

from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

READ_TIMEOUT = 10.0
Message = dict[str, Any]


class LspClient:
    """A minimal JSON-RPC client: Content-Length framing over a subprocess's stdio."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.log = log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "iris_codes", "lsp", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            env=env,
        )
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.reader: IO[bytes] = self.process.stdout
        self.writer: IO[bytes] = self.process.stdin
        self.sock: socket.socket | None = None
        if "--tcp" in args:
            self.sock = _connect(args[args.index("--tcp") + 1])
            self.reader = self.writer = self.sock.makefile("rwb")
        self.notifications: list[Message] = []
        self.server_requests: list[Message] = []  # answered with a null result, kept in order
        self._inbox: queue.Queue[Message | None] = queue.Queue()
        self._next_id = 0
        threading.Thread(target=self._read_loop, daemon=True).start()

    def _read_loop(self) -> None:
        while (message := _read_message(self.reader)) is not None:
            self._inbox.put(message)
        self._inbox.put(None)

    def _send(self, message: Message) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.writer.flush()

    def _receive(self) -> Message:
        try:
            message = self._inbox.get(timeout=READ_TIMEOUT)
        except queue.Empty:
            raise AssertionError(f"no message from the server within {READ_TIMEOUT} s") from None
        if message is None:
            raise AssertionError(f"the server closed its output; log:\n{self.log_text()}")
        return message

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def request_raw(self, method: str, params: Any = None) -> Message:
        """The response message (result or error) to one request."""
        self._next_id += 1
        request_id = self._next_id
        self._send({"id": request_id, "method": method, "params": params})
        while True:
            message = self._receive()
            if message.get("id") == request_id and "method" not in message:
                return message
            if "id" in message and "method" in message:  # a request from the server
                self.server_requests.append(message)
                self._send({"id": message["id"], "result": None})
            elif "method" in message:
                self.notifications.append(message)

    def request(self, method: str, params: Any = None) -> Any:
        response = self.request_raw(method, params)
        assert "error" not in response, response["error"]
        return response["result"]

    def wait_for_notification(self, method: str) -> Message:
        while True:
            for message in self.notifications:
                if message["method"] == method:
                    self.notifications.remove(message)
                    return message
            message = self._receive()
            if "method" in message and "id" not in message:
                self.notifications.append(message)

    def initialize(self, capabilities: Message | None = None) -> Message:
        params = {"processId": os.getpid(), "rootUri": None, "capabilities": capabilities or {}}
        result: Message = self.request("initialize", params)
        self.notify("initialized", {})
        return result

    def open(self, uri: str, text: str, language: str = "python", version: int = 1) -> None:
        document = {"uri": uri, "languageId": language, "version": version, "text": text}
        self.notify("textDocument/didOpen", {"textDocument": document})

    def change(self, uri: str, text: str, version: int) -> None:
        self.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
        )

    def on(self, method: str, uri: str) -> Any:
        return self.request(method, {"textDocument": {"uri": uri}})

    def at(self, method: str, uri: str, line: int, character: int = 0) -> Any:
        """A position request (hover, documentHighlight) at 0-based ``line``."""
        position = {"line": line, "character": character}
        return self.request(method, {"textDocument": {"uri": uri}, "position": position})

    def execute(self, command: str, *arguments: Any) -> Any:
        params: Message = {"command": command}
        if arguments:
            params["arguments"] = list(arguments)
        return self.request("workspace/executeCommand", params)

    def exit(self) -> int:
        self.request("shutdown")
        self.notify("exit", None)
        return self.process.wait(timeout=READ_TIMEOUT)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=READ_TIMEOUT)
        for stream in (self.process.stdin, self.process.stdout, self.reader):
            if stream is not None:
                stream.close()
        if self.sock is not None:
            self.sock.close()
        self.log.close()

    def log_text(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")


def _connect(address: str) -> socket.socket:
    """Connect to the server's TCP port, waiting (up to the read timeout) for it to listen."""
    host, _, port = address.rpartition(":")
    deadline = time.monotonic() + READ_TIMEOUT
    while True:
        try:
            return socket.create_connection((host, int(port)), timeout=READ_TIMEOUT)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _read_message(stream: IO[bytes]) -> Message | None:
    length = None
    while True:
        try:
            line = stream.readline()
        except OSError:
            return None
        if not line:
            return None
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode("ascii").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    assert length is not None, "a message without Content-Length"
    message: Message = json.loads(stream.read(length))
    return message
