"""settle() is what every end-to-end test waits on: it must not call a bot quiet while an update
still waits at the emulator (the race behind flaky button presses on a loaded machine)."""

from __future__ import annotations

from bot.emulator import Emulator
from bot.telegram.app import RunningBot


async def test_settle_waits_for_an_update_the_bot_has_not_fetched_yet(emu: Emulator, running: RunningBot) -> None:
    siti = emu.resident("Siti")
    updater = running.parts.application.updater
    assert updater is not None
    await updater.stop()  # the long poll is late: the update stays at the emulator
    siti.command("start")
    assert not await running.settle(0.5), "settle called the bot quiet with an update still waiting"
    assert siti.inbox == []
    await updater.start_polling(timeout=1, poll_interval=0.0, drop_pending_updates=False)
    assert await running.settle(15.0)
    assert "Teman IKD" in siti.inbox[-1]["text"]
