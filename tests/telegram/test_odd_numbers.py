"""Numbers nobody should send: callback data with a number beyond 64 bits (or in other digits),
ids beyond 64 bits, a private-chat button pressed "by" someone else. Every button is answered,
nothing crashes, nothing is done for the wrong chat."""

from __future__ import annotations

import logging

import pytest

from bot.emulator import Emulator
from bot.telegram.app import RunningBot
from tests.desk.test_desk import act, desk, escalate  # noqa: F401 - the desk fixture
from tests.telegram.test_e2e_journey import say

HUGE = str(2**64 + 5)


@pytest.mark.parametrize("ticket", [HUGE, "9" * 30, "²", "٣"])
async def test_a_forged_card_button_is_answered_and_does_nothing(desk, ticket: str,  # noqa: F811
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    d, bot = desk
    siti = d.emu.resident("Siti")
    await escalate(bot, siti)
    thread = d.topic_of(bot.parts, siti)
    card = d.group.messages_in(thread)[0]
    with caplog.at_level(logging.ERROR):
        query = d.rina.tap(f"desk:take:{ticket}", message_id=card["message_id"], force=True)
        assert await bot.settle(15.0)
    answered = [c for c in d.emu.calls("answerCallbackQuery") if c["callback_query_id"] == query["id"]]
    assert answered, "the operator's button keeps spinning"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert bot.parts.adapter.store.active_ticket(siti.chat_id).status == "open"  # nothing taken
    # The desk still works: the real button takes the ticket.
    real = next(b["callback_data"] for row in card["reply_markup"]["inline_keyboard"] for b in row
                if b["callback_data"].startswith("desk:take:"))
    await act(bot, lambda: d.rina.tap(real, message_id=card["message_id"], force=True))
    assert bot.parts.adapter.store.active_ticket(siti.chat_id).operator_name == "Rina"


@pytest.mark.parametrize("head", [HUGE, "²"])
async def test_a_forged_resident_button_is_answered_kindly(emu: Emulator, running: RunningBot, head: str,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    siti = emu.resident("Siti")
    await say(running, lambda: siti.command("start"))
    state = running.parts.adapter.store.load(siti.chat_id).conversation.state
    with caplog.at_level(logging.ERROR):
        query = siti.tap(f"b{head}:{state}", message_id=siti.inbox[-1]["message_id"], force=True)
        assert await running.settle(15.0)
    assert [c for c in emu.calls("answerCallbackQuery") if c["callback_query_id"] == query["id"]]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(siti.inbox) == 2 and siti.inbox[-1]["text"]  # a kind reply, as for any unknown press


async def test_a_button_pressed_by_someone_else_in_a_private_chat_acts_for_nobody(emu: Emulator,
                                                                                  running: RunningBot) -> None:
    siti, budi = emu.resident("Siti"), emu.resident("Budi")
    await say(running, lambda: siti.command("start"))
    await say(running, lambda: budi.command("start"))
    store = running.parts.adapter.store
    before = store.load(siti.chat_id).conversation
    query = {"id": "forged-1", "from": dict(budi.user), "chat_instance": "1", "data": f"b1:{before.state}",
             "message": {k: v for k, v in siti.inbox[-1].items() if k != "reply_markup"}}
    emu.world.callback_queries["forged-1"] = {"chat_id": budi.chat_id, "answer": None}
    await say(running, lambda: emu.inject({"callback_query": query}))
    assert store.load(siti.chat_id).conversation == before  # nothing done for Siti
    assert len(siti.inbox) == 1 and len(budi.inbox) == 1  # nobody got a message
    assert [c for c in emu.calls("answerCallbackQuery") if c["callback_query_id"] == "forged-1"]


async def test_ids_beyond_64_bits_are_ignored_without_a_crash(emu: Emulator, running: RunningBot,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    siti = emu.resident("Siti")
    huge = 2**63 + 7
    stranger = {"id": huge, "is_bot": False, "first_name": "X"}
    with caplog.at_level(logging.WARNING):
        emu.inject({"message": {"message_id": 1, "date": 1796000000, "text": "/start",
                                "chat": {"id": huge, "type": "private"}, "from": stranger}})
        emu.inject({"message": {"message_id": huge, "date": 1796000000, "text": "halo",
                                "chat": {"id": siti.chat_id, "type": "private"}, "from": dict(siti.user)}})
        await say(running, lambda: siti.command("start"))
    assert len(siti.inbox) == 1  # the next resident is answered as usual
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len([r for r in caplog.records if "beyond 64 bits" in r.getMessage()]) == 2
