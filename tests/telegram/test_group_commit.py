"""Updates handled in one turn of the event loop share one commit, and stay independent.

When the bot comes back to a backlog (or a burst of residents writes at once), getUpdates
returns many updates together and each is handled in its own savepoint of one transaction. These
tests hold the bot back until the updates are waiting, so they arrive in one batch.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from telegram import Update
from telegram.ext import ExtBot

from bot.emulator import Emulator
from bot.telegram.app import RunningBot
from tests.conftest import make_parts


async def test_one_failing_update_in_a_burst_undoes_only_its_own_step(emu: Emulator, tmp_path: Path) -> None:
    residents = [emu.resident(f"Warga{i}") for i in range(6)]
    unlucky = residents[3]
    for resident in residents:
        resident.command("start")
    parts = make_parts(emu, tmp_path / "bot.sqlite3")
    guide = parts.adapter.guide
    handle = guide.handle
    commits: list[int] = []

    def failing_for_one(chat_id, inp, **kwargs):
        reply = handle(chat_id, inp, **kwargs)  # its writes happen, then the step fails
        if chat_id == unlucky.chat_id:
            raise RuntimeError("a bug in one resident's step")
        return reply

    guide.handle = failing_for_one
    store, commit, claim = parts.adapter.store, parts.adapter.turn.commit, parts.adapter.store.claim_update
    claimed: set[int] = set()

    def watching_claim(update_id: int) -> bool:
        claimed.add(update_id)
        return claim(update_id)

    def counting_commit() -> None:
        if claimed:  # how many updates this commit carries
            commits.append(len(claimed))
            claimed.clear()
        commit()

    store.claim_update = watching_claim
    parts.adapter.turn.commit = counting_commit
    async with RunningBot(parts) as bot:
        assert await bot.settle(15.0)
    apology = guide.renderers["id"].t.text("tg.error")
    for resident in residents:
        texts = [m["text"] for m in resident.inbox]
        if resident is unlucky:
            # The failed step left nothing behind: no welcome, no saved conversation; an apology.
            assert texts == [apology]
            assert parts.adapter.store.load(resident.chat_id) is None
        else:
            assert len(texts) == 1 and "Teman IKD" in texts[0]
            assert parts.adapter.store.load(resident.chat_id) is not None
    assert parts.adapter.store.unhandled_updates() == []  # every update claimed, the failed one too
    assert sum(commits) == len(residents) and max(commits) > 1  # the waiting updates shared commits
    parts.adapter.store.close()


def _stored_update_ids(db: Path) -> list[int]:
    # Another connection sees only what is committed: what a crash would leave.
    with sqlite3.connect(db) as con:
        return [r[0] for r in con.execute("SELECT update_id FROM inbox ORDER BY update_id")]


async def test_an_update_is_committed_before_telegram_is_told_it_arrived(emu: Emulator, tmp_path: Path,
                                                                         monkeypatch) -> None:
    db = tmp_path / "bot.sqlite3"
    parts = make_parts(emu, db)
    queue, bot = parts.queue, parts.application.bot
    stored_when_polled: list[list[int]] = []
    post = ExtBot._post

    async def watching_post(self, endpoint, *args, **kwargs):
        if endpoint == "getUpdates":  # the moment the request leaves, with its offset
            stored_when_polled.append(_stored_update_ids(db))
        return await post(self, endpoint, *args, **kwargs)

    monkeypatch.setattr(ExtBot, "_post", watching_post)
    siti = emu.resident("Siti")
    await parts.application.initialize()
    try:
        # Before polling has started (a webhook answers Telegram right after the put): at once.
        siti.send("halo")
        first = Update.de_json(emu.world.updates[-1], bot)
        queue.put_nowait(first)
        assert _stored_update_ids(db) == [first.update_id]
        # Polling: a stored update may wait for the end of its turn, but never for the next
        # getUpdates, whose offset confirms it to Telegram.
        parts.adapter.turn.polling = True
        siti.send("sdh pak")
        second = Update.de_json(emu.world.updates[-1], bot)
        queue.put_nowait(second)
        assert _stored_update_ids(db) == [first.update_id]  # not yet committed ...
        await bot.get_updates(offset=second.update_id + 1, timeout=0)
        assert stored_when_polled == [[first.update_id, second.update_id]]  # ... committed first
    finally:
        await parts.application.shutdown()
        parts.adapter.store.close()
