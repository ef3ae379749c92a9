"""A load balancer stand-in for the failover benchmark's webhook mode: Telegram's POSTs go to the
workers in turn; a worker that refuses the connection or drops it is skipped and the next one
tried (as nginx's ``proxy_next_upstream error``); a worker's own answer (200, 403, 500) is passed
back as it is. Runs on its own thread and event loop, beside the emulator.

Not part of the bot: in production this is nginx, HAProxy or a cloud load balancer.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import threading

import tornado.httpclient
import tornado.httpserver
import tornado.iostream
import tornado.web

FORWARDED = ("Content-Type", "X-Telegram-Bot-Api-Secret-Token")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Forward(tornado.web.RequestHandler):
    def initialize(self, balancer: Balancer) -> None:
        self.balancer = balancer

    async def post(self, path: str) -> None:
        client = tornado.httpclient.AsyncHTTPClient()
        headers = {k: v for k, v in self.request.headers.items() if k in FORWARDED}
        for port in self.balancer.turns():
            try:
                answer = await client.fetch(f"http://127.0.0.1:{port}/{path}", method="POST", body=self.request.body,
                                            headers=headers, raise_error=False, request_timeout=10.0)
            except (OSError, tornado.httpclient.HTTPClientError, tornado.iostream.StreamClosedError):
                continue  # refused, reset or closed mid-request: that worker is gone; the next one
            if answer.code == 599:  # tornado's "no answer" (a connection dropped mid-request)
                continue
            self.set_status(answer.code)
            self.finish(answer.body or b"")
            return
        self.set_status(502)  # no worker answered: Telegram sends it again later


class Balancer:
    """Listens on ``port`` and spreads POSTs over the workers' ``ports``, in turn."""

    def __init__(self, ports: list[int], port: int | None = None):
        self.ports = ports
        self.port = port or free_port()
        self._next = itertools.count()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._started = threading.Event()

    def turns(self) -> list[int]:
        """Every worker once, starting with the next one's turn."""
        start = next(self._next) % len(self.ports)
        return self.ports[start:] + self.ports[:start]

    def __enter__(self) -> Balancer:
        self._thread = threading.Thread(target=self._serve, daemon=True, name="balancer")
        self._thread.start()
        self._started.wait(10)
        return self

    def _serve(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        app = tornado.web.Application([(r"/(.*)", _Forward, {"balancer": self})])
        server = tornado.httpserver.HTTPServer(app)
        server.listen(self.port, address="127.0.0.1")
        self._loop.call_soon(self._started.set)
        self._loop.run_forever()
        server.stop()

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    @staticmethod
    def ports_for(count: int) -> list[int]:
        return [free_port() for _ in range(count)]


__all__ = ["Balancer", "free_port"]
