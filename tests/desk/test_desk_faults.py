"""The desk's faults found by trying it as a new operator would (issue 12), each end to end
through the emulator: `//` notes, a closed topic that still answers and lets the operator follow
up, the queue that talks back, the guard against asking a resident for a secret, the notice
on photos that may show a KTP."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.desk.test_desk import act, desk, escalate  # noqa: F401  (desk is a fixture)


async def test_a_note_written_with_slashes_is_saved_confirmed_and_never_relayed(desk) -> None:  # noqa: F811
    d, bot = desk
    siti = d.emu.resident("Siti")
    await escalate(bot, siti)
    thread = d.topic_of(bot.parts, siti)
    before = len(siti.inbox)
    await act(bot, lambda: d.rina.send("// warga lansia, pendengaran kurang", thread_id=thread))
    assert "Catatan disimpan" in d.texts_in(thread)
    assert not any("pendengaran" in (m.get("text") or "") for m in siti.inbox[before:])
    store = bot.parts.adapter.store
    notes = [r["text"] for r in store.transcripts.of(siti.chat_id) if r["direction"] == "note"]
    assert notes == ["warga lansia, pendengaran kurang"]
    assert "note" in [a for a, _, _ in store.tickets.audit_trail(store.tickets.active_for(siti.chat_id).id)]


async def test_a_closed_topic_still_answers_and_the_operator_can_follow_up(desk) -> None:  # noqa: F811
    d, bot = desk
    siti = d.emu.resident("Siti")
    await escalate(bot, siti)
    thread = d.topic_of(bot.parts, siti)
    await act(bot, lambda: d.rina.command("selesai", thread_id=thread))
    assert d.group.topics[thread]["closed"]
    await act(bot, lambda: d.rina.command("antrian", thread_id=thread))
    assert "Tidak ada tiket terbuka" in d.texts_in(thread) or "Antrean" in d.texts_in(thread)
    await act(bot, lambda: d.rina.command("statistik", thread_id=thread))
    assert "Hari ini: 1" in d.texts_in(thread)
    # A line to the resident after the ticket closed opens a follow-up ticket and reaches her.
    await act(bot, lambda: d.rina.send("Halo Bu Siti, sudah berhasil aktivasinya?", thread_id=thread))
    assert "sudah berhasil aktivasinya" in siti.inbox[-1]["text"]
    ticket = bot.parts.adapter.store.tickets.active_for(siti.chat_id)
    assert ticket is not None and ticket.reason == "followup" and ticket.operator_name == "Rina"
    assert "Tindak lanjut" in d.texts_in(thread)
    await act(bot, lambda: siti.send("sudah pak, terima kasih"))
    assert "sudah pak, terima kasih" in d.texts_in(thread)
    assert not d.group.topics[thread]["closed"]


async def test_a_waiting_resident_who_writes_hears_their_place_at_most_every_few_minutes(desk) -> None:  # noqa: F811
    d, bot = desk
    siti, budi = d.emu.resident("Siti"), d.emu.resident("Budi")
    await escalate(bot, budi)
    await escalate(bot, siti)
    thread = d.topic_of(bot.parts, siti)
    before = len(siti.inbox)
    await act(bot, lambda: siti.send("halo? ada orangnya?"))
    answer = siti.inbox[-1]["text"]
    assert len(siti.inbox) == before + 1 and "antrean" in answer.lower() and ": 2" in answer
    await act(bot, lambda: siti.send("pak?"), lambda: siti.send("tolong"))
    assert len(siti.inbox) == before + 1  # not a reply to every line
    d.clock += 4 * 60
    await act(bot, lambda: siti.send("masih lama?"))
    assert len(siti.inbox) == before + 2
    topic = d.texts_in(thread)
    assert all(line in topic for line in ("halo? ada orangnya?", "pak?", "tolong", "masih lama?"))  # nothing lost
    # Once an operator has joined, the resident talks to the person, not to the queue.
    await act(bot, lambda: d.rina.command("ambil", thread_id=thread))
    after = len(siti.inbox)
    d.clock += 10 * 60
    await act(bot, lambda: siti.send("baik bu"))
    assert len(siti.inbox) == after


async def test_outside_office_hours_the_waiting_resident_hears_when_people_are_back(emu, tmp_path) -> None:
    from bot.telegram.app import RunningBot
    from tests.desk.test_desk import SATURDAY_1000_WIB, Desk

    d = Desk(emu, tmp_path / "bot.sqlite3", clock=SATURDAY_1000_WIB)
    parts = d.parts()
    async with RunningBot(parts) as bot:
        siti = emu.resident("Siti")
        await escalate(bot, siti)
        before = len(siti.inbox)
        await act(bot, lambda: siti.send("halo? ada orangnya?"))
    parts.adapter.store.close()
    assert len(siti.inbox) == before + 1
    assert "Senin, 30 November 2026 pukul 08.00 WIB" in siti.inbox[-1]["text"]


@pytest.mark.parametrize("line", ["Bu, kode OTP nya berapa? kirim sini ya", "Boleh sebutkan PIN ibu?",
                                  "Tolong fotokan kode aktivasi dari email ya bu", "password emailnya apa bu?"])
async def test_an_operator_asking_for_a_secret_is_not_relayed_told_why_and_audited(desk, line: str) -> None:  # noqa: F811
    d, bot = desk
    siti = d.emu.resident("Siti")
    await escalate(bot, siti)
    thread = d.topic_of(bot.parts, siti)
    before = len(siti.inbox)
    await act(bot, lambda: d.rina.send(line, thread_id=thread))
    assert len(siti.inbox) == before  # the resident got nothing at all
    assert "tidak dikirim" in d.texts_in(thread).lower()
    store = bot.parts.adapter.store
    trail = store.tickets.audit_trail(store.tickets.active_for(siti.chat_id).id)
    assert "blocked_secret_request" in [a for a, _, _ in trail]


async def test_an_operator_line_holding_a_nik_is_not_relayed_nor_stored_raw(desk) -> None:  # noqa: F811
    d, bot = desk
    siti = d.emu.resident("Siti")
    await escalate(bot, siti)
    thread = d.topic_of(bot.parts, siti)
    before = len(siti.inbox)
    await act(bot, lambda: d.rina.send("Bu, NIK ibu 3201 2345 6789 0001 sudah saya cek ya", thread_id=thread))
    assert len(siti.inbox) == before  # the resident got nothing
    assert "tidak dikirim" in d.texts_in(thread).lower()
    store = bot.parts.adapter.store
    trail = store.tickets.audit_trail(store.tickets.active_for(siti.chat_id).id)
    assert "blocked_secret_request" in [a for a, _, _ in trail]
    store.close()
    raw = b"".join(p.read_bytes() for p in Path(store.path).parent.iterdir() if p.is_file())
    assert b"6789" not in raw


async def test_an_operator_warning_about_codes_is_relayed(desk) -> None:  # noqa: F811
    d, bot = desk
    siti = d.emu.resident("Siti")
    await escalate(bot, siti)
    thread = d.topic_of(bot.parts, siti)
    await act(bot, lambda: d.rina.send("Jangan berikan kode OTP ke siapa pun ya Bu, termasuk ke saya.",
                                       thread_id=thread))
    assert "Jangan berikan kode OTP" in siti.inbox[-1]["text"]


@pytest.mark.parametrize("kind", ["photo", "document"])
async def test_a_photo_from_the_resident_reaches_the_topic_with_a_notice_to_delete_it(desk, kind: str) -> None:  # noqa: F811
    d, bot = desk
    siti = d.emu.resident("Siti")
    await escalate(bot, siti)
    thread = d.topic_of(bot.parts, siti)
    await act(bot, lambda: siti.send_media(kind))
    messages = d.group.messages_in(thread)
    media_at = next(i for i, m in enumerate(messages) if kind in m)
    after = "\n".join(m.get("text") or "" for m in messages[media_at + 1:])
    assert "KTP" in after and "hapus" in after.lower()


async def test_the_usual_wait_is_told_once_today_has_enough_answers(desk) -> None:  # noqa: F811
    d, bot = desk
    answered = [d.emu.resident(name) for name in ("Ani", "Budi", "Cici")]
    for resident in answered:  # three earlier residents, each answered after 6 minutes
        await escalate(bot, resident)
        d.clock += 6 * 60
        await act(bot, lambda r=resident: d.rina.send("Halo, saya bantu ya", thread_id=d.topic_of(bot.parts, r)))
    siti = d.emu.resident("Siti")
    await escalate(bot, siti)
    assert "biasanya menjawab dalam 6 menit" in siti.inbox[-1]["text"]
    await act(bot, lambda: siti.send("halo? ada orangnya?"))
    assert "Nomor antrean" in siti.inbox[-1]["text"] and "biasanya menjawab dalam 6 menit" in siti.inbox[-1]["text"]


async def test_no_usual_wait_is_claimed_without_enough_answers(desk) -> None:  # noqa: F811
    d, bot = desk
    siti = d.emu.resident("Siti")
    await escalate(bot, siti)
    assert "Nomor antrean" in siti.inbox[-1]["text"] and "biasanya" not in siti.inbox[-1]["text"]
