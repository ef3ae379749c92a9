"""Every way a secret can enter, through the real bot with its operators' forum group (PTB against
the emulator, SQLite on disk, logs at DEBUG): texts however separated, a NIK over two messages,
edits, captions, command arguments, a NIK as the Telegram name, a shared contact and location,
and the same during a handoff. Afterwards no raw piece is in the database file, its -wal, the
logs, the operators' topic (its title, the card, relays, copied captions) or the resident's chat."""

from __future__ import annotations

import io
from pathlib import Path

from bot.emulator import Emulator
from bot.telegram.app import RunningBot
from tests.desk.test_desk import Desk, act, desk, labels  # noqa: F401  (desk: the fixture)

NAME_NIK = "3673041234569999"
# (what the resident types, raw pieces that must never be kept, shown or logged)
BEFORE = [
    ("nik saya 3673\n0412\n3456\n0001", ["0412\n3456", "04123456"]),
    ("3673\u200b0412\u200b3456\u200b0002", ["0412\u200b3456", "04123456"]),
    ("nik saya tiga enam tujuh tiga nol empat satu dua tiga empat lima enam nol nol nol tiga",
     ["nol empat satu dua tiga empat lima enam"]),
    ("kodenya 592-614", ["592-614"]),
    ("726 394", ["726 394"]),
    ("pin saya satu dua tiga empat lima enam", ["satu dua tiga empat lima enam"]),
    ("kode aktivasi AB12CD", ["AB12CD"]),
    ("password saya melati", ["melati"]),
    ("3673 0418", ["3673 0418"]),  # a NIK over two messages: the first part ...
    ("7654 3210", ["7654 3210"]),  # ... and the second
]
COMMANDS = [("tanya", "pin saya 246813", ["246813"]), ("ulangi", "NIK 3673 0412 3456 0005", ["0412 3456"]),
            ("start", "3673041234560006", ["3673041234560006", "04123456"])]
CAPTIONS = [("photo", "ini ktp saya nik 3673041234560007", ["3673041234560007", "04123456"]),
            ("document", "kk 3673 0412 3456 0008", ["0412 3456"])]
DURING = [("nik saya tiga enam tujuh tiga nol empat satu dua tiga empat lima enam nol nol nol sembilan",
           ["nol empat satu dua tiga empat lima enam"]),
          ("pass saya kenanga", ["kenanga"])]
DURING_CAPTION = ("photo", "pin saya 135790", ["135790"])
EDITED = ("nik 3673 0412 3456 0010", ["0412 3456"])


def _stored_bytes(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (db, db.with_name(db.name + "-wal")) if p.exists())


def _raws() -> list[str]:
    pieces = [NAME_NIK, "81234567890", "6.1204", "106.1503"]
    for group in (BEFORE, DURING, [EDITED]):
        pieces += [raw for _, raws in group for raw in raws]
    pieces += [raw for *_, raws in COMMANDS + CAPTIONS + [DURING_CAPTION] for raw in raws]
    return pieces


async def test_no_secret_survives_anywhere_it_can_enter(emu: Emulator, tmp_path: Path,
        debug_logs: io.StringIO) -> None:
    db = tmp_path / "bot.sqlite3"
    d = Desk(emu, db)
    parts = d.parts()
    async with RunningBot(parts) as bot:
        siti = emu.resident(NAME_NIK, last_name="pin 246813", username="nik3673041234569999")
        await act(bot, lambda: siti.command("start"))
        secret_messages = []
        for text, _ in BEFORE:
            secret_messages.append(siti.send(text))
            assert await bot.settle(20.0)
        for command, argument, _ in COMMANDS:
            secret_messages.append(siti.command(command, argument))
            assert await bot.settle(20.0)
        for kind, caption, _ in CAPTIONS:
            secret_messages.append(siti.send_media(kind, caption=caption))
            assert await bot.settle(20.0)
        harmless = siti.send("halo")
        assert await bot.settle(20.0)
        siti.edit(harmless["message_id"], EDITED[0])
        assert await bot.settle(20.0)
        await act(bot, lambda: siti.send_media("contact"), lambda: siti.send_media("location"))
        # Now a person: the topic gets the card (the last lines), then what she sends, relayed.
        await act(bot, lambda: siti.send("saya mau bicara dengan petugas"))
        thread = d.topic_of(parts, siti)
        during = []
        for text, _ in DURING:
            during.append(siti.send(text))
            assert await bot.settle(20.0)
        photo = siti.send_media(DURING_CAPTION[0], caption=DURING_CAPTION[1])
        assert await bot.settle(20.0)
        await act(bot, lambda: siti.send_media("contact"), lambda: siti.send_media("location"))
        store = parts.adapter.store
        transcript = store.transcripts.of(siti.chat_id, 500)
    store.close()

    logs = debug_logs.getvalue()
    assert "Calling Bot API endpoint" in logs or "getUpdates" in logs  # DEBUG logging was really on
    stored = _stored_bytes(db)
    topic_messages = d.group.messages_in(thread)
    topic = "\n".join(str(m.get("text") or m.get("caption") or "") for m in topic_messages)
    title = d.group.topics[thread]["name"]
    leaks = [(raw, where) for raw in _raws()
             for where, haystack in (("database", stored), ("logs", logs.encode()), ("topic", (topic + title).encode()))
             if raw.encode() in haystack]
    assert leaks == []
    # The name became the topic's title masked; the card and the relays show masked forms.
    assert title.startswith("3673" + "•" * 8 + "9999")
    assert "•" in topic and "pass saya ••••••" in topic
    # Every message with a secret left the resident's chat, the edited one too, and the photo
    # sent during the handoff went to the operators first, with its caption masked.
    for message in secret_messages + during + [harmless, photo]:
        assert siti.chat.messages[message["message_id"]].get("deleted"), message.get("text") or message.get("caption")
    # A shared contact and location are said, not copied: the number masked, no coordinates.
    assert "membagikan nomor telepon: +6281•••••••90" in topic and "membagikan lokasinya" in topic
    assert not [m for m in topic_messages if "contact" in m or "location" in m]
    copied = [m for m in topic_messages if "photo" in m]
    assert copied and copied[-1].get("caption") == "pin saya ••••••"
    # What was kept is masked; the words around the secret stay readable for the operator.
    kept = "\n".join(row["text"] for row in transcript if row["direction"] == "in")
    assert "/tanya pin saya ••••••" in kept and "photo ini ktp saya nik 3673" in kept


async def test_a_photo_sent_before_asking_for_a_person_goes_along_with_its_caption_masked(emu: Emulator,
                                                                                            tmp_path: Path) -> None:
    d = Desk(emu, tmp_path / "bot.sqlite3")
    parts = d.parts()
    async with RunningBot(parts) as bot:
        ani = emu.resident("Ani")
        await act(bot, lambda: ani.command("start"),
                  lambda: ani.send_media("photo", caption="layar error, wa saya 081234567890"))
        budi = emu.resident("Budi")
        await act(bot, lambda: budi.command("start"),
                  lambda: budi.send_media("photo", caption="ktp saya 3673041234560011"))
        for resident in (ani, budi):
            await act(bot, lambda resident=resident: resident.send("saya mau bicara dengan petugas"))
        ani_topic = d.group.messages_in(d.topic_of(parts, ani))
        budi_topic = d.group.messages_in(d.topic_of(parts, budi))
    parts.adapter.store.close()
    photos = [m for m in ani_topic if "photo" in m]
    assert len(photos) == 1 and photos[0]["caption"] == "layar error, wa saya 0812••••••90"
    # Budi's photo held his NIK: deleted from his chat at once, so nothing was left to pass on.
    assert not [m for m in budi_topic if "photo" in m]
    assert "3673041234560011" not in "\n".join(str(m.get("text")) for m in budi_topic)


async def test_erasing_during_a_handoff_closes_the_ticket_deletes_the_topic_and_says_what_went(desk) -> None:  # noqa: F811
    d, bot = desk
    siti = d.emu.resident("Siti")
    await act(bot, lambda: siti.command("start"), lambda: siti.send("saya mau bicara dengan petugas"))
    thread = d.topic_of(bot.parts, siti)
    await act(bot, lambda: siti.send("tolong saya bingung"), lambda: d.rina.send("Halo Bu", thread_id=thread))
    await act(bot, lambda: siti.command("hapusdata"))
    assert "Hapus semua data" in siti.inbox[-1]["text"]
    assert "hapusdata" not in d.texts_in(thread)  # the question is the guide's, never relayed
    await act(bot, lambda: siti.press("🗑 Ya, hapus"))
    store = bot.parts.adapter.store
    assert store.residents.load(siti.chat_id) is None and store.tickets.active_for(siti.chat_id) is None
    assert store.transcripts.of(siti.chat_id) == [] and store.tickets.topic_for(siti.chat_id) is None
    assert d.group.topics[thread]["deleted"] and d.group.messages_in(thread) == []
    told = siti.inbox[-1]["text"]
    assert "Yang sudah saya hapus" in told and "percakapan dengan petugas" in told
    assert "permintaan bantuan ke petugas" in told and "Ya, hapus" not in d.texts_in(thread)
    general = "\n".join(m["text"] for m in d.group.messages_in(None))
    assert "Tiket #1 ditutup" in general and "Siti" not in general  # operators learn why, nothing personal
    # The operator writing into the old topic reaches nobody; the resident starts afresh.
    await act(bot, lambda: siti.command("start"))
    assert "Teman IKD" in siti.inbox[-1]["text"]


async def test_saying_no_to_erasing_during_a_handoff_keeps_waiting_for_the_person(desk) -> None:  # noqa: F811
    d, bot = desk
    siti = d.emu.resident("Siti")
    await act(bot, lambda: siti.command("start"), lambda: siti.send("saya mau bicara dengan petugas"))
    thread = d.topic_of(bot.parts, siti)
    await act(bot, lambda: siti.command("hapusdata"), lambda: siti.press("Tidak" if "Tidak" in labels(siti)
                                                                          else labels(siti)[1]))
    assert "tidak dihapus" in siti.inbox[-1]["text"]
    assert labels(siti) == ["↩️ Kembali ke panduan"]
    assert bot.parts.adapter.store.tickets.active_for(siti.chat_id) is not None
    await act(bot, lambda: siti.send("masih menunggu"))
    assert "masih menunggu" in d.texts_in(thread) and not d.group.topics[thread]["deleted"]


async def test_erasing_after_a_finished_handoff_deletes_the_topic_too(desk) -> None:  # noqa: F811
    d, bot = desk
    siti = d.emu.resident("Siti")
    await act(bot, lambda: siti.command("start"), lambda: siti.send("saya mau bicara dengan petugas"))
    thread = d.topic_of(bot.parts, siti)
    await act(bot, lambda: d.rina.send("Sudah beres ya Bu", thread_id=thread),
              lambda: d.rina.command("selesai", thread_id=thread))
    assert d.group.topics[thread]["closed"]
    await act(bot, lambda: siti.command("hapusdata"), lambda: siti.press("🗑 Ya, hapus"))
    assert d.group.topics[thread]["deleted"]
    assert "percakapan dengan petugas" in siti.inbox[-1]["text"]
