"""End to end on (emulated) Telegram: a resident who fell for a fake IKD app finds the help from
the problems menu, reads what to do now in order, and can reach a person at every step."""

from __future__ import annotations

from bot.emulator import Emulator
from bot.telegram.app import RunningBot


async def say(bot: RunningBot, action) -> None:
    action()
    assert await bot.settle(15.0), "the bot did not settle"


def labels(resident) -> list[str]:
    return [label for row in (resident.latest_keyboard or []) for label in row]


async def test_scam_victim_steps_in_order_with_a_person_at_each(emu: Emulator, running: RunningBot) -> None:
    wati = emu.resident("Wati")
    await say(running, lambda: wati.command("start", "problems"))
    assert "Ada masalah apa?" in wati.inbox[-1]["text"]
    await say(running, lambda: wati.press("❓ Masalah lain"))
    await say(running, lambda: wati.press("🚨 Saya kena tipu"))
    seen = [wati.inbox[-1]["text"]]
    for _ in range(3):
        assert "🙋 Bicara dengan petugas" in labels(wati)
        await say(running, lambda: wati.press("✅ Sudah"))
        seen.append(wati.inbox[-1]["text"])
    firsts = ["Pertama: matikan data seluler", "Kedua: hapus aplikasi", "Ketiga: telepon bank", "Terakhir: laporkan"]
    assert all(step in text for step, text in zip(firsts, seen, strict=True))
    assert "1500537" in seen[-1] and "(belum pasti" in seen[-1]  # the call centre, hedged (facts §4)
    await say(running, lambda: wati.press("🙋 Bicara dengan petugas"))
    conv = running.parts.adapter.store.load(wati.chat_id).conversation
    assert conv.handoff and conv.state == "pb_scam_report"
    assert "tidak akan meminta PIN atau kode" in wati.inbox[-1]["text"]
