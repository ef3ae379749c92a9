"""Updates handled in one turn of the event loop share one commit, and stay independent.

When the bot comes back to a backlog (or a burst of residents writes at once), getUpdates
returns many updates together and each is handled in its own savepoint of one transaction. These
tests hold the bot back until the updates are waiting, so they arrive in one batch.
"""

from __future__ import annotations

from pathlib import Path

from bot.emulator import Emulator
from bot.telegram.app import RunningBot
from tests.telegram.conftest import make_parts


async def test_one_failing_update_in_a_burst_undoes_only_its_own_step(emu: Emulator, tmp_path: Path) -> None:
    residents = [emu.resident(f"Warga{i}") for i in range(6)]
    unlucky = residents[3]
    for resident in residents:
        resident.command("start")
    parts = make_parts(emu, tmp_path / "bot.sqlite3")
    guide = parts.adapter.guide
    handle = guide.handle
    commits = []

    def failing_for_one(chat_id, inp, **kwargs):
        reply = handle(chat_id, inp, **kwargs)  # its writes happen, then the step fails
        if chat_id == unlucky.chat_id:
            raise RuntimeError("a bug in one resident's step")
        return reply

    guide.handle = failing_for_one
    commit = parts.adapter._commit

    def counting_commit() -> None:
        commits.append(parts.adapter.store.count_pending())
        commit()

    parts.adapter._commit = counting_commit
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
    assert len(commits) < len(residents)  # the waiting updates shared commits
    parts.adapter.store.close()
