"""A body the server cannot unframe is the client's error: gunicorn, as production runs it."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.ops.server import gunicorn

HEAD = (
    b"POST /api/v1/users HTTP/1.1\r\nHost: quill\r\nContent-Type: application/json\r\n"
    b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
)
UNFRAMED = {
    "a chunk size that is not hexadecimal": b"zz\r\n{}\r\n0\r\n\r\n",
    "a chunk without its terminator": b"2\r\n{}XX0\r\n\r\n",
    # werkzeug already answered this one with a 400 of its own; kept as a guard.
    "a body sent without chunks": b'{"email": "a@example.com"}',
}


def raw_request(base: str, data: bytes) -> tuple[int, bytes]:
    """Sends bytes as they are; the answer's status and body."""
    address = urlsplit(base)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


@pytest.mark.parametrize("body", UNFRAMED.values(), ids=UNFRAMED.keys())
def test_a_chunked_body_that_does_not_unframe_is_a_400(tmp_path: Path, body: bytes) -> None:
    with gunicorn(tmp_path, workers=1) as (base, log):
        status, answer = raw_request(base, HEAD + body)
        assert status == 400
        assert json.loads(answer)["code"] == "invalid_json"
        well_framed = b'{"email": "a@example.com"}'
        chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(well_framed), well_framed)
        status, answer = raw_request(base, HEAD + chunked)
        assert (status, json.loads(answer)["code"]) == (400, "validation_error")  # read
    assert b"Traceback" not in log.read_bytes()
