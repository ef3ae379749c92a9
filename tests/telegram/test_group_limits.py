"""Each operators' group has its own budget of 20 messages in any minute (a sliding window),
counting only what posts or changes a message; a 429 for one group pauses that group only.
Time runs 60x faster here (a 1 s "minute")."""

from __future__ import annotations

import asyncio
import time

from telegram.error import RetryAfter

from bot.telegram.group_limits import GROUP_BURST, GroupBudgetLimiter

PERIOD = 1.0
A, B = -1001, -1002


def _limiter() -> GroupBudgetLimiter:
    return GroupBudgetLimiter(overall_max_rate=1, overall_time_period=1 / 1000, group_time_period=PERIOD)


async def _call(limiter, log, chat, endpoint="sendMessage", fail: list | None = None):
    async def callback():
        if fail:
            fail.pop()
            raise RetryAfter(1)
        log.append((chat, endpoint, time.monotonic()))
        return True
    return await limiter.process_request(callback, (), {}, endpoint, {"chat_id": chat}, None)


def _most_in_a_window(times: list[float]) -> int:
    times = sorted(times)
    return max(sum(1 for u in times if t <= u < t + PERIOD) for t in times)


async def test_two_groups_have_two_budgets_and_no_window_holds_more_than_twenty() -> None:
    limiter, log = _limiter(), []
    start = time.monotonic()
    await asyncio.gather(*(_call(limiter, log, chat) for chat in (A, B) for _ in range(30)))
    for chat in (A, B):
        times = sorted(t for c, _, t in log if c == chat)
        assert len(times) == 30 and _most_in_a_window(times) <= 20
        assert times[GROUP_BURST - 1] - times[0] < PERIOD / 20  # a burst goes at once ...
        gaps = [b - a for a, b in zip(times[GROUP_BURST - 1:], times[GROUP_BURST:], strict=False)]
        assert min(gaps) >= PERIOD / 20 * 0.9  # ... then the rest are spaced, never bunched at a minute's end
    # One group's 30 take at least 29 spacings (1.45 s): the two groups waited side by side.
    assert time.monotonic() - start < 2.5 * PERIOD


async def test_calls_that_post_nothing_do_not_use_the_budget() -> None:
    limiter, log = _limiter(), []
    first = time.monotonic()
    await asyncio.gather(*(_call(limiter, log, A) for _ in range(20)))  # the window is full
    start = time.monotonic()
    await asyncio.gather(*(_call(limiter, log, A, "getChatMember") for _ in range(10)),
                         _call(limiter, log, A, "answerCallbackQuery"), _call(limiter, log, 42))  # 42: a resident
    assert time.monotonic() - start < PERIOD / 2
    await _call(limiter, log, A, "createForumTopic")  # a new topic is a message: it waits for the window
    assert time.monotonic() - first >= PERIOD


async def test_a_429_for_one_group_pauses_that_group_only() -> None:
    limiter, log = _limiter(), []
    start = time.monotonic()
    refused = asyncio.create_task(_call(limiter, log, A, fail=[1]))  # Telegram: wait 1 s
    await asyncio.sleep(0.05)
    await asyncio.gather(*(_call(limiter, log, B) for _ in range(5)))
    assert time.monotonic() - start < 0.5  # B went on meanwhile
    assert await refused is True and time.monotonic() - start >= 1.0  # A waited and was sent
    assert [c for c, _, _ in log].count(A) == 1
