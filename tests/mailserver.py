"""A real SMTP server for tests (aiosmtpd on loopback) that records, delays or refuses."""

from __future__ import annotations

import asyncio
import socket
import threading
from email import message_from_bytes
from email.message import Message

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MailServer:
    """Set `delay` (seconds in DATA) or `reply` (e.g. "421 Try later") to misbehave."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.transactions = 0  # MAIL FROM commands seen, delivered or not
        self.delay = 0.0
        self.mail_delay = 0.0  # seconds before answering MAIL FROM (a sender caught early)
        self.reply: str | None = None
        self.receiving = threading.Event()  # set once a message's data starts arriving
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def start(self) -> MailServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.transactions += 1
        if self.mail_delay:
            await asyncio.sleep(self.mail_delay)
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.receiving.set()
        if self.reply:
            await asyncio.sleep(self.delay)
            return self.reply
        # Taken before the (late) reply: a client that stops waiting has still sent it.
        self.messages.append(message_from_bytes(envelope.content))
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 Message accepted"

    def message_ids(self) -> list[str]:
        return [message["Message-ID"] for message in self.messages]

    def config(self) -> dict:
        """The app's settings for sending here."""
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port, "MAIL_USE_TLS": False}
