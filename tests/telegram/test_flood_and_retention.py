"""A flood of messages gets one calm reply and loses nothing; old transcripts are purged."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from bot.emulator import Emulator
from bot.store import Store
from bot.telegram.app import RunningBot
from bot.telegram.flood import FloodWatch
from bot.telegram.maintenance import DAY, Retention
from bot.telegram.settings import SettingsError, load_settings
from tests.telegram.test_e2e_journey import say

TOKEN = "123456:ABCdef_ghi-JKL"


def test_flood_watch_notes_each_burst_once() -> None:
    watch = FloodWatch(messages=5, within=4.0)
    noted = [watch.arrived(1, t * 0.3) for t in range(12)]
    assert noted.count(True) == 1 and noted.index(True) == 4
    assert not any(watch.arrived(2, t * 2.0) for t in range(12))  # one every 2 s is no burst
    assert [watch.arrived(1, 100 + t * 0.3) for t in range(5)][-1] is True  # after a quiet gap, a new burst


def test_flood_watch_forgets_quiet_chats() -> None:
    watch = FloodWatch(forget_after=60.0)
    for chat in range(1000):
        watch.arrived(chat, 0.0)
    watch.arrived(5000, 120.0)
    assert watch.tracked() == 1


async def test_a_flood_gets_one_calm_reply_and_every_message_reaches_the_guide(emu: Emulator,
                                                                                running: RunningBot) -> None:
    running.parts.delivery.chat_interval = 0.3  # Telegram's per-chat pace, so replies queue up
    siti, budi = emu.resident("Siti"), emu.resident("Budi")
    await say(running, lambda: siti.command("start"))
    await say(running, lambda: budi.command("start"))
    before = len(budi.inbox)
    words = ["halo", "halo?", "pak", "tolong jawab", "kok diam", "halo pak", "sudah", "gimana", "pak?", "halo"]
    for text in words:
        siti.send(text)
    await asyncio.sleep(0.2)
    started = time.monotonic()
    budi.send("siap")
    while len(budi.inbox) == before and time.monotonic() - started < 5:  # noqa: ASYNC110 -- filled by the emulator's thread
        await asyncio.sleep(0.02)
    budi_waited = time.monotonic() - started
    assert await running.settle(30.0)
    calm = [m for m in siti.inbox if "Sebentar ya" in m["text"]]
    assert len(calm) == 1
    rows = running.parts.adapter.store.transcript(siti.chat_id, 200)
    assert [r["text"] for r in rows if r["direction"] == "in" and r["kind"] == "text"] == words
    # Budi's reply did not wait behind Siti's backlog (about ten replies, 0.3 s apart).
    assert budi_waited < 1.5, budi_waited


async def test_quick_answers_that_wait_for_each_reply_are_no_flood(emu: Emulator, running: RunningBot) -> None:
    ani = emu.resident("Ani")
    await say(running, lambda: ani.command("start"))
    for _ in range(8):
        await say(running, lambda: ani.send("halo"))
    assert not any("Sebentar ya" in m["text"] for m in ani.inbox)


def test_retention_purges_only_old_transcripts(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "r.sqlite3"))
    store.add_transcript(1, "in", "text", "sudah")
    store.add_transcript(2, "out", "say", "Langkah 1 dari 8")
    now = time.time()
    assert Retention(store, days=30, clock=lambda: now + 29 * DAY).purge_once() == 0
    assert len(store.transcript(1)) == 1
    assert Retention(store, days=30, clock=lambda: now + 31 * DAY).purge_once() == 2
    assert store.transcript(1) == [] and store.transcript(2) == []
    store.close()


async def test_retention_runs_with_the_bot_and_stops_with_it(emu: Emulator, running: RunningBot) -> None:
    retention = running.parts.retention
    assert retention is not None and retention.days == 30
    assert retention._task is not None and not retention._task.done()


async def test_retention_task_purges_periodically(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "p.sqlite3"))
    store.add_transcript(1, "in", "text", "halo")
    later = time.time() + 40 * DAY
    retention = Retention(store, days=30, every=0.05, clock=lambda: later)
    await retention.start()
    await asyncio.sleep(0.1)
    store.add_transcript(1, "in", "text", "halo lagi")
    await asyncio.sleep(0.2)
    await retention.stop()
    assert store.transcript(1) == []
    store.close()


def test_retention_days_setting() -> None:
    assert load_settings({"TEMAN_IKD_TOKEN": TOKEN}, env_file=None).retention_days == 30
    assert load_settings({"TEMAN_IKD_TOKEN": TOKEN, "TEMAN_IKD_RETENTION_DAYS": "7"}, env_file=None).retention_days == 7
    for bad in ("0", "-3", "tiga", "99999"):
        with pytest.raises(SettingsError, match="TEMAN_IKD_RETENTION_DAYS"):
            load_settings({"TEMAN_IKD_TOKEN": TOKEN, "TEMAN_IKD_RETENTION_DAYS": bad}, env_file=None)
