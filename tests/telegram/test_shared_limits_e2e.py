"""Two bot processes on one PostgreSQL database, against one Telegram (the emulator, which answers
429 as Telegram does past 30 messages a second or 20 a minute in a group): a burst of replies to
many residents, and of handoffs into one operators' group, is sent by both, and Telegram refuses
nothing. Each worker handles its own residents (a load balancer's share), as in webhook mode."""

from __future__ import annotations

import asyncio

from bot.emulator import Emulator, Limits
from bot.engine.conversation import Input
from bot.store import Store
from bot.telegram.app import BotParts, RunningBot, build_bot, telegram_rate_limiter
from bot.telegram.shared_limits import SharedBudgetLimiter
from tests.conftest import TIME_SCALE, make_parts, make_settings


def _worker(emu: Emulator, url: str, group: int) -> BotParts:
    """One worker with the operators' group, its limiter on the emulator's 10x clock (make_parts
    keeps Telegram's real one, where a group's 20 a minute would make this test minutes long)."""
    store = Store(url)
    settings = make_settings(emu, url, operator_chat=group)  # type: ignore[arg-type]
    return build_bot(settings, store, chat_interval=1.0 / TIME_SCALE,
                     rate_limiter=telegram_rate_limiter(TIME_SCALE, store=store))


async def _both_settle(bots: list[RunningBot], timeout: float) -> bool:
    # Settled twice in a row: one worker's last send may be what the other was waiting for.
    for _ in range(2):
        if not all(await asyncio.gather(*(bot.settle(timeout) for bot in bots))):
            return False
    return True


async def test_two_workers_keep_the_overall_limit_together(postgres_url: str) -> None:
    # Real-time limits (30 messages a second): 120 residents start at once, 60 at each worker.
    with Emulator(limits=Limits(time_scale=1.0)) as emu:
        workers = [make_parts(emu, postgres_url) for _ in range(2)]  # type: ignore[arg-type]
        assert all(isinstance(w.application.bot.rate_limiter, SharedBudgetLimiter) for w in workers)
        residents = [emu.resident(f"Warga{i}") for i in range(120)]
        async with RunningBot(workers[0]) as first, RunningBot(workers[1]) as second:
            for number, resident in enumerate(residents):
                worker = workers[number % 2]
                worker.adapter.guide.handle(resident.chat_id, Input.commanded("start"))
            assert await _both_settle([first, second], 60.0)
        for worker in workers:
            worker.adapter.store.close()
    assert [len(r.inbox) for r in residents] == [1] * 120  # everyone welcomed, once
    # Both workers sent (either may send any chat's messages: a chat is leased to one at a time).
    assert sum(w.delivery.sent for w in workers) == 120 and all(w.delivery.sent for w in workers)
    assert emu.stats["429"] == 0  # Telegram never had to refuse: together within 30 a second


async def test_two_workers_share_the_operators_groups_budget(postgres_url: str) -> None:
    # 16 residents ask for a person at once, 8 at each worker: a topic and its first messages
    # each, more than 20 into one group, on a 10x clock (a group's "minute" is 6 s).
    with Emulator(limits=Limits(time_scale=TIME_SCALE)) as emu:
        group = emu.forum_group()
        workers = [_worker(emu, postgres_url, group.chat_id) for _ in range(2)]
        residents = [emu.resident(f"Warga{i}") for i in range(16)]
        async with RunningBot(workers[0]) as first, RunningBot(workers[1]) as second:
            for number, resident in enumerate(residents):
                guide = workers[number % 2].adapter.guide
                guide.handle(resident.chat_id, Input.commanded("start"))
                guide.handle(resident.chat_id, Input.commanded("bantuan"))
            assert await _both_settle([first, second], 120.0)
        for worker in workers:
            worker.adapter.store.close()
    topics = group.topics
    assert len(topics) == 16  # one topic per resident, each with the resident's card, once
    assert [len(group.messages_in(thread)) for thread in topics] == [1] * 16
    assert [len(r.inbox) for r in residents] == [2] * 16  # welcomed, then told a person will answer
    assert emu.stats["429"] == 0  # Telegram never had to refuse: together within 20 a minute
