"""What the bot does while the database refuses writes (a full disk, an I/O error, a damaged file).

Every update is stored in a transaction of its own before Telegram is told it arrived (the
getUpdates offset, or the webhook's answer: bot/telegram/inbox.py), and every handled input is
one transaction (bot/telegram/adapter.py). When the database refuses one of those, nothing of it
happened and nothing may be confirmed: an update it could not store is held back from the
getUpdates offset (``unstored``: Telegram sends it again), an input it could not handle is
handled again later (``retry_later``), and both wait a back-off that doubles while the database
keeps refusing. The first refusal of an outage and the recovery are logged once each, so a full
disk does not also fill the log.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)
BACKOFF_START = 0.5  # seconds before the first retry after the database refused a write
BACKOFF_MAX = 30.0


def storage_refused(exc: BaseException) -> bool:
    """The database could not write (full, I/O error, locked, damaged): worth retrying later.
    Constraint and programming errors are bugs, not the storage's refusal."""
    return isinstance(exc, sqlite3.OperationalError) or type(exc) is sqlite3.DatabaseError


class Outage:
    """The state of an outage of the database's writes: what to hold back, what to retry, when."""

    def __init__(self) -> None:
        self.requeue: Callable[[Any], None] | None = None  # puts an update back in the update queue
        self.unstored: set[int] = set()  # update ids never committed: not to be confirmed
        self.failing = False
        self.backoff = BACKOFF_START
        self.max_backoff = BACKOFF_MAX
        self.refusals = 0  # writes the database refused (tests and benchmarks read it)
        self._retry: dict[int, Any] = {}  # refused: to be handled again after the back-off
        self._again: set[int] = set()  # handed back to the queue, not handled yet
        self._timer: asyncio.TimerHandle | None = None

    def stored(self, update_id: int) -> None:
        """Update ``update_id`` is committed: it may be confirmed to Telegram."""
        self.unstored.discard(update_id)

    def handled(self, update_id: int) -> None:
        """Update ``update_id`` was handled and committed. The outage is over once nothing waits
        to be handled again (a small write may succeed while bigger ones still fail: the end is
        declared only when every update held back has gone through, so it is logged once)."""
        self._again.discard(update_id)
        if self.failing and not self._retry and not self._again:
            self.failing = False
            self.backoff = BACKOFF_START
            log.warning("the database accepts writes again; the updates held back are being handled")

    def not_stored(self, update_id: int, exc: BaseException) -> None:
        """Storing the update failed: Telegram must not be told it arrived."""
        self.unstored.add(update_id)
        self._refused(exc)

    def retry_later(self, update: Any, exc: BaseException) -> None:
        """The database refused ``update``'s step: handle it again after the back-off."""
        self._again.discard(update.update_id)
        self._retry[update.update_id] = update
        self._refused(exc)

    def stop(self) -> None:
        """At shutdown: no more retries in this process (what was not handled waits for the next
        start: stored updates are requeued, unstored ones come again from Telegram)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.requeue = None

    async def pause(self) -> None:
        """Before asking Telegram for more while the database refuses writes: wait, not spin."""
        if self.failing:
            await asyncio.sleep(self.backoff)
            self.backoff = min(self.backoff * 2, self.max_backoff)

    def _refused(self, exc: BaseException) -> None:
        self.refusals += 1
        if not self.failing:
            self.failing = True
            log.error("the database refused to write (%s): nothing is confirmed to Telegram until it "
                      "accepts writes again; retrying with back-off", _reason(exc))
        # (The back-off grows once per round of retries, not once per update refused in a burst.)
        if self._retry and self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.backoff, self._handle_again)

    def _handle_again(self) -> None:
        self._timer = None
        self.backoff = min(self.backoff * 2, self.max_backoff)
        updates, self._retry = list(self._retry.values()), {}
        if self.requeue is None:
            return
        # If they commit, handled() ends the outage; if not, _refused() schedules the next round.
        self._again.update(update.update_id for update in updates)
        for update in updates:
            self.requeue(update)


def _reason(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
