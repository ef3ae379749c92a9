"""Reviewing escalated conversations end to end: the outcome chosen with buttons when a ticket
closes, /riwayat with earlier tickets (dates, steps, outcomes, notes, redacted), and the
resident's one-tap 👍/👎 shown in /statistik."""

from __future__ import annotations

from tests.desk.test_desk import act, desk, escalate  # noqa: F401  (desk is a fixture)


def _inline(message: dict) -> dict[str, str]:
    return {b["text"]: b["callback_data"]
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row}


async def test_outcome_buttons_on_closing_history_and_the_residents_rating(desk) -> None:  # noqa: F811
    d, bot = desk
    siti = d.emu.resident("Siti")
    await escalate(bot, siti)
    thread = d.topic_of(bot.parts, siti)
    await act(bot, lambda: d.rina.send("// NIK warga 3673041234560001, sudah dicek", thread_id=thread),
              lambda: d.rina.command("selesai", thread_id=thread))
    closing = d.group.messages_in(thread)[-1]
    buttons = _inline(closing)
    assert list(buttons) == ["✅ Terselesaikan", "🏢 Harus ke kantor", "🏠 Perlu kunjungan rumah",
                             "📵 Tidak bisa dihubungi"]
    await act(bot, lambda: d.rina.tap(buttons["🏢 Harus ke kantor"], message_id=closing["message_id"], force=True))
    store = bot.parts.adapter.store
    first = store.tickets_of(siti.chat_id)[-1]
    assert first.resolution == "office"
    edited = next(m for m in d.group.messages_in(thread) if m["message_id"] == closing["message_id"])
    assert "Hasil: 🏢 Harus ke kantor (dipilih Rina)" in edited["text"] and not _inline(edited)
    # The resident is asked once, with one tap, whether the help helped.
    ask = next(m for m in reversed(siti.inbox) if _inline(m))
    assert "membantu" in ask["text"]
    await act(bot, lambda: siti.tap(_inline(ask)["👍 Membantu"], message_id=ask["message_id"], force=True))
    assert "Terima kasih atas penilaiannya" in siti.inbox[-1]["text"]
    sent = len(siti.inbox)
    await act(bot, lambda: siti.tap(_inline(ask)["👎 Kurang membantu"], message_id=ask["message_id"], force=True))
    assert len(siti.inbox) == sent and store.tickets_of(siti.chat_id)[-1].rating == 1  # one rating per ticket
    # A second ticket: /riwayat lists both, with the outcome, the rating and the note, redacted.
    await act(bot, lambda: siti.command("bantuan"), lambda: d.rina.command("riwayat", thread_id=thread))
    history = d.group.messages_in(thread)[-1]["text"]
    assert "Riwayat tiket warga ini (2)" in history and f"#{first.id}" in history
    assert "Harus ke kantor" in history and "👍" in history and "hasil belum dipilih" in history
    assert "sudah dicek" in history and "3673041234560001" not in history and "3673••••••••0001" in history
    assert "2026" in history  # the date
    await act(bot, lambda: d.rina.command("statistik", thread_id=thread))
    stats = d.group.messages_in(thread)[-1]["text"]
    assert "1 harus ke kantor" in stats and "👍 1" in stats and "👎 0" in stats


async def test_a_forged_outcome_or_rating_changes_nothing(desk) -> None:  # noqa: F811
    d, bot = desk
    siti, budi = d.emu.resident("Siti"), d.emu.resident("Budi")
    await escalate(bot, siti)
    await escalate(bot, budi)
    t_siti = d.topic_of(bot.parts, siti)
    store = bot.parts.adapter.store
    budi_ticket = store.active_ticket(budi.chat_id).id
    await act(bot, lambda: d.rina.command("selesai", thread_id=t_siti))
    closing = d.group.messages_in(t_siti)[-1]
    # Budi's ticket id with an outcome, tapped under Siti's closing message: not Siti's ticket.
    update = {"callback_query": {"id": "f2", "from": {"id": d.rina.id, "is_bot": False, "first_name": "Rina"},
                                 "chat_instance": "c", "data": f"desk:res:{budi_ticket}:solved", "message": closing}}
    await act(bot, lambda: d.emu.inject(update))
    assert store.ticket(budi_ticket).resolution is None
    # Budi rating Siti's ticket from his own chat: ignored.
    siti_ticket = store.tickets_of(siti.chat_id)[-1].id
    forged = {"callback_query": {"id": "f3", "from": {"id": budi.chat_id, "is_bot": False, "first_name": "Budi"},
                                 "chat_instance": "c", "data": f"rate:{siti_ticket}:down",
                                 "message": {k: v for k, v in budi.inbox[-1].items() if k != "reply_markup"}}}
    await act(bot, lambda: d.emu.inject(forged))
    assert store.ticket(siti_ticket).rating is None


async def test_toko_sends_the_official_store_page_to_the_resident(desk) -> None:  # noqa: F811
    d, bot = desk
    siti = d.emu.resident("Siti")
    await escalate(bot, siti)
    thread = d.topic_of(bot.parts, siti)
    await act(bot, lambda: d.rina.command("toko", thread_id=thread))
    told = siti.inbox[-1]["text"]
    assert "play.google.com/store/apps/details?id=gov.dukcapil.mobile_id" in told and "Rina" in told
    assert "App Store" in told
