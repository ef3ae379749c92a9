"""Bursts under Telegram's limits lose nothing; 429s are waited out; webhooks need the secret;
the token and residents' secrets never reach the logs, even at DEBUG."""

from __future__ import annotations

import io
import logging
import socket
from pathlib import Path

import httpx

from bot.emulator import Emulator, Limits
from bot.telegram.app import RunningBot, Webhook
from bot.telegram.logs import configure_logging
from tests.conftest import make_parts
from tests.telegram.test_e2e_journey import labels, say


async def test_burst_of_residents_loses_nothing_under_the_global_limit(tmp_path: Path) -> None:
    # Real-time limits (30/s overall): 60 residents answering at once.
    with Emulator(limits=Limits(time_scale=1.0)) as emu:
        parts = make_parts(emu, tmp_path / "bot.sqlite3")
        async with RunningBot(parts) as bot:
            residents = [emu.resident(f"Warga{i}") for i in range(60)]
            for r in residents:
                r.command("start")
            assert await bot.settle(60.0)
            for r in residents:
                r.press(labels(r)[0])
            assert await bot.settle(60.0)
        assert parts.adapter.store.count_pending() == 0
        parts.adapter.store.close()
    assert [len(r.inbox) for r in residents] == [2] * 60  # 0 messages lost


async def test_429_is_waited_out_and_retried(tmp_path: Path) -> None:
    # A strict per-chat limit and a bot that does not pace: Telegram answers 429, nothing is lost.
    with Emulator(limits=Limits(chat_per_second=1.0, chat_burst=1, time_scale=4.0)) as emu:
        parts = make_parts(emu, tmp_path / "bot.sqlite3")
        parts.delivery.chat_interval = 0.0
        async with RunningBot(parts) as bot:
            siti = emu.resident("Siti")
            siti.command("start")
            siti.send("halo")
            siti.send("apa kabar")
            assert await bot.settle(30.0)
        parts.adapter.store.close()
    assert emu.stats["429"] >= 1
    assert len(siti.inbox) == 3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_webhook_requires_the_secret(emu: Emulator, tmp_path: Path) -> None:
    port = _free_port()
    hook = Webhook("127.0.0.1", port, "telegram", f"http://127.0.0.1:{port}/telegram", "rahasia-webhook-123")
    parts = make_parts(emu, tmp_path / "bot.sqlite3")
    async with RunningBot(parts, webhook=hook) as bot:
        siti = emu.resident("Siti")
        await say(bot, lambda: siti.command("start"))
        assert len(siti.inbox) == 1
        forged = {"update_id": 999001, "message": {"message_id": 5, "date": 0, "text": "/start",
                                                   "chat": {"id": 4242, "type": "private"},
                                                   "from": {"id": 4242, "is_bot": False, "first_name": "X"}}}
        async with httpx.AsyncClient() as client:
            missing = await client.post(hook.url, json=forged)
            wrong = await client.post(hook.url, json=forged, headers={"X-Telegram-Bot-Api-Secret-Token": "salah"})
        assert missing.status_code == 403 and wrong.status_code == 403
        await bot.settle()
        assert parts.adapter.store.load(4242) is None
    parts.adapter.store.close()


async def test_token_and_secrets_never_in_debug_logs(emu: Emulator, tmp_path: Path) -> None:
    stream = io.StringIO()
    handler = configure_logging("DEBUG", emu.token, stream)
    try:
        parts = make_parts(emu, tmp_path / "bot.sqlite3")
        async with RunningBot(parts) as bot:
            siti = emu.resident("Siti")
            await say(bot, lambda: siti.command("start"))
            await say(bot, lambda: siti.send("nik saya 3673041234560001 pin 482913"))
        parts.adapter.store.close()
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(logging.WARNING)
    logs = stream.getvalue()
    assert "getUpdates" in logs or "Calling Bot API" in logs or len(logs) > 1000  # DEBUG really logged
    assert emu.token not in logs and emu.token.split(":")[1] not in logs
    assert "3673041234560001" not in logs and "482913" not in logs
    # And the resident's message was deleted from the chat.
    assert emu.calls("deleteMessage")
