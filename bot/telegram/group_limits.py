"""Each operators' group has its own send budget: 20 messages in any 60 s, counted as Telegram does.

python-telegram-bot's AIORateLimiter keeps one bucket per group, but its buckets are leaky
buckets (aiolimiter) as deep as their rate: 20 go out at once and then one every 3 s, which breaks
Telegram's "20 in any minute" and earns 429s. It also charges every call that names the group
(getChatMember, getChat, answerCallbackQuery, closing a topic) to that bucket, and a 429 anywhere
stalls every send of the bot, in every group.

``GroupBudgetLimiter`` keeps AIORateLimiter's overall limit and retries and changes three things:
- a group's budget is a sliding 60 s window of the calls that post or change a message in it
  (sends, copies, edits, a new topic: what Telegram and the emulator count), paced evenly (one
  every 3 s, ``GROUP_BURST``); other calls to the group (getChatMember, answering a button,
  closing a topic) only pass the overall limit;
- each group has its own window, so seven groups really give seven budgets;
- a 429 for a group pauses that group only; one for anything else pauses everything, as before.

The window is hand-written (a deque of times and a lock per group): aiolimiter, the library PTB
uses, only offers leaky buckets, and a 20-deep leaky bucket is exactly what overshoots.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

# Calls that put or change a message in a group (Telegram's 20/min counts these).
COUNTED_PREFIXES = ("send", "copyMessage", "forwardMessage", "editMessage", "createForumTopic")
GROUP_WINDOW = 60.0  # seconds
GROUP_BUDGET = 20  # messages per window, all topics together
# Sends that may go back to back; the rest are spaced evenly (one every 3 s). Measured with
# benchmarks/desk_capacity.py: a burst of 20 (the window alone) sustained 8 handoffs in one group,
# 5 sustained 10 in one group but 42 in seven, 1 sustained 10 and 56: at the budget's edge an
# even pace keeps the queue short, where a burst is paid for with a pause of up to a minute.
GROUP_BURST = 1
WINDOW_MARGIN = 0.02  # of the window: the two clocks (ours, Telegram's) never agree exactly
# Telegram allows 30 messages a second overall; sends spaced evenly at 28/s never put more than
# 30 in any second, with room for jitter (bot/telegram/app.py, telegram_rate_limiter).
OVERALL_PER_SECOND = 28


class GroupWindow:
    """A sliding window: at most ``budget`` sends in any ``period`` seconds, FIFO.

    A send counts from when it is asked for until ``period`` after its answer came back
    (``done``): Telegram counts it on arrival, somewhere in between, so a slow request can never
    make two sends look closer together to Telegram than they were here."""

    def __init__(self, budget: int, period: float, clock: Callable[[], float] = time.monotonic,
                 burst: int | None = None):
        self.budget = budget
        self.period = period
        self.clock = clock
        # Past this many sends in the window, the rest are spaced evenly (period / budget apart).
        self.burst = budget if burst is None else burst
        self._sends: list[list[float]] = []  # [time] per send: asked, then answered
        self._lock = asyncio.Lock()  # waiters are served in arrival order
        self.paused_until = 0.0  # a 429 for this group: nothing goes before then

    async def acquire(self) -> list[float]:
        async with self._lock:
            while True:
                now = self.clock()
                self._sends = [s for s in self._sends if now - s[0] < self.period]
                wait = self.paused_until - now
                if len(self._sends) >= self.budget:
                    wait = max(wait, min(s[0] for s in self._sends) + self.period - now)
                if len(self._sends) >= self.burst:
                    wait = max(wait, max(s[0] for s in self._sends) + self.period / self.budget - now)
                if wait <= 0:
                    slot = [now]
                    self._sends.append(slot)
                    return slot
                await asyncio.sleep(wait)

    def done(self, slot: list[float]) -> None:
        slot[0] = self.clock()

    def idle(self) -> bool:
        now = self.clock()
        return all(now - s[0] >= self.period for s in self._sends)


class GroupBudgetLimiter(AIORateLimiter):
    """AIORateLimiter with a true per-group window that counts only messages (module docstring)."""

    def __init__(self, *, overall_max_rate: float, overall_time_period: float, group_budget: int = GROUP_BUDGET,
                 group_time_period: float = GROUP_WINDOW, max_retries: int = 3):
        # The parent's own group buckets are switched off (group_max_rate=0): the windows below replace them.
        super().__init__(overall_max_rate=overall_max_rate, overall_time_period=overall_time_period,
                         group_max_rate=0, group_time_period=group_time_period, max_retries=max_retries)
        self.group_budget = group_budget
        self.group_period = group_time_period * (1 + WINDOW_MARGIN)
        self._windows: dict[int | str, GroupWindow] = {}
        self._retries = max_retries

    def window(self, group: int | str) -> GroupWindow:
        if len(self._windows) > 512:  # bounded memory: forget groups that sent nothing for a window
            for key in [k for k, w in self._windows.items() if k != group and w.idle()]:
                del self._windows[key]
        if group not in self._windows:
            self._windows[group] = GroupWindow(self.group_budget, self.group_period, burst=GROUP_BURST)
        return self._windows[group]

    async def process_request(self, callback: Callable[..., Coroutine[Any, Any, Any]], args: Any,
                              kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
                              rate_limit_args: int | None) -> Any:
        group = group_of(data.get("chat_id"))
        if group is None or not endpoint.startswith(COUNTED_PREFIXES):
            # Private chats, and calls that post nothing in a group: the parent's overall limit.
            return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
        window = self.window(group)
        retries = rate_limit_args or self._retries

        async def guarded(*call_args: Any, **call_kwargs: Any) -> Any:
            # A 429 must not reach the parent, whose retry pauses every group: it comes back as a value.
            try:
                return await callback(*call_args, **call_kwargs)
            except RetryAfter as exc:
                return _Refused(exc)

        for attempt in range(retries + 1):
            slot = await window.acquire()
            try:
                # The parent applies the overall limit (its group buckets are off).
                result = await super().process_request(guarded, args, kwargs, endpoint, data, rate_limit_args)
            finally:
                window.done(slot)
            if not isinstance(result, _Refused):
                return result
            if attempt == retries:
                raise result.error
            pause = result.seconds()
            log.info("group %s: Telegram asked to wait %.1f s; this group waits, the others go on", group, pause)
            window.paused_until = window.clock() + pause + 0.1
        raise AssertionError("unreachable")


class _Refused:
    def __init__(self, error: RetryAfter):
        self.error = error

    def seconds(self) -> float:
        return retry_seconds(self.error)


def retry_seconds(error: RetryAfter) -> float:
    """How long Telegram asked to wait, in seconds (an int, or a timedelta with PTB_TIMEDELTA)."""
    after = error.retry_after
    return float(after) if isinstance(after, (int, float)) else after.total_seconds()


def group_of(chat_id: Any) -> int | str | None:
    """The group a call is for (negative ids and @usernames are groups, as PTB decides)."""
    with contextlib.suppress(ValueError, TypeError):
        chat_id = int(chat_id)
    if (isinstance(chat_id, int) and chat_id < 0) or isinstance(chat_id, str):
        return chat_id
    return None
