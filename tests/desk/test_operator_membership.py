"""An operator's reply is never dropped because getChatMember failed: it is asked again, what was
known is used, and if nothing was the operator is told in the topic. Someone removed from the
operators' group loses operator powers at once (chat_member updates), not 300 s later."""

from __future__ import annotations

import logging

import pytest

from bot.desk import operators
from bot.emulator import Faults
from tests.desk.test_desk import act, desk, escalate  # noqa: F401 - the desk fixture


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(operators, "MEMBER_RETRY_DELAY", 0.05, raising=False)


@pytest.mark.parametrize("fault", ["500", "drop"])
async def test_a_known_operator_is_relayed_when_getchatmember_fails(desk, fault: str,  # noqa: F811
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    d, bot = desk
    siti = d.emu.resident("Siti")
    await escalate(bot, siti)
    thread = d.topic_of(bot.parts, siti)
    await act(bot, lambda: d.rina.send("Halo Bu Siti", thread_id=thread))  # Rina is known now
    monkeypatch.setattr(operators, "MEMBER_CACHE_SECONDS", 0.0)  # ... and that knowledge is old
    d.emu.faults = Faults(rate=1.0, kinds=(fault,), only=("getChatMember",))
    await act(bot, lambda: d.rina.send("Coba buka aplikasinya lagi ya Bu", thread_id=thread))
    d.emu.faults = None
    assert len(d.emu.calls("getChatMember")) >= 3  # asked again before falling back
    assert "Coba buka aplikasinya lagi ya Bu" in siti.inbox[-1]["text"]


async def test_an_unknown_operator_is_told_when_getchatmember_fails(desk, caplog) -> None:  # noqa: F811
    d, bot = desk
    siti = d.emu.resident("Siti")
    await escalate(bot, siti)
    thread = d.topic_of(bot.parts, siti)
    before = len(siti.inbox)
    d.emu.faults = Faults(rate=1.0, kinds=("500",), only=("getChatMember",))
    with caplog.at_level(logging.WARNING):
        await act(bot, lambda: d.rina.send("Halo Bu Siti", thread_id=thread))
    d.emu.faults = None
    assert len(siti.inbox) == before  # not relayed: nobody confirmed Rina may speak for the office
    assert "belum diteruskan" in d.texts_in(thread)  # ... and Rina knows, in the topic
    assert any("getChatMember" in r.getMessage() for r in caplog.records)
    await act(bot, lambda: d.rina.send("Halo Bu Siti", thread_id=thread))  # sent again: relayed
    assert "Halo Bu Siti" in siti.inbox[-1]["text"]


async def test_an_operator_removed_from_the_group_loses_powers_at_once(desk) -> None:  # noqa: F811
    d, bot = desk
    siti = d.emu.resident("Siti")
    await escalate(bot, siti)
    thread = d.topic_of(bot.parts, siti)
    await act(bot, lambda: d.rina.send("Halo Bu Siti", thread_id=thread))
    relayed = len(siti.inbox)
    await act(bot, lambda: d.group.remove(d.rina))
    await act(bot, lambda: d.rina.send("saya bukan petugas lagi", thread_id=thread))
    assert len(siti.inbox) == relayed
    assert "saya bukan petugas lagi" not in "".join(m["text"] for m in siti.inbox)
