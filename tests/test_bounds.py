"""Input and output bounds: odd bodies get a precise 4xx, answers stay a sane size."""

from __future__ import annotations

import json
import socket

import pytest
import requests

from iris_codes.postprocess import MAX_DESCRIPTION_CHARS, MAX_INTENT_CHARS, MAX_LABEL_CHARS, cut
from iris_codes.testing import ServerProcess
from support import post_analyze

SOURCE = "def f():\n    return 1\n"


def _body(metadata: object) -> dict[str, object]:
    return {"filename": "a.py", "source_code": SOURCE, "metadata": metadata}


def _post_raw(server: ServerProcess, body: str) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    return requests.post(f"{server.url}/api/iris/analyze", data=body, headers=headers, timeout=30)


def _error(reply: requests.Response, status: int, code: str) -> None:
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert body["success"] is False
    assert body["code"] == code
    assert body["error"]


@pytest.mark.parametrize("depth", [2_000, 200_000])
def test_a_deeply_nested_body_is_400_json_too_deep(
    shared_server: ServerProcess, depth: int
) -> None:
    _error(_post_raw(shared_server, "[" * depth + "]" * depth), 400, "json_too_deep")


def test_deeply_nested_metadata_is_refused(shared_server: ServerProcess) -> None:
    nested = '{"a":' * 3_000 + "1" + "}" * 3_000
    body = '{"filename":"a.py","source_code":"x = 1\\n","metadata":' + nested + "}"
    reply = _post_raw(shared_server, body)
    assert reply.status_code in (400, 422), reply.text
    assert reply.json()["code"] in ("json_too_deep", "metadata_too_large")


def test_metadata_nested_past_eight_levels_is_422(shared_server: ServerProcess) -> None:
    nested: object = 1
    for _ in range(9):
        nested = {"a": nested}
    reply = post_analyze(shared_server, _body(nested))
    _error(reply, 422, "metadata_too_large")


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400", "-1e999"])
def test_a_non_finite_number_is_422(shared_server: ServerProcess, number: str) -> None:
    body = '{"filename":"a.py","source_code":"x = 1\\n","metadata":{"n":' + number + "}}"
    _error(_post_raw(shared_server, body), 422, "non_finite_number")


def test_oversized_metadata_is_422(shared_server: ServerProcess) -> None:
    metadata = {"blob": "x" * 900_000}
    reply = post_analyze(shared_server, _body(metadata))
    _error(reply, 422, "metadata_too_large")


def test_small_metadata_is_still_echoed(shared_server: ServerProcess) -> None:
    metadata = {"client": "vscode", "nested": {"a": [1, 2.5, None]}}
    reply = post_analyze(shared_server, _body(metadata))
    assert reply.status_code == 200
    assert reply.json()["metadata"]["nested"] == metadata["nested"]


def test_metadata_integers_past_64_bits_are_echoed_exactly(shared_server: ServerProcess) -> None:
    # The fast JSON reader would turn these into floats; the body must come back as sent.
    big = 2**70 + 1
    body = '{"filename":"a.py","source_code":"x = 1\\n","metadata":{"n":' + str(big) + "}}"
    reply = _post_raw(shared_server, body)
    assert reply.status_code == 200, reply.text
    assert json.loads(reply.text)["metadata"]["n"] == big


def test_text_json_escapes_survive_the_round_trip(shared_server: ServerProcess) -> None:
    escapes = "\\u00e9 \\u2603 \\ud83d\\ude00"  # é ☃ and a surrogate pair: 😀
    body = '{"filename":"a.py","source_code":"x = 1\\n","metadata":{"s":"' + escapes + '"}}'
    reply = _post_raw(shared_server, body)
    assert reply.status_code == 200, reply.text
    assert reply.headers["Content-Type"] == "application/json"
    assert json.loads(reply.text)["metadata"]["s"] == "é ☃ 😀"


@pytest.mark.parametrize("where", ["value", "key", "nested"])
def test_a_lone_surrogate_in_metadata_is_refused_like_one_in_source_code(
    shared_server: ServerProcess, where: str
) -> None:
    metadata = {
        "value": '{"s":"\\ud800"}',
        "key": '{"\\udfff":1}',
        "nested": '{"a":[{"b":"x\\ud800y"}]}',
    }[where]
    body = '{"filename":"a.py","source_code":"x = 1\\n","metadata":' + metadata + "}"
    reply = _post_raw(shared_server, body)
    assert reply.status_code == 422, reply.text
    assert reply.json()["code"] == "undecodable_source"


def test_a_huge_identifier_gives_bounded_labels_and_intent(shared_server: ServerProcess) -> None:
    name = "a" * 200_000
    source = f'"""{name} {name}"""\n\ndef {name}():\n    return 1\n\nclass {name}B:\n    x = 1\n'
    reply = post_analyze(shared_server, {"filename": "big.py", "source_code": source})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert len(body["file_intent"]) <= MAX_INTENT_CHARS
    for block in body["responsibility_blocks"]:
        assert len(block["label"]) <= MAX_LABEL_CHARS
        assert len(block["description"]) <= MAX_DESCRIPTION_CHARS


def test_cut_keeps_whole_words_within_the_limit() -> None:
    text = "Parse the configuration file and validate every setting against its schema"
    short = cut(text, 40)
    assert len(short) <= 40
    assert short.endswith("…")
    assert text.startswith(short[:-1])
    assert short[:-1].split(" ")[-1] in text.split(" ")
    assert cut("x" * 500, 80) == "x" * 79 + "…"
    assert cut(text, 500) == text


def test_a_6mb_body_on_a_closing_connection_reads_the_413(shared_server: ServerProcess) -> None:
    body = json.dumps({"filename": "a.py", "source_code": "x" * 6_000_000}).encode()
    head = (
        "POST /api/iris/analyze HTTP/1.1\r\nHost: localhost\r\n"
        "Content-Type: application/json\r\nConnection: close\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", shared_server.port), timeout=30) as sock:
        sock.sendall(head + body)  # a broken pipe here is the bug
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    status_line, _, rest = reply.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 413"), status_line
    assert json.loads(rest.partition(b"\r\n\r\n")[2])["code"] == "payload_too_large"
