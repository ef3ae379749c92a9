"""Telegram's limits held by several bot processes together, through their shared PostgreSQL database.

Why: Telegram counts what the bot sends, not what each process sends. Three workers, each with
the in-process limiter (bot/telegram/group_limits.py), would send up to three times 28 messages a
second, and three times an operators' group's 20 a minute: Telegram answers the excess with 429s
whose pauses stall residents' replies.

What is shared (table ``send_slots``, bot/store/slots.py): a schedule per key, the next moment a
send may go.
- ``all``: every call that names a chat, one every 1/28 s (``OVERALL_PER_SECOND``, the single
  process's figure: never more than 30 in any second). A call reserves its moment in the queue
  (one statement) and sleeps (asyncio) until then. One that wakes more than half a spacing late
  (the event loop was busy) would go out bunched with the next ones: it asks once more, at the
  end of the queue; the second moment it keeps, late or not, so a loaded loop slows sends down
  rather than starving them.
- ``group:<id>``: the calls an operators' group's budget counts (``COUNTED_PREFIXES``: sends,
  copies, edits, a new topic), one every 60/20 s plus ``WINDOW_MARGIN``: never 21 in a minute.
  The group's turn is *taken* when the call really goes, after its turn in ``all`` (a reserved
  group moment followed by a wait of seconds in a busy ``all`` queue would let two group sends
  bunch when that queue empties). So a group call waits until the group is free, then for its
  moment in ``all``, then takes the group, or, if another worker took it meanwhile, waits again.
  In each process a group's calls wait in line (a lock): only the first of each worker competes.
A 429 pauses the key it was for, for every worker: a group's key when that group's budget
refused, else ``all``; the call is then tried again (``max_retries``, as PTB's AIORateLimiter).

What stays per process: the pacing of each private chat (bot/telegram/delivery.py; one worker at
a time drains a chat's outbox), the pauses this process learned of (a call that reserved its
moment before a 429 asks again rather than go into the pause), the line of each group's calls,
and the fallback below.

Costs and choices: one small upsert per call that names a chat (three statements for a group's
message), each committed on its own, run on the event loop like every store call here (a
reservation: 0.24 ms median, 0.4 ms p99, on loopback PostgreSQL 15; 28 a second cost the loop
under 1%); calls without a chat (getUpdates, getMe, setMyCommands) pass untouched, as with
AIORateLimiter. Times
are the store's clock: the workers' clocks must agree (NTP), and it must run (a test that freezes
it must not run the bot on PostgreSQL: a group's turn would never come). Should the database not
answer, the moment comes from an in-process schedule with the same spacing, so messages already
claimed still leave until the database is back: each worker keeps the limits on its own, together
they may pass them, and the 429s that earns are waited out.

The interface is PTB's public ``BaseRateLimiter``, not AIORateLimiter's internals: the shared
schedule replaces its buckets whole.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Coroutine
from typing import Any, Protocol, TypeVar

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.store.slots import ALL_SENDS, SendSlots, group_key
from bot.telegram.group_limits import (
    COUNTED_PREFIXES,
    GROUP_BUDGET,
    GROUP_WINDOW,
    OVERALL_PER_SECOND,
    WINDOW_MARGIN,
    group_of,
    retry_seconds,
)

log = logging.getLogger(__name__)

PAUSE_MARGIN = 0.1  # seconds past Telegram's retry_after, as AIORateLimiter waits
LATE = 0.5  # of a spacing: a call that wakes later than this after its moment asks once more
T = TypeVar("T")


class Schedule(Protocol):
    """What the limiter asks of a schedule: store.slots, or the in-process fallback."""

    def reserve(self, key: str, spacing: float) -> float: ...
    def take(self, key: str, spacing: float) -> bool: ...
    def free_at(self, key: str) -> float: ...
    def pause(self, key: str, until: float) -> None: ...


class SharedBudgetLimiter(BaseRateLimiter[int]):
    """Every call that names a chat waits for its moments in the shared schedule (module docstring).

    ``time_scale`` speeds the clock up for the emulator's time-scaled limits."""

    def __init__(self, slots: SendSlots, *, time_scale: float = 1.0, max_retries: int = 3):
        self.slots = slots
        self.spacing = 1.0 / (OVERALL_PER_SECOND * time_scale)
        self.group_spacing = GROUP_WINDOW / GROUP_BUDGET * (1 + WINDOW_MARGIN) / time_scale
        self.max_retries = max_retries
        self._paused: dict[str, float] = {}  # key -> until (store clock): 429s this process saw
        self._lines: dict[str, asyncio.Lock] = {}  # group key -> this process's line of calls
        self._here = _ScheduleHere(slots.db.clock)  # while the database does not answer
        self._unreachable = False

    @property
    def clock(self) -> Callable[[], float]:
        return self.slots.db.clock

    async def initialize(self) -> None:
        """Nothing to open: the schedule lives in the store."""

    async def shutdown(self) -> None:
        """Nothing to close: the store is closed by its owner."""

    async def process_request(self, callback: Callable[..., Coroutine[Any, Any, Any]], args: Any,
                              kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
                              rate_limit_args: int | None) -> Any:
        chat_id = data.get("chat_id")
        if chat_id is None:  # getUpdates, getMe, setMyCommands: no chat, no limit (as AIORateLimiter)
            return await callback(*args, **kwargs)
        group = group_of(chat_id)
        key = group_key(group) if group is not None and endpoint.startswith(COUNTED_PREFIXES) else None
        retries = rate_limit_args or self.max_retries
        for attempt in range(retries + 1):
            if key is None:
                await self._wait_for_all()
            else:
                await self._take_group(key)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt == retries:
                    log.warning("%s: Telegram still asks to wait after %d tries; giving up this call", endpoint,
                                retries + 1)
                    raise
                self._pause(key or ALL_SENDS, retry_seconds(exc))
        raise AssertionError("unreachable")

    async def _wait_for_all(self) -> None:
        """Sleep until this call's moment in the queue of all sends."""
        asked_again = False
        while True:
            moment = self._ask(lambda s: s.reserve(ALL_SENDS, self.spacing))
            wait = moment - self.clock()
            if wait > 0:
                await asyncio.sleep(wait)
            if self._paused.get(ALL_SENDS, 0.0) > moment:
                continue  # a 429 arrived while this call waited, and its pause reaches past the moment
            if asked_again or self.clock() - moment <= LATE * self.spacing:
                return
            asked_again = True  # woke late: going now would bunch with the calls behind

    async def _take_group(self, key: str) -> None:
        """Wait until the group is free, then for a moment among all sends, then take the group."""
        line = self._lines.get(key)
        if line is None:
            if len(self._lines) > 512:  # bounded memory: forget the lines nobody waits in
                self._lines = {k: lock for k, lock in self._lines.items() if lock.locked()}
            line = self._lines[key] = asyncio.Lock()
        async with line:
            while True:
                wait = self._ask(lambda s: s.free_at(key)) - self.clock()
                if wait > 0:
                    await asyncio.sleep(wait)
                await self._wait_for_all()
                if self._ask(lambda s: s.take(key, self.group_spacing)):
                    return

    def _ask(self, question: Callable[[Schedule], T]) -> T:
        """The shared schedule's answer, or this process's while the database does not answer."""
        try:
            answer = question(self.slots)
        except sqlite3.Error as exc:  # the store's one family of errors, PostgreSQL's included
            if not self._unreachable:
                log.warning("the shared send schedule cannot be read (%s): pacing this worker alone until it can",
                            str(exc)[:120])
                self._unreachable = True
            return question(self._here)
        if self._unreachable:
            log.warning("the shared send schedule answers again")
            self._unreachable = False
        return answer

    def _pause(self, key: str, seconds: float) -> None:
        now = self.clock()
        until = now + seconds + PAUSE_MARGIN
        for stale in [k for k, t in self._paused.items() if t < now]:
            del self._paused[stale]  # bounded memory: only pauses still running are kept
        self._paused[key] = max(until, self._paused.get(key, 0.0))
        self._here.pause(key, until)
        where = "everything waits" if key == ALL_SENDS else "this group waits, the others go on"
        log.info("%s: Telegram asked to wait %.1f s; %s", key, seconds, where)
        self._ask(lambda s: s.pause(key, until))


class _ScheduleHere:
    """The same schedule in this process only: while the database does not answer, each worker
    keeps within Telegram's limits on its own."""

    def __init__(self, clock: Callable[[], float]):
        self.clock = clock
        self._next: dict[str, float] = {}

    def reserve(self, key: str, spacing: float) -> float:
        moment = max(self._next.get(key, 0.0), self.clock())
        self._next[key] = moment + spacing
        return moment

    def take(self, key: str, spacing: float) -> bool:
        now = self.clock()
        if self._next.get(key, 0.0) > now:
            return False
        self._next[key] = now + spacing
        return True

    def free_at(self, key: str) -> float:
        return self._next.get(key, 0.0)

    def pause(self, key: str, until: float) -> None:
        self._next[key] = max(self._next.get(key, 0.0), until)
