"""Delivery under faults: an error that is no Telegram error never ends a chat's sender, is tried
a bounded number of times and given up with a log line (later messages still go); calls that
time out are sent again at most once, so a resident sees at most one duplicate of a message."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from pathlib import Path

import pytest

from bot.assembly import build_guide
from bot.emulator import Emulator, Faults
from bot.store import Store
from bot.telegram.app import RunningBot, build_application
from tests.conftest import TIME_SCALE, make_settings
from tests.telegram.test_e2e_journey import say


def parts_for(emu: Emulator, db: Path, read_timeout: float = 5.0):
    settings = make_settings(emu, db)
    guide = build_guide(Store(settings.database), locale="id", outbox=True, handoff_available=True)
    parts = build_application(settings, guide, chat_interval=1.0 / TIME_SCALE, read_timeout=read_timeout)
    parts.delivery.first_backoff = 0.05
    parts.delivery.max_backoff = 0.4
    return parts


async def test_an_error_that_is_no_telegram_error_is_given_up_after_a_few_tries(
        emu: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    parts = parts_for(emu, tmp_path / "bot.sqlite3")
    loop_errors: list[dict] = []
    asyncio.get_running_loop().set_exception_handler(lambda loop, context: loop_errors.append(context))
    async with RunningBot(parts) as bot:
        siti = emu.resident("Siti")
        # Telegram's answer to sendMessage cannot be read: PTB raises an error of its own (no TelegramError).
        emu.faults = Faults(rate=1.0, kinds=("garbled",), only=("sendMessage",))
        with caplog.at_level(logging.WARNING):
            siti.command("start")
            assert await bot.settle(15.0)
        tries = len(emu.calls("sendMessage"))
        await asyncio.sleep(1.0)
        assert len(emu.calls("sendMessage")) == tries  # given up: not resent forever
        emu.faults = None
        await say(bot, lambda: siti.send("halo"))  # the chat's later messages still go
    parts.adapter.store.close()
    assert tries == parts.delivery.max_failures
    assert len(siti.inbox) == 1 and siti.inbox[0]["text"]
    assert len([r for r in caplog.records if "giving up" in r.getMessage()]) == 1
    assert not loop_errors  # no "Task exception was never retrieved"


async def test_an_outage_of_timeouts_shows_each_resident_at_most_one_duplicate(emu: Emulator, tmp_path: Path) -> None:
    parts = parts_for(emu, tmp_path / "bot.sqlite3", read_timeout=0.3)
    async with RunningBot(parts) as bot:
        residents = [emu.resident(f"Warga{i}") for i in range(8)]
        # Every call to send is carried out but answered late (or its connection dropped) for 3 s.
        emu.faults = Faults(rate=1.0, kinds=("timeout", "drop"), hang_seconds=0.6, only=("sendMessage",))
        for r in residents:
            r.command("start")
        await asyncio.sleep(3.0)
        emu.faults = None
        for r in residents:
            r.send("halo")
        assert await bot.settle(30.0)
    parts.adapter.store.close()
    for r in residents:
        texts = Counter(m["text"] for m in r.inbox)
        assert len(texts) == 2, r.inbox  # nothing lost: the welcome and the answer to "halo"
        assert max(texts.values()) <= 2, texts  # at most one duplicate of each
