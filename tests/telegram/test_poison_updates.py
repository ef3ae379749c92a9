"""An update python-telegram-bot cannot read is quarantined (stored masked, logged once, skipped);
the residents around it are answered as usual, and polling does not spin on it."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import pytest

from bot.emulator import Emulator
from bot.telegram.app import RunningBot
from tests.conftest import make_parts
from tests.telegram.test_e2e_journey import say

NIK = "3604014101500003"


def message(resident, **fields) -> dict:
    body = {"message_id": 900, "date": 1796000000, "text": f"nik saya {NIK}",
            "chat": {"id": resident.chat_id, "type": "private", "first_name": resident.user["first_name"]},
            "from": {"id": resident.id, "is_bot": False, "first_name": resident.user["first_name"]}}
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


def nested(depth: int) -> str:
    """A reply chain ``depth`` messages deep, as JSON text (no JSON library writes this)."""
    head = '{"message_id": 1, "date": 1796000000, "chat": {"id": 1, "type": "private"}, "reply_to_message": '
    return head * depth + '{"message_id": 1, "date": 1796000000, "chat": {"id": 1, "type": "private"}}' + "}" * depth


POISONS = {
    "missing date": lambda r: json.dumps(message(r, date=None)),
    "bad entity": lambda r: json.dumps(message(r, entities=[{"type": "bold"}])),
    "chat is not an object": lambda r: json.dumps(message(r, chat=r.chat_id)),
    "nested 5,000 deep": lambda r: nested(5000)[:-1] + f', "text": "nik saya {NIK}"' + "}",
}


@pytest.mark.parametrize("poison", list(POISONS))
async def test_a_poison_update_is_quarantined_and_everyone_else_is_answered(
        emu: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture, poison: str) -> None:
    parts = make_parts(emu, tmp_path / "bot.sqlite3")
    async with RunningBot(parts) as bot:
        siti, budi = emu.resident("Siti"), emu.resident("Budi")
        await say(bot, lambda: siti.command("start"))
        with caplog.at_level(logging.WARNING):
            siti.send("halo")
            bad_id = emu.inject_json("message", POISONS[poison](siti))
            budi.command("start")
            siti.send("apa kabar")
            calls_before = len(emu.calls("getUpdates"))
            assert await bot.settle(15.0)
            await asyncio.sleep(1.0)
            polls = len(emu.calls("getUpdates")) - calls_before
        quarantined = parts.adapter.store.quarantined()
    parts.adapter.store.close()
    assert len(siti.inbox) == 3 and len(budi.inbox) == 1  # nobody stalled behind the poison
    assert not emu.pending_updates  # confirmed, the poison too
    assert [q[0] for q in quarantined] == [bad_id]
    assert NIK not in quarantined[0][1]  # stored masked
    assert polls < 40  # polling waits as usual (hundreds a second before)
    lines = [r for r in caplog.records if "quarantined" in r.getMessage()]
    assert len(lines) == 1 and str(bad_id) in lines[0].getMessage()  # logged once
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # (PTB's own dump of the batch too)
