"""Two bot processes on one PostgreSQL database share Telegram's limits (bot/telegram/shared_limits.py):
an operators' group's 20 a minute is one budget for both, calls that post nothing in a group do not
wait for it, and a 429 for a group pauses that group for both. Each "worker" is a limiter on a Store
of its own, as in two processes. Time runs 60x faster here (a 1 s "minute")."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from telegram.error import RetryAfter

from bot.store import Store
from bot.store.slots import group_key
from bot.telegram.app import telegram_rate_limiter
from bot.telegram.group_limits import GroupBudgetLimiter
from bot.telegram.shared_limits import SharedBudgetLimiter

SCALE = 60.0
PERIOD = 60.0 / SCALE
A, B = -1001, -1002
RESIDENT = 42


@pytest.fixture
def workers(postgres_url: str) -> Iterator[list[SharedBudgetLimiter]]:
    stores = [Store(postgres_url), Store(postgres_url)]
    limiters = [telegram_rate_limiter(SCALE, store=store) for store in stores]
    assert all(isinstance(limiter, SharedBudgetLimiter) for limiter in limiters)
    yield limiters  # type: ignore[misc]
    for store in stores:
        store.close()


async def _call(limiter, log: list, chat, endpoint: str = "sendMessage", refused: asyncio.Event | None = None):
    async def callback():
        if refused is not None and not refused.is_set():
            refused.set()
            raise RetryAfter(1)
        log.append((chat, endpoint, time.monotonic()))
        return True
    data = {} if chat is None else {"chat_id": chat}
    return await limiter.process_request(callback, (), {}, endpoint, data, None)


def _most_in_a_window(times: list[float]) -> int:
    times = sorted(times)
    return max(sum(1 for u in times if t <= u < t + PERIOD) for t in times)


async def test_two_workers_share_one_groups_budget(workers: list[SharedBudgetLimiter]) -> None:
    log: list = []
    await asyncio.gather(*(_call(worker, log, A) for worker in workers for _ in range(25)))
    times = [t for _, _, t in log]
    assert len(times) == 50
    assert _most_in_a_window(times) <= 20  # each worker alone would allow 20: together 40


async def test_calls_that_post_nothing_do_not_wait_for_a_groups_budget(workers: list[SharedBudgetLimiter]) -> None:
    first, second = workers
    first.slots.pause(group_key(A), first.clock() + 60)  # group A's budget is spent for a (real) minute
    log: list = []
    calls = [_call(second, log, A, "getChatMember"), _call(second, log, A, "answerCallbackQuery"),
             _call(second, log, RESIDENT), _call(second, log, B), _call(second, log, None, "getUpdates")]
    assert all(await asyncio.wait_for(asyncio.gather(*calls), timeout=30))
    topic = asyncio.ensure_future(_call(first, log, A, "createForumTopic"))  # a new topic is a message
    await asyncio.sleep(0.5)
    assert not topic.done()
    topic.cancel()


async def test_a_429_for_one_group_pauses_that_group_for_every_worker(workers: list[SharedBudgetLimiter]) -> None:
    first, second = workers
    log: list = []
    refused = asyncio.Event()
    retried = asyncio.ensure_future(_call(first, log, A, refused=refused))  # Telegram to the first worker: wait 1 s
    await refused.wait()
    paused_at = time.monotonic()
    await asyncio.gather(_call(second, log, A), _call(second, log, B), retried)
    order = [chat for chat, _, _ in log]
    assert order[0] == B  # the other group went on meanwhile
    assert order.count(A) == 2 and len(order) == 3
    assert all(t - paused_at >= 1.0 for chat, _, t in log if chat == A)  # both workers waited for group A


async def test_sends_go_on_paced_by_each_worker_while_the_database_does_not_answer(
        workers: list[SharedBudgetLimiter]) -> None:
    first, _ = workers
    first.slots.db.close()
    log: list = []
    assert all(await asyncio.gather(*(_call(first, log, chat) for chat in (RESIDENT, A, A))))
    times = sorted(t for chat, _, t in log if chat == A)
    assert times[1] - times[0] >= PERIOD / 20  # the group's spacing, kept in this process


def test_sqlite_keeps_the_in_process_limiter(tmp_path) -> None:
    store = Store(str(tmp_path / "bot.sqlite3"))
    try:
        assert isinstance(telegram_rate_limiter(store=store), GroupBudgetLimiter)  # one process by design
    finally:
        store.close()
