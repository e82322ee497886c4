"""A real SMTP server on loopback (aiosmtpd) for e-mail tests: `smtp_server` in conftest.py."""

import socket
from contextlib import contextmanager

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Collect:
    """What the server accepted, in `.envelopes`; `.config` is the SMTP channel's setting."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


@contextmanager
def running_smtp_server():
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.config = {
        "host": "127.0.0.1",
        "port": controller.port,
        "sender": "督查室 <tracker@example.org>",
        "user": None,
        "password": None,
        "starttls": False,
        "timeout": 5,
    }
    try:
        yield handler
    finally:
        controller.stop()
