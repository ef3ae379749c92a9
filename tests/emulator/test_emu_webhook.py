"""Webhook mode: updates are POSTed with the secret header, retried until 2xx; getUpdates -> 409."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import telegram
from telegram import Update
from telegram.error import Conflict

from bot.emulator import Emulator


class Receiver:
    """A tiny webhook endpoint on 127.0.0.1; fails the first ``fail_first`` deliveries."""

    def __init__(self, fail_first: int = 0):
        self.got: list[tuple[dict, str | None]] = []
        self.attempts = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.attempts += 1
                if outer.attempts <= fail_first:
                    self.send_response(500)
                else:
                    outer.got.append((json.loads(body), self.headers.get("X-Telegram-Bot-Api-Secret-Token")))
                    self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, n: int, timeout: float = 5.0) -> list[tuple[dict, str | None]]:
        deadline = time.monotonic() + timeout
        while len(self.got) < n and time.monotonic() < deadline:
            time.sleep(0.01)
        return list(self.got)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(fail_first=2)
    yield r
    r.server.shutdown()
    r.server.server_close()


async def test_webhook_delivery_with_secret_and_retry(bot: telegram.Bot, emu: Emulator,
                                                      receiver: Receiver) -> None:
    siti = emu.resident()
    siti.send("lama")  # pending before setWebhook, dropped on request
    assert await bot.set_webhook(receiver.url, secret_token="s3cr3t-IKD", drop_pending_updates=True,
                                 allowed_updates=["message", "callback_query"])
    siti.send("halo")
    siti.command("start")
    got = receiver.wait(2)
    assert [u["message"]["text"] for u, _ in got] == ["halo", "/start"]
    assert {secret for _, secret in got} == {"s3cr3t-IKD"}
    assert receiver.attempts == 4  # two failures were retried
    for u, _ in got:
        Update.de_json(u, bot)
    # The receiver records an update before its 200 reaches the emulator, which only then drops
    # it from the pending list (as Telegram does): poll briefly instead of reading once.
    info = await bot.get_webhook_info()
    deadline = time.monotonic() + 5
    while info.pending_update_count and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
        info = await bot.get_webhook_info()
    assert info.url == receiver.url and info.pending_update_count == 0
    assert info.last_error_message and "500" in info.last_error_message
    assert set(info.allowed_updates) == {"message", "callback_query"}
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook()
    siti.send("polling lagi")
    assert [u.message.text for u in await bot.get_updates()] == ["polling lagi"]
    assert (await bot.get_webhook_info()).url == ""
    assert emu.stats["409"] == 1


async def test_set_webhook_validation(bot: telegram.Bot) -> None:
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)secret token"):
        await bot.set_webhook("http://127.0.0.1:1/x", secret_token="bad secret!")
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)https url"):
        await bot.set_webhook("ftp://x")
