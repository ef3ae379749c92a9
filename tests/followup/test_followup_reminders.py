"""Issue 13, end to end on the emulator: reminders that fit the step, and the journey events.

The store's clock is moved by hand (days pass in a line); reminders are sent by the same
``Guide.send_due_reminders`` the bot's background task calls, and leave through the outbox.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.assembly import build_guide
from bot.emulator import Emulator
from bot.store import Store
from bot.telegram.app import RunningBot, build_application
from tests.conftest import TIME_SCALE, make_settings

WIB = ZoneInfo("Asia/Jakarta")
DAY = 86_400.0
CONTINUE, STOP, PERSON = "↩️ Lanjut panduan", "🔕 Jangan ingatkan lagi", "🙋 Petugas"


class Clock:
    def __init__(self, start: datetime):
        self.now = start.timestamp()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def bot(emu: Emulator, tmp_path: Path):
    # A Tuesday, 10:00 in Serang: not a holiday, in office hours.
    clock = Clock(datetime(2026, 11, 3, 10, 0, tzinfo=WIB))
    settings = make_settings(emu, tmp_path / "bot.sqlite3")
    store = Store(settings.database, clock=clock)
    guide = build_guide(store, locale="id", outbox=True, handoff_available=True)
    parts = build_application(settings, guide, chat_interval=1.0 / TIME_SCALE)
    async with RunningBot(parts) as running:
        running.clock = clock
        yield running
    store.close()


def labels(resident) -> list[str]:
    return [label for row in (resident.latest_keyboard or []) for label in row]


async def act(bot: RunningBot, action) -> None:
    action()
    assert await bot.settle(15.0), "the bot did not settle"


async def remind(bot: RunningBot) -> int:
    sent = bot.parts.adapter.guide.send_due_reminders()
    bot.parts.delivery.wake()
    assert await bot.settle(15.0)
    return sent


def kinds(store: Store) -> list[tuple[str, str | None, str | None]]:
    return [(r.kind, r.step, r.detail) for r in store.journey.rows()]


async def test_three_reminders_at_most_each_naming_the_step_with_three_buttons(emu: Emulator, bot) -> None:
    siti = emu.resident("Siti")
    await act(bot, lambda: siti.command("start"))
    await act(bot, lambda: siti.press(labels(siti)[0]))
    before = len(siti.inbox)
    store = bot.parts.adapter.store
    bot.clock.now += DAY - 60
    assert await remind(bot) == 0  # not before a day has passed
    bot.clock.now += 61
    assert await remind(bot) == 1
    text = siti.inbox[-1]["text"]
    assert "menunggu di langkah ini: Selamat datang" in text  # the step, by its name
    assert labels(siti)[:2] == [CONTINUE, STOP] and PERSON in labels(siti)
    sent = 1
    for _ in range(40):  # a month and more of silence, hour by hour in big steps
        bot.clock.now += DAY / 4
        sent += await remind(bot)
    assert sent == 3, "the schedule allows three reminders, no more"
    assert len(siti.inbox) == before + 3
    events = kinds(store)
    assert [e for e in events if e[0] == "stalled"] == [("stalled", events[-1][1], None)]
    assert [e[2] for e in events if e[0] == "reminder"] == ["1", "2", "3"]
    # Pressing "Lanjut panduan" brings the step back and counts as coming back after reminder 3.
    await act(bot, lambda: siti.press(CONTINUE))
    assert "menunggu" not in siti.inbox[-1]["text"] and CONTINUE not in labels(siti)
    assert ("came_back", events[-1][1], "3") in kinds(store)
    # Nothing in the aggregates names the resident.
    assert all(str(siti.chat_id) not in repr(r) and "Siti" not in repr(r) for r in store.journey.rows())


async def test_reminder_times_fall_in_the_day_and_the_spacing_follows_the_schedule(emu: Emulator, bot) -> None:
    siti = emu.resident("Siti")
    bot.clock.now = datetime(2026, 11, 3, 21, 30, tzinfo=WIB).timestamp()  # she answers late at night
    await act(bot, lambda: siti.command("start"))
    await act(bot, lambda: siti.press(labels(siti)[0]))
    moments = []
    for _ in range(60):
        bot.clock.now += 3600 * 3
        if await remind(bot):
            moments.append(datetime.fromtimestamp(bot.clock.now, WIB))
    assert len(moments) == 3
    assert all(8 <= m.hour < 19 + 3 for m in moments)  # checked every 3 hours: due within the day
    due = [datetime.fromtimestamp(t, WIB) for t in _due_times(bot)]
    assert due == []  # after the third, none is scheduled


def _due_times(bot: RunningBot) -> list[float]:
    row = bot.parts.adapter.store.db.execute(
        "SELECT remind_at FROM conversations WHERE remind_at IS NOT NULL").fetchall()
    return [r[0] for r in row]


async def test_stop_reminders_button_berhenti_and_blocking_stop_everything(emu: Emulator, bot) -> None:
    store = bot.parts.adapter.store
    ani, budi, cici = emu.resident("Ani"), emu.resident("Budi"), emu.resident("Cici")
    for person in (ani, budi, cici):
        await act(bot, lambda person=person: person.command("start"))
        await act(bot, lambda person=person: person.press(labels(person)[0]))
    bot.clock.now += DAY + 60
    assert await remind(bot) == 3
    await act(bot, lambda: ani.press(STOP))
    assert "pengingat tidak dikirim lagi" in ani.inbox[-1]["text"]
    await act(bot, lambda: budi.command("berhenti"))
    cici.block()
    await bot.settle(5.0)
    before = {p.chat_id: len(p.inbox) for p in (ani, budi, cici)}
    for _ in range(20):
        bot.clock.now += DAY
        assert await remind(bot) == 0
    assert {p.chat_id: len(p.inbox) for p in (ani, budi, cici)} == before
    stopped = sorted(e[2] for e in kinds(store) if e[0] == "stopped")
    assert stopped == ["blocked", "paused", "reminders"]


async def test_office_step_reminder_and_a_planned_visit_reminded_that_morning(emu: Emulator, bot) -> None:
    siti = emu.resident("Siti")
    # Friday 14:00: a day later is Saturday, the office is closed until Monday 08:00.
    bot.clock.now = datetime(2026, 11, 6, 14, 0, tzinfo=WIB).timestamp()
    await act(bot, lambda: siti.command("start", "officer_visit"))
    bot.clock.now = datetime(2026, 11, 9, 7, 59, tzinfo=WIB).timestamp()
    assert await remind(bot) == 0
    bot.clock.now = datetime(2026, 11, 9, 8, 0, tzinfo=WIB).timestamp()
    assert await remind(bot) == 1
    text = siti.inbox[-1]["text"]
    assert "Kantor buka" in text and "Bawa KTP-el dan ponsel" in text and "Ke kantor layanan" in text
    # She plans the visit: the next five open office days by name (from the day she writes).
    await act(bot, lambda: siti.press("📅 Pilih hari ke kantor"))
    days = [b for b in labels(siti) if b.startswith("📅")]
    assert len(days) == len(set(days)) == 5 and "📅 Sabtu" not in days and "📅 Minggu" not in days
    await act(bot, lambda: siti.press(days[1]))
    assert "sudah dicatat" in siti.inbox[-1]["text"]
    planned = date.fromisoformat(bot.parts.adapter.store.residents.load(siti.chat_id).conversation.fact("visit_day"))
    assert days[1].endswith(("Senin", "Selasa", "Rabu", "Kamis", "Jumat")[planned.weekday()])
    before = len(siti.inbox)
    bot.clock.now = datetime.combine(planned, time(6, 59), WIB).timestamp()  # that morning, before 07:00
    assert await remind(bot) == 0
    bot.clock.now = datetime.combine(planned, time(7, 0), WIB).timestamp()
    assert await remind(bot) == 1 and len(siti.inbox) == before + 1
    text = siti.inbox[-1]["text"]
    assert "Hari ini" in text and "berencana ke kantor" in text and "Bawa KTP-el dan ponsel" in text


async def test_erasing_data_removes_the_residents_journey_and_counts_the_deletion(emu: Emulator, bot) -> None:
    store = bot.parts.adapter.store
    siti, budi = emu.resident("Siti"), emu.resident("Budi")
    for person in (siti, budi):
        await act(bot, lambda person=person: person.command("start"))
        await act(bot, lambda person=person: person.press(labels(person)[0]))
    mine = len(kinds(store)) // 2
    await act(bot, lambda: siti.command("hapusdata"))
    await act(bot, lambda: siti.press(labels(siti)[0]))
    assert "dihapus" in siti.inbox[-1]["text"].lower()
    rows = store.db.execute("SELECT kind, resident FROM journey").fetchall()
    assert ("deleted", None) in rows
    assert len([r for r in rows if r[0] != "deleted"]) == mine  # only Budi's remain
    assert store.db.execute("SELECT COUNT(*) FROM journey WHERE resident = ?",
                      (store.journey.journey_key(siti.chat_id),)).fetchone()[0] == 0


async def test_a_sweep_that_comes_late_in_the_evening_waits_for_the_morning(emu: Emulator, bot) -> None:
    siti = emu.resident("Siti")
    bot.clock.now = datetime(2026, 11, 3, 18, 50, tzinfo=WIB).timestamp()
    await act(bot, lambda: siti.command("start"))
    await act(bot, lambda: siti.press(labels(siti)[0]))  # due Wednesday 18.50, inside the day
    bot.clock.now = datetime(2026, 11, 4, 19, 5, tzinfo=WIB).timestamp()  # the sweep runs after 19.00
    assert await remind(bot) == 0
    bot.clock.now = datetime(2026, 11, 5, 6, 59, tzinfo=WIB).timestamp()
    assert await remind(bot) == 0
    bot.clock.now = datetime(2026, 11, 5, 7, 0, tzinfo=WIB).timestamp()
    assert await remind(bot) == 1
