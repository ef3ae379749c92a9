"""Buttons pressed on a card or a closing message older than 48 hours: Telegram sends the message
as an InaccessibleMessage (date 0, no thread, no text). A card from Friday pressed on Monday must
still act, in the resident's topic, and nothing may fail."""

from __future__ import annotations

import logging

import pytest

from tests.desk.test_desk import act, desk, escalate  # noqa: F401  (desk is a fixture)


def _old_press(d, data: str, message_id: int, query_id: str) -> dict:
    """What Telegram sends when a button under a message older than 48 hours is pressed."""
    with d.emu.world.lock:
        d.emu.world.callback_queries[query_id] = {"chat_id": d.group.chat_id, "answer": None}
    old = {"message_id": message_id, "date": 0, "chat": {"id": d.group.chat_id, "type": "supergroup"}}
    return {"callback_query": {"id": query_id, "from": {"id": d.rina.id, "is_bot": False, "first_name": "Rina"},
                               "chat_instance": "c", "data": data, "message": old}}


def _inline(message: dict) -> dict[str, str]:
    return {b["callback_data"].split(":")[1] if b["callback_data"].count(":") == 2 else b["text"]: b["callback_data"]
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row}


async def test_an_old_card_still_takes_the_ticket(desk, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    caplog.set_level(logging.WARNING)
    d, bot = desk
    siti = d.emu.resident("Siti")
    await escalate(bot, siti)
    thread = d.topic_of(bot.parts, siti)
    card = d.group.messages_in(thread)[0]
    take = _inline(card)["take"]
    await act(bot, lambda: d.emu.inject(_old_press(d, take, card["message_id"], "old-take")))
    assert d.emu.world.callback_queries["old-take"]["answer"] is not None
    assert bot.parts.adapter.store.active_ticket(siti.chat_id).operator_name == "Rina"
    assert "Rina" in siti.inbox[-1]["text"]  # the resident is told who took over
    assert bot.parts.adapter.store.unhandled_updates() == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_an_old_closing_message_still_records_the_outcome(desk, caplog) -> None:  # noqa: F811
    caplog.set_level(logging.WARNING)
    d, bot = desk
    siti = d.emu.resident("Siti")
    await escalate(bot, siti)
    thread = d.topic_of(bot.parts, siti)
    await act(bot, lambda: d.rina.command("selesai", thread_id=thread))
    closing = d.group.messages_in(thread)[-1]
    office = _inline(closing)["🏢 Harus ke kantor"]
    await act(bot, lambda: d.emu.inject(_old_press(d, office, closing["message_id"], "old-res")))
    store = bot.parts.adapter.store
    assert store.tickets_of(siti.chat_id)[-1].resolution == "office"
    assert "Hasil: 🏢 Harus ke kantor (dipilih Rina)" in d.group.messages_in(thread)[-1]["text"]
    assert store.unhandled_updates() == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
