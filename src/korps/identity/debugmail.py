"""A local debug SMTP server (aiosmtpd) that prints every message it receives: `make run`
and the tests send real SMTP to it, so a password-reset link shows up in the console."""

from __future__ import annotations

import socket
from collections.abc import Callable
from email import message_from_bytes
from email.message import Message

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class _Handler:
    def __init__(self, deliver: Callable[[Message], None]) -> None:
        self.deliver = deliver

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        self.deliver(message_from_bytes(content))
        return "250 OK"


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex((host, port)) != 0


def start(host: str, port: int, deliver: Callable[[Message], None]) -> Controller:
    controller = Controller(_Handler(deliver), hostname=host, port=port)
    controller.start()
    return controller


def print_message(message: Message) -> None:
    body = message.get_payload(decode=True)
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    print(
        f"\n--- e-mail (debug SMTP) aan {message['To']}: {message['Subject']}\n{text}---\n",
        flush=True,
    )
