"""The development server (the demo's and the browser tests') closes every response, so
that work after a response runs: a sign-up's e-mail came no more when the browser reset the
connection while Werkzeug drained what was left of the request (CI's browser tests, twice)."""

from __future__ import annotations

import socket
import struct
import threading
import time
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from labelling.core.dev_server import make_dev_server
from labelling.extensions import db
from labelling.notifications.models import OutboxMessage


@pytest.fixture
def served(app):
    server = make_dev_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(timeout=10)


def _sign_up_request(email: str, trailing: bytes = b"") -> bytes:
    """A sign-up post; `trailing` bytes follow its body, which the server drains unread."""
    body = urlencode(
        {
            "full_name": "Mette Sørensen",
            "email": email,
            "password": "a long passphrase",
            "confirm": "a long passphrase",
        }
    ).encode()
    head = (
        "POST /register HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    return head + body + trailing


def _read_response(conn: socket.socket) -> bytes:
    """The whole response: its head, then as many bytes as its Content-Length says."""
    received = b""
    while b"\r\n\r\n" not in received:
        received += conn.recv(4096)
    head, _, body = received.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += conn.recv(4096)
    return head


def _emails_to(email: str, seconds: float = 5) -> int:
    """How many e-mails to `email` the outbox holds, once one has come (or `seconds` passed)."""
    deadline = time.monotonic() + seconds
    while True:
        db.session.rollback()
        count = db.session.scalar(select(func.count()).where(OutboxMessage.recipient == email))
        if count or time.monotonic() > deadline:
            return count
        time.sleep(0.05)


def test_a_sign_up_mails_its_link_when_the_browser_resets_the_connection(served):
    with socket.create_connection(("127.0.0.1", served)) as conn:
        conn.sendall(_sign_up_request("mette@example.org", trailing=b"left over"))
        assert _read_response(conn).startswith(b"HTTP/1.1 303")
        # Close with a reset (linger 0), as Chromium did, while the server drains.
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    assert _emails_to("mette@example.org") == 1


def test_a_sign_up_served_normally_mails_once(served):
    with socket.create_connection(("127.0.0.1", served)) as conn:
        conn.sendall(_sign_up_request("eva@example.org"))
        assert _read_response(conn).startswith(b"HTTP/1.1 303")
        conn.shutdown(socket.SHUT_WR)
        assert conn.recv(4096) == b""  # the server closed: its close() has run
    # Werkzeug closed the response, and the handler after it: the work ran once.
    assert _emails_to("eva@example.org") == 1
