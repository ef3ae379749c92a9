"""End to end: residents on (emulated) Telegram, the real PTB Application, loopback HTTP."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.emulator import Emulator
from bot.telegram.app import RunningBot
from tests.journeys import button_path


async def say(bot: RunningBot, action) -> None:
    action()
    assert await bot.settle(15.0), "the bot did not settle"


def labels(resident) -> list[str]:
    return [label for row in (resident.latest_keyboard or []) for label in row]


async def test_whole_journey_by_buttons(emu: Emulator, running: RunningBot) -> None:
    engine = running.parts.adapter.guide.engines["id"]
    path = button_path(engine)
    siti = emu.resident("Siti")
    await say(running, lambda: siti.command("start"))
    assert "Teman IKD" in siti.inbox[-1]["text"]
    for number in path:
        await say(running, lambda number=number: siti.press(labels(siti)[number - 1]))
    stored = running.parts.adapter.store.load(siti.chat_id)
    assert engine.flow.states[stored.conversation.state].milestone == "activated"
    # Every reply carried a keyboard with a way to a person, and nothing arrived twice.
    assert all("🙋" in "".join(labels_of(m)) for m in siti.inbox if labels_of(m))
    assert len(siti.inbox) == len(path) + 1
    assert emu.stats["sends"] >= len(siti.inbox)


def labels_of(message: dict) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b["text"] if isinstance(b, dict) else b for row in markup.get("keyboard", []) for b in row]


async def test_registers_indonesian_commands(emu: Emulator, running: RunningBot) -> None:
    commands = emu.calls("setMyCommands")
    assert commands, "setMyCommands was not called"
    import json

    raw = commands[-1]["commands"]
    listed = json.loads(raw) if isinstance(raw, str) else raw
    names = {c["command"] for c in listed}
    assert {"start", "bantuan", "ulangi", "kembali", "berhenti", "hapusdata"} <= names
    assert all(c["description"] and c["description"] != f"cmd.{c['command']}" for c in listed)


async def test_deep_link_opens_the_milestone(emu: Emulator, running: RunningBot) -> None:
    budi = emu.resident("Budi")
    await say(running, lambda: budi.command("start", "account_problems"))
    stored = running.parts.adapter.store.load(budi.chat_id)
    assert running.parts.adapter.guide.flow.states[stored.conversation.state].milestone == "account_problems"


async def test_pause_and_resume_after_restart_of_the_conversation(emu: Emulator, running: RunningBot) -> None:
    ani = emu.resident("Ani")
    await say(running, lambda: ani.command("start"))
    await say(running, lambda: ani.press(labels(ani)[0]))
    before = running.parts.adapter.store.load(ani.chat_id).conversation.state
    await say(running, lambda: ani.command("berhenti"))
    assert running.parts.adapter.store.load(ani.chat_id).conversation.paused
    await say(running, lambda: ani.send("halo"))
    after = running.parts.adapter.store.load(ani.chat_id).conversation
    assert not after.paused and after.state == before


async def test_a_resident_who_went_quiet_gets_one_gentle_reminder(emu: Emulator, running: RunningBot) -> None:
    guide = running.parts.adapter.guide
    siti = emu.resident("Siti")
    await say(running, lambda: siti.command("start"))
    await say(running, lambda: siti.press(labels(siti)[0]))
    store = running.parts.adapter.store
    # Reminders go by day only: put the store on a Tuesday morning in Serang, whatever the time here.
    store.clock = lambda: datetime(2026, 11, 3, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta")).timestamp()
    store.set_reminder(siti.chat_id, store.clock() - 1)  # as if a day had passed in silence
    assert guide.send_due_reminders() == 1
    running.parts.delivery.wake()
    assert await running.settle()
    assert len(siti.inbox) == 3 and labels(siti)  # the nudge comes with the step's buttons again
    assert guide.send_due_reminders() == 0  # once, not every minute
