"""/kirim <langkah>: an operator sends the resident a step of the guide (its own words, headed
"Langkah N dari 8") or the official store page with one command; the topic says what was sent."""

from __future__ import annotations

from tests.desk.test_desk import act, desk, escalate  # noqa: F401  (desk is a fixture)


async def test_kirim_sends_a_step_to_the_resident_and_logs_it_in_the_topic(desk) -> None:  # noqa: F811
    d, bot = desk
    siti = d.emu.resident("Siti")
    await escalate(bot, siti)
    thread = d.topic_of(bot.parts, siti)

    def topic() -> list[str]:
        return [m.get("text") or "" for m in d.group.messages_in(thread)]
    await act(bot, lambda: d.rina.command("kirim", "4", thread_id=thread))
    told = siti.inbox[-1]["text"]
    assert told.startswith("👤 Petugas Rina:") and "Langkah 4 dari 8" in told and "wajah" in told.lower()
    assert 'Langkah "Foto wajah" sudah dikirim ke warga.' in topic()[-1]
    await act(bot, lambda: d.rina.command("kirim", "pasang aplikasi", thread_id=thread))
    assert "Langkah 2 dari 8" in siti.inbox[-1]["text"]
    await act(bot, lambda: d.rina.command("kirim", "toko", thread_id=thread))
    assert "play.google.com/store/apps/details?id=gov.dukcapil.mobile_id" in siti.inbox[-1]["text"]
    # Without a step, or an unknown one: the operator gets the list, the resident nothing.
    before = len(siti.inbox)
    await act(bot, lambda: d.rina.command("kirim", thread_id=thread),
              lambda: d.rina.command("kirim", "99", thread_id=thread))
    assert len(siti.inbox) == before
    assert "Tulis /kirim lalu salah satu: 1 " in topic()[-1] and "4 Foto wajah" in topic()[-1] and "toko" in topic()[-1]
