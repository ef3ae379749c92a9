"""Updates that carry an inaccessible message (date 0: a pinned or pressed message older than
48 hours) are stored in the durable inbox and handled; they used to stop polling for good,
because python-telegram-bot leaves that date a datetime in Update.to_dict()."""

from __future__ import annotations

import logging

import pytest

from bot.emulator import Emulator
from bot.telegram.app import RunningBot
from tests.telegram.test_e2e_journey import say


async def test_pinned_and_pressed_inaccessible_messages_keep_the_bot_polling(emu: Emulator, running: RunningBot,
                                                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    siti = emu.resident("Siti")
    await say(running, lambda: siti.command("start"))
    chat = {"id": siti.chat_id, "type": "private", "first_name": "Siti"}
    user = {"id": siti.chat_id, "is_bot": False, "first_name": "Siti"}
    old = {"message_id": 1, "date": 0, "chat": chat}
    with emu.world.lock:
        emu.world.callback_queries["cb-old"] = {"chat_id": siti.chat_id, "answer": None}
    await say(running, lambda: emu.inject({"message": {"message_id": 900, "date": 1, "chat": chat, "from": user,
                                                      "pinned_message": old}}))
    await say(running, lambda: emu.inject({"callback_query": {"id": "cb-old", "from": user, "chat_instance": "1",
                                                             "data": "b1:x", "message": old}}))
    await say(running, lambda: siti.send("halo"))
    assert emu.calls("answerCallbackQuery")
    assert len(siti.inbox) == 3  # the forged press was answered, and so was the next message
    assert running.parts.adapter.store.inbox.unhandled_updates() == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
