"""Housekeeping that runs beside the bot: transcripts older than the retention are purged
(and, after a day, the records of handled updates and delivered messages); journey events
older than the retention lose their link to the resident (their counts stay).

Residents' transcripts are kept only as long as reviews need them (TEMAN_IKD_RETENTION_DAYS,
30 by default). One small asyncio task purges at start and then every ``every`` seconds; the
SQL itself is the store's (``store.transcripts.purge``). Stopped with the bot.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot.store import Store

log = logging.getLogger(__name__)
DAY = 86_400.0


class Retention:
    def __init__(self, store: Store, days: int = 30, every: float = 3600.0,
                 clock: Callable[[], float] | None = None):
        self.store = store
        self.days = days
        self.every = every
        # The store's clock by default: transcript times are written with it.
        self.clock = clock or (lambda: store.clock())
        self._task: asyncio.Task[None] | None = None

    def purge_once(self) -> int:
        """Delete transcript lines older than the retention; returns how many went. Handled
        updates' records (kept so a redelivery is recognised) and delivered messages go after a day."""
        now = self.clock()
        with self.store.transaction():  # one unit: all of it or, should the database refuse, none
            removed = self.store.transcripts.purge(now - self.days * DAY)
            self.store.purge_handled(now - DAY)
            self.store.visits.purge(now - self.days * DAY)  # home-visit addresses (bot/store/visits.py)
            # Journey events keep their counts but lose the link to the resident (bot/store/journey.py).
            self.store.journey.unlink(now - self.days * DAY)
        if removed:
            log.info("purged %d transcript line(s) older than %d days", removed, self.days)
        return removed

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="teman-ikd-retention")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                self.purge_once()
            except Exception:  # a locked or busy database must not end the loop
                log.exception("transcript purge failed; retrying later")
            await asyncio.sleep(self.every)
