"""Group commit: the store's writes of one turn of the event loop share one SQLite commit.

A burst of residents arrives as many updates at once (getUpdates returns up to 100). Each needs
its update stored, its step taken and its replies queued; committing each of those separately
cost more than anything else the bot adds to python-telegram-bot. Instead the first write of a
turn opens a transaction, every later write of the turn joins it (each update's step in its own
savepoint, so one failing step undoes only itself), and the transaction commits when the turn
ends. Replies reach the delivery only once committed, so none leaves before its step is stored.

An update only has to be stored before Telegram is told it arrived. With long polling that is
the next getUpdates call (its offset): RawUpdatesBot commits the turn before making it, and from
the first such call on, storing an update waits for its turn's commit. Before polling has
started (and with a webhook, whose answer follows the put at once) each update is committed on
its own as it arrives. A crash before a commit loses that turn's steps and replies together,
and its updates, never confirmed, come again.

When the database refuses a write (a full disk: SQLite's "database or disk is full", an I/O
error, a damaged file), nothing of that turn happened and nothing may be confirmed: the updates
it stored are held back from the getUpdates offset (``unstored``: Telegram sends them again),
the updates it handled are handled again later (``requeue``), and both wait a back-off that
doubles while the database keeps refusing. The first refusal of an outage and the recovery are
logged once each, so a full disk does not also fill the log.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from typing import Any, Callable

from bot.store import Store

log = logging.getLogger(__name__)
BACKOFF_START = 0.5  # seconds before the first retry after the database refused a write
BACKOFF_MAX = 30.0


def storage_refused(exc: BaseException) -> bool:
    """The database could not write (full, I/O error, locked, damaged): worth retrying later.
    Constraint and programming errors are bugs, not the storage's refusal."""
    return isinstance(exc, sqlite3.OperationalError) or type(exc) is sqlite3.DatabaseError


class Turn:
    def __init__(self, store: Store, after_commit: Callable[[], None] = lambda: None):
        self.store = store
        self.after_commit = after_commit  # the delivery's wake: committed replies may leave
        self.polling = False  # set by the first getUpdates call (bot/telegram/inbox.py)
        self._open = None
        # Fault handling (module docstring): what this turn stored and handled, what must come again.
        self.requeue: Callable[[Any], None] | None = None  # the update queue's put_nowait
        self.unstored: set[int] = set()  # update ids never committed: not to be confirmed
        self.failing = False
        self.backoff = BACKOFF_START
        self.max_backoff = BACKOFF_MAX
        self.refusals = 0  # commits or steps the database refused (tests and benchmarks read it)
        self._kept: list[int] = []
        self._handled: list[Any] = []
        self._retry: dict[int, Any] = {}
        self._timer: asyncio.TimerHandle | None = None

    def join(self) -> None:
        """Writes from here to the end of this turn commit together."""
        if self._open is None:
            transaction = self.store.transaction()
            transaction.__enter__()
            self._open = transaction
            asyncio.get_running_loop().call_soon(self.commit)

    def step(self):
        """One update's writes, all or none (a savepoint), in this turn's transaction."""
        self.join()
        return self.store.savepoint()

    def kept(self, update_id: int) -> None:
        """Update ``update_id`` was stored in this turn's transaction (confirmable once committed)."""
        self._kept.append(update_id)

    def handled(self, update: Any) -> None:
        """``update`` was handled in this turn's transaction (handled again if it fails to commit)."""
        self._handled.append(update)

    def not_stored(self, update_id: int, exc: BaseException) -> None:
        """Storing the update failed outright: Telegram must not be told it arrived."""
        self.unstored.add(update_id)
        self._refused(exc)

    def retry_later(self, update: Any, exc: BaseException) -> None:
        """The database refused ``update``'s step: handle it again after the back-off."""
        self._retry[update.update_id] = update
        self._refused(exc)

    def commit(self) -> bool:
        """Commit what this turn wrote: when the turn ends, or earlier when durability is due.
        False if the database refused it (then nothing of this turn happened)."""
        transaction, self._open = self._open, None
        kept, self._kept = self._kept, []
        handled, self._handled = self._handled, []
        if transaction is None:
            return not self.failing
        marks = self.store.outbox.take_sent()
        error: BaseException | None = None
        try:
            self.store.outbox.write_sent(marks)  # the delivery's sent-marks of this turn, in one statement
        except Exception as exc:
            error = exc
        try:
            # Always ended (committed, or rolled back after a failure), or the store would stay
            # inside this transaction for good.
            transaction.__exit__(type(error) if error else None, error, error.__traceback__ if error else None)
        except Exception as exc:
            error = error or exc
        if error is not None:
            exc = error
            if not storage_refused(exc):
                log.error("could not commit the updates handled in this turn", exc_info=exc)
            self.store.outbox.keep_sent_for_later(marks)  # the messages did leave: mark them next time
            self.unstored.update(kept)
            for update in handled:
                self._retry[update.update_id] = update
            self._refused(exc)
            self.after_commit()
            return False
        self.unstored.difference_update(kept)
        if self.failing and not self._retry:
            self.failing = False
            self.backoff = BACKOFF_START
            log.warning("the database accepts writes again; the updates held back are being handled")
        self.after_commit()
        return True

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

    # ----- refusals -------------------------------------------------------------------------
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
        # If this batch commits, commit() ends the outage; if not, _refused() schedules the next.
        for update in updates:
            self.requeue(update)


def _reason(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
