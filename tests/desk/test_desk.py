"""The operator desk through the emulator with the real PTB Application: escalation, one topic
per resident, relays both ways, notes, permissions, finishing, hours, restarts, secrets, bursts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.emulator import Emulator
from bot.store import Store
from bot.telegram.app import RunningBot, build_bot
from tests.conftest import TIME_SCALE, make_settings

MONDAY_0900_WIB = datetime(2026, 11, 30, 2, 0, tzinfo=UTC).timestamp()
SATURDAY_1000_WIB = datetime(2026, 11, 28, 3, 0, tzinfo=UTC).timestamp()


class Desk:
    """One operators' forum group, Rina in it, and the bot running against the emulator."""

    def __init__(self, emu: Emulator, db: Path, clock: float = MONDAY_0900_WIB):
        self.emu, self.db, self.clock = emu, db, clock
        self.group = emu.forum_group("Operator IKD")
        self.rina = emu.operator(self.group, "Rina")

    def parts(self):
        settings = make_settings(self.emu, self.db, operator_chat=self.group.chat_id)
        parts = build_bot(settings, Store(str(self.db)), chat_interval=1.0 / TIME_SCALE)
        parts.adapter.store.clock = lambda: self.clock
        return parts

    def topic_of(self, parts, resident) -> int:
        topic = parts.adapter.store.topic_for(resident.chat_id)
        assert topic is not None, "no topic for this resident"
        return topic[0]

    def texts_in(self, thread: int) -> str:
        return "\n".join(m.get("text") or m.get("caption") or f"<{_kind(m)}>" for m in self.group.messages_in(thread))


def _kind(message: dict) -> str:
    return next((k for k in ("photo", "voice", "document", "sticker", "video") if k in message), "other")


@pytest.fixture
async def desk(emu: Emulator, tmp_path: Path) -> AsyncIterator[tuple[Desk, RunningBot]]:
    d = Desk(emu, tmp_path / "bot.sqlite3")
    parts = d.parts()
    async with RunningBot(parts) as bot:
        yield d, bot
    parts.adapter.store.close()


async def act(bot: RunningBot, *actions) -> None:
    for action in actions:
        action()
        assert await bot.settle(20.0)


def labels(resident) -> list[str]:
    return [label for row in (resident.latest_keyboard or []) for label in row]


async def escalate(bot, resident) -> None:
    await act(bot, lambda: resident.command("start"), lambda: resident.press(labels(resident)[-1]))


async def test_escalation_opens_a_titled_topic_with_a_card_and_tells_the_resident(desk) -> None:
    d, bot = desk
    siti = d.emu.resident("Siti")
    await escalate(bot, siti)
    thread = d.topic_of(bot.parts, siti)
    assert d.group.topics[thread]["name"].startswith("Siti · ")
    card = d.group.messages_in(thread)[0]
    assert "Tiket #" in card["text"] and "Siti" in card["text"]
    buttons = [b["callback_data"] for row in card["reply_markup"]["inline_keyboard"] for b in row]
    assert any(b.startswith("desk:take:") for b in buttons) and any(b.startswith("desk:finish:") for b in buttons)
    told = siti.inbox[-1]["text"]
    assert "petugas" in told.lower() and "antrean" in told.lower()  # in office hours: the queue place
    assert labels(siti) == ["↩️ Kembali ke panduan"]


@pytest.mark.parametrize("trigger", ["words", "command"])
async def test_escalation_by_words_and_command(desk, trigger: str) -> None:
    d, bot = desk
    budi = d.emu.resident("Budi")
    await act(bot, lambda: budi.command("start"))
    await act(bot, (lambda: budi.send("saya mau bicara dengan petugas")) if trigger == "words"
              else (lambda: budi.command("bantuan")))
    assert bot.parts.adapter.store.active_ticket(budi.chat_id) is not None
    assert d.topic_of(bot.parts, budi)


async def test_escalation_after_the_stuck_offer_and_with_the_photo_passed_on(desk) -> None:
    d, bot = desk
    ani = d.emu.resident("Ani")
    await act(bot, lambda: ani.command("start"), lambda: ani.send_media("photo"), lambda: ani.send("qwerty"))
    assert any("Ya" in label for label in labels(ani))  # the stuck offer
    await act(bot, lambda: ani.press(labels(ani)[0]))
    ticket = bot.parts.adapter.store.active_ticket(ani.chat_id)
    assert ticket is not None and ticket.reason == "stuck"
    assert "<photo>" in d.texts_in(d.topic_of(bot.parts, ani))  # the photo of the error screen went along


async def test_one_topic_when_first_messages_arrive_together(desk) -> None:
    d, bot = desk
    siti = d.emu.resident("Siti")
    await act(bot, lambda: siti.command("start"))
    siti.send("petugas")
    siti.send("tolong petugas")
    siti.command("bantuan")
    assert await bot.settle(20.0)
    assert len([t for t in d.group.topics.values() if not t["deleted"]]) == 1
    assert len(bot.parts.adapter.store.active_tickets()) == 1


async def test_relay_both_ways_with_media_and_internal_notes(desk) -> None:
    d, bot = desk
    siti = d.emu.resident("Siti")
    await escalate(bot, siti)
    thread = d.topic_of(bot.parts, siti)
    await act(bot, lambda: siti.send("kodenya ga masuk2 pak"), lambda: siti.send_media("photo"),
              lambda: siti.send_media("voice"))
    topic = d.texts_in(thread)
    assert "kodenya ga masuk2 pak" in topic and "<photo>" in topic and "<voice>" in topic
    before = len(siti.inbox)
    await act(bot, lambda: d.rina.send("Halo Bu Siti, coba cek folder Spam ya.", thread_id=thread),
              lambda: d.rina.send("// warga lansia, sabar", thread_id=thread),
              lambda: d.rina.command("catatan", "sudah dicek", thread_id=thread),
              lambda: d.rina.send_media("photo", thread_id=thread))
    new = siti.inbox[before:]
    texts = "\n".join(m.get("text") or "" for m in new)
    assert "Rina" in texts and "folder Spam" in texts  # joined + the reply
    assert "sabar" not in texts and "sudah dicek" not in texts  # internal notes stay internal
    assert any("photo" in m for m in new)
    store = bot.parts.adapter.store
    trail = [a for a, _, _ in store.audit_trail(store.active_ticket(siti.chat_id).id)]
    assert trail[:2] == ["opened", "taken"] and "note" in trail


async def test_non_member_cannot_act_and_general_chatter_is_left_alone(desk) -> None:
    d, bot = desk
    siti = d.emu.resident("Siti")
    await escalate(bot, siti)
    thread = d.topic_of(bot.parts, siti)
    stranger = {"id": 555001, "is_bot": False, "first_name": "Orang"}
    update = {"message": {"message_id": 90001, "date": 0, "from": stranger, "text": "/ambil",
                          "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                          "chat": {"id": d.group.chat_id, "type": "supergroup", "is_forum": True,
                                   "title": "Operator IKD"},
                          "message_thread_id": thread, "is_topic_message": True}}
    await act(bot, lambda: d.emu.inject(update))
    ticket = bot.parts.adapter.store.active_ticket(siti.chat_id)
    assert ticket.status == "open" and ticket.operator_id is None
    assert "hanya untuk petugas" in d.texts_in(thread)
    sent = len(siti.inbox)
    await act(bot, lambda: d.rina.send("rapat jam 10 ya"))  # General topic
    assert len(siti.inbox) == sent


async def test_forged_card_button_does_nothing(desk) -> None:
    d, bot = desk
    siti = d.emu.resident("Siti")
    await escalate(bot, siti)
    card = d.group.messages_in(d.topic_of(bot.parts, siti))[0]
    update = {"callback_query": {"id": "f1", "from": {"id": d.rina.id, "is_bot": False, "first_name": "Rina"},
                                 "chat_instance": "c", "data": "desk:end:99999", "message": card}}
    await act(bot, lambda: d.emu.inject(update))
    assert bot.parts.adapter.store.active_ticket(siti.chat_id) is not None


async def test_two_residents_never_cross(desk) -> None:
    d, bot = desk
    siti, budi = d.emu.resident("Siti"), d.emu.resident("Budi")
    await escalate(bot, siti)
    await escalate(bot, budi)
    t_siti, t_budi = d.topic_of(bot.parts, siti), d.topic_of(bot.parts, budi)
    assert t_siti != t_budi
    await act(bot, lambda: d.rina.send("untuk Siti", thread_id=t_siti),
              lambda: d.rina.send("untuk Budi", thread_id=t_budi),
              lambda: siti.send("dari Siti"), lambda: budi.send("dari Budi"))
    assert "untuk Siti" in str(siti.inbox) and "untuk Budi" not in str(siti.inbox)
    assert "untuk Budi" in str(budi.inbox) and "untuk Siti" not in str(budi.inbox)
    assert "dari Siti" in d.texts_in(t_siti) and "dari Budi" not in d.texts_in(t_siti)


async def test_finish_returns_the_resident_to_the_same_step_and_end_rests(desk) -> None:
    d, bot = desk
    siti = d.emu.resident("Siti")
    await act(bot, lambda: siti.command("start"), lambda: siti.press(labels(siti)[0]))
    step = bot.parts.adapter.store.load(siti.chat_id).conversation.state
    await act(bot, lambda: siti.command("bantuan"))
    thread = d.topic_of(bot.parts, siti)
    await act(bot, lambda: d.rina.command("ambil", thread_id=thread),
              lambda: d.rina.command("selesai", thread_id=thread))
    conv = bot.parts.adapter.store.load(siti.chat_id).conversation
    assert conv.state == step and not conv.handoff
    assert "selesai" in siti.inbox[-1]["text"].lower() and "🙋" in "".join(labels(siti))
    assert d.group.topics[thread]["closed"]
    # A second escalation reuses (reopens) the same topic; /tutup ends and the guide rests.
    await act(bot, lambda: siti.command("bantuan"))
    assert d.topic_of(bot.parts, siti) == thread and not d.group.topics[thread]["closed"]
    await act(bot, lambda: d.rina.command("tutup", thread_id=thread))
    conv = bot.parts.adapter.store.load(siti.chat_id).conversation
    assert not conv.handoff and conv.paused and conv.state == step


async def test_card_buttons_take_and_finish(desk) -> None:
    d, bot = desk
    siti = d.emu.resident("Siti")
    await escalate(bot, siti)
    thread = d.topic_of(bot.parts, siti)
    card = d.group.messages_in(thread)[0]
    data = {b["callback_data"].split(":")[1]: b["callback_data"]
            for row in card["reply_markup"]["inline_keyboard"] for b in row}
    await act(bot, lambda: d.rina.tap(data["take"], message_id=card["message_id"]))
    assert bot.parts.adapter.store.active_ticket(siti.chat_id).operator_name == "Rina"
    await act(bot, lambda: d.rina.tap(data["finish"], message_id=card["message_id"], force=True))
    assert bot.parts.adapter.store.active_ticket(siti.chat_id) is None


async def test_outside_office_hours_the_resident_is_told_when_people_are_back(emu: Emulator, tmp_path: Path) -> None:
    d = Desk(emu, tmp_path / "bot.sqlite3", clock=SATURDAY_1000_WIB)
    parts = d.parts()
    async with RunningBot(parts) as bot:
        siti = emu.resident("Siti")
        await escalate(bot, siti)
    parts.adapter.store.close()
    told = siti.inbox[-1]["text"]
    assert "di luar jam kantor" in told and "Senin, 30 November 2026 pukul 08.00 WIB" in told


async def test_restart_mid_handoff_keeps_relaying(emu: Emulator, tmp_path: Path) -> None:
    d = Desk(emu, tmp_path / "bot.sqlite3")
    parts = d.parts()
    async with RunningBot(parts) as bot:
        siti = emu.resident("Siti")
        await escalate(bot, siti)
        thread = d.topic_of(bot.parts, siti)
    parts.adapter.store.close()
    parts = d.parts()
    async with RunningBot(parts) as bot:
        await act(bot, lambda: d.rina.send("masih di sini, Bu", thread_id=thread), lambda: siti.send("terima kasih"))
    parts.adapter.store.close()
    assert "masih di sini" in siti.inbox[-1]["text"]
    assert "terima kasih" in d.texts_in(thread)


async def test_secret_during_handoff_is_deleted_and_reaches_the_topic_masked(desk) -> None:
    d, bot = desk
    siti = d.emu.resident("Siti")
    await escalate(bot, siti)
    thread = d.topic_of(bot.parts, siti)
    await act(bot, lambda: siti.send("nik saya 3673041234560001"))
    topic = d.texts_in(thread)
    assert "3673041234560001" not in topic and "3673••••••••0001" in topic
    assert d.emu.calls("deleteMessage")


async def test_a_burst_under_the_group_limit_loses_nothing(emu: Emulator, tmp_path: Path) -> None:
    d = Desk(emu, tmp_path / "bot.sqlite3")
    parts = d.parts()
    async with RunningBot(parts) as bot:
        siti = emu.resident("Siti")
        await escalate(bot, siti)
        thread = d.topic_of(bot.parts, siti)
        for i in range(30):
            siti.send(f"pesan nomor {i}")
        assert await bot.settle(60.0)
    parts.adapter.store.close()
    topic = d.texts_in(thread)
    assert all(f"pesan nomor {i}" in topic for i in range(30))


async def test_queue_statistics_and_reminders(desk) -> None:
    d, bot = desk
    siti = d.emu.resident("Siti")
    await escalate(bot, siti)
    thread = d.topic_of(bot.parts, siti)
    await act(bot, lambda: d.rina.command("antrian"), lambda: d.rina.command("statistik"))
    general = "\n".join(m["text"] for m in d.group.messages_in(None))
    assert "Antrean tiket terbuka: 1" in general and "Siti" in general and "Hari ini: 1" in general
    d.clock += 11 * 60  # eleven minutes, nobody answered
    assert bot.parts.adapter.guide.desk.check_service_levels(10) == 2
    bot.parts.delivery.wake()
    assert await bot.settle()
    assert "belum dijawab" in d.texts_in(thread)
    assert "belum sempat menjawab" in siti.inbox[-1]["text"]


async def test_deleted_topic_is_recreated(desk) -> None:
    d, bot = desk
    siti = d.emu.resident("Siti")
    await escalate(bot, siti)
    thread = d.topic_of(bot.parts, siti)
    await bot.parts.application.bot.delete_forum_topic(d.group.chat_id, thread)
    await act(bot, lambda: siti.send("halo masih ada?"))
    new_thread = d.topic_of(bot.parts, siti)
    assert new_thread != thread and "halo masih ada?" in d.texts_in(new_thread)


async def test_group_that_is_not_a_forum_is_refused_at_start(emu: Emulator, tmp_path: Path) -> None:
    from bot.desk.telegram import OperatorGroupError

    plain = emu.group("Bukan forum", bot_is_admin=True)
    settings = make_settings(emu, tmp_path / "bot.sqlite3", operator_chat=plain.chat_id)
    parts = build_bot(settings, Store(str(tmp_path / "bot.sqlite3")))
    with pytest.raises(OperatorGroupError, match="not a forum"):
        async with RunningBot(parts):
            pass


async def test_the_content_itself_sends_a_resident_to_a_person(desk) -> None:
    d, bot = desk
    siti = d.emu.resident("Siti")
    await act(bot, lambda: siti.command("start", "account_problems"))
    # Walk to the "account used on another device" step by its buttons, then take the step's own offer.
    for event in ("more", "other_device"):
        conv = bot.parts.adapter.store.load(siti.chat_id).conversation
        number = next(i for i, b in enumerate(conv.buttons) if b.event == event)
        await act(bot, lambda number=number: siti.press(labels(siti)[number]))
    assert bot.parts.adapter.store.load(siti.chat_id).conversation.state == "ap_other_device"
    await act(bot, lambda: siti.press("💬 Tanya ke petugas"))
    ticket = bot.parts.adapter.store.active_ticket(siti.chat_id)
    assert ticket is not None and ticket.reason == "content:ap_other_device"
    assert "perlu bantuan petugas" in d.texts_in(d.topic_of(bot.parts, siti))
