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
"""

from __future__ import annotations

import asyncio
import logging
from typing import Callable

from bot.store import Store

log = logging.getLogger(__name__)


class Turn:
    def __init__(self, store: Store, after_commit: Callable[[], None] = lambda: None):
        self.store = store
        self.after_commit = after_commit  # the delivery's wake: committed replies may leave
        self.polling = False  # set by the first getUpdates call (bot/telegram/inbox.py)
        self._open = None

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

    def commit(self) -> None:
        """Commit what this turn wrote: when the turn ends, or earlier when durability is due."""
        transaction, self._open = self._open, None
        if transaction is None:
            return
        try:
            self.store.write_sent()  # the delivery's sent-marks of this turn, in one statement
            transaction.__exit__(None, None, None)
        except Exception:
            # Nothing of this turn happened (the database refused it: a full disk, say).
            log.exception("could not commit the updates handled in this turn")
        self.after_commit()
