"""Every odd update gets a sensible outcome: a kind reply, or ignored by design; never a crash."""

from __future__ import annotations

import pytest

from bot.emulator import Emulator
from bot.telegram.app import RunningBot
from tests.telegram.test_e2e_journey import labels, say


@pytest.mark.parametrize("kind", ["sticker", "voice", "photo", "video", "document", "location", "contact"])
async def test_media_get_a_kind_reply_with_buttons_and_a_person(emu: Emulator, running: RunningBot, kind: str) -> None:
    siti = emu.resident("Siti")
    await say(running, lambda: siti.command("start"))
    await say(running, lambda: siti.send_media(kind))
    reply = siti.inbox[-1]
    assert reply["text"] and len(siti.inbox) == 2
    assert any("🙋" in label for label in labels(siti))


async def test_very_long_and_empty_looking_texts(emu: Emulator, running: RunningBot) -> None:
    siti = emu.resident("Siti")
    await say(running, lambda: siti.command("start"))
    await say(running, lambda: siti.send("tolong " * 680))  # 4080 characters
    await say(running, lambda: siti.send("\u200b"))  # zero-width space only
    assert len(siti.inbox) == 3 and all(m["text"] for m in siti.inbox)


async def test_edited_message_and_unknown_command(emu: Emulator, running: RunningBot) -> None:
    siti = emu.resident("Siti")
    await say(running, lambda: siti.command("start"))
    sent = siti.send("halo")
    await running.settle()
    await say(running, lambda: siti.edit(sent["message_id"], "sudah"))
    await say(running, lambda: siti.command("terbang"))
    assert len(siti.inbox) == 4
    assert "/terbang" not in siti.inbox[-1]["text"]


async def test_forged_callback_data_is_answered_and_ignored(emu: Emulator, running: RunningBot) -> None:
    siti = emu.resident("Siti")
    await say(running, lambda: siti.command("start"))
    state = running.parts.adapter.store.residents.load(siti.chat_id).conversation.state
    update = {"callback_query": {"id": "cb-1", "from": {"id": siti.chat_id, "is_bot": False, "first_name": "Siti"},
                                 "chat_instance": "x", "data": "b1:some_other_state",
                                 "message": {"message_id": siti.inbox[-1]["message_id"], "date": 0,
                                             "chat": {"id": siti.chat_id, "type": "private"}}}}
    await say(running, lambda: emu.inject(update))
    assert emu.calls("answerCallbackQuery"), "the callback was not answered"
    assert running.parts.adapter.store.residents.load(siti.chat_id).conversation.state == state
    assert len(siti.inbox) == 2  # "that button is no longer valid" and the current buttons


async def test_group_gets_a_private_chat_note_and_channel_posts_are_ignored(emu: Emulator, running: RunningBot) -> None:
    group = emu.group("Arisan RT 03")
    await running.settle()
    assert group.inbox and "pribadi" in group.inbox[-1]["text"].lower()
    await say(running, lambda: emu.channel_post("Info IKD"))
    assert running.parts.adapter.store.residents.count() == 0


async def test_blocked_resident_is_marked_inactive_and_not_sent_to(emu: Emulator, running: RunningBot) -> None:
    siti = emu.resident("Siti")
    await say(running, lambda: siti.command("start"))
    await say(running, lambda: siti.block())
    store = running.parts.adapter.store
    assert not store.residents.is_active(siti.chat_id)
    sends_before = emu.stats["sends"]
    store.outbox.enqueue(siti.chat_id, {"kind": "message", "text": "tes", "rows": []})
    running.parts.delivery.wake()
    await running.settle()
    assert emu.stats["sends"] == sends_before and emu.stats["403"] == 0


async def test_403_from_telegram_marks_inactive(emu: Emulator, running: RunningBot) -> None:
    siti = emu.resident("Siti")
    await say(running, lambda: siti.command("start"))
    store = running.parts.adapter.store
    await say(running, siti.block)
    # As if the block notice had been lost: the bot still thinks the resident is active.
    store.set_active(siti.chat_id, True)
    store.outbox.enqueue(siti.chat_id, {"kind": "message", "text": "tes", "rows": []})
    running.parts.delivery.wake()
    await running.settle()
    assert emu.stats["403"] >= 1
    assert not store.residents.is_active(siti.chat_id)
