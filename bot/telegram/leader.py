"""Which worker leads, and what only the leader does.

One bot may run as several processes ("workers") on one PostgreSQL database (the README's
deployment notes). Every worker handles what reaches it (webhook POSTs) and delivers the outbox
(a chat's sends leased to one worker at a time: bot/store/messages.py). A few things must be done
by exactly one of them, the leader:

- long polling: Telegram allows one getUpdates consumer at a time;
- at the lead's start, queueing what was stored and not handled (a crash, a leader that died);
- every ``SWEEP_EVERY`` seconds with several workers, the same for the updates a worker took in
  (answered Telegram's webhook) and died before handling: each worker holds a lock of its own
  (``alive:<its random id>``) on its leadership connection and names itself in the updates it
  keeps, so the leader queues a worker's updates again exactly when that lock is free: the
  worker is gone. A live worker's queue is never taken from it, however long it is;
- the periodic work: reminders, the desk's service levels, the retention purge.

The leader is whoever holds a PostgreSQL advisory lock (``leader``, named within the schema, so
two cities' bots in one database each have their own: bot/store/postgres.py) on a connection of its
own (psycopg's async connection, so waiting for it never blocks the event loop). A worker that
dies, even by kill -9, loses its connection and the lock with it; a standby tries every
``TRY_EVERY`` seconds and takes over at its next try. A leader that loses its connection (the
server restarted, the network broke) stops its duties at once and tries again. On SQLite the one
process always leads.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import sqlite3
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.assembly import desk_of
from bot.store.postgres import application_name, lock, psycopg_sql
from bot.telegram.outage import storage_refused

if TYPE_CHECKING:
    from bot.telegram.app import BotParts

log = logging.getLogger(__name__)
LEADER = "leader"  # the advisory lock the leader holds (named within the schema: postgres.lock)
TRY_EVERY = 1.0  # seconds between a standby's tries, and between the leader's looks at its connection
SWEEP_EVERY = 0.5  # seconds between looks for updates a dead worker left
ALIVE = "alive"  # "alive:<worker id>" is held by each live worker on its leadership connection
SERVICE_LEVEL_EVERY = 30.0  # seconds between checks for unanswered tickets
REMINDERS_EVERY = 60.0  # seconds between looks for residents who went quiet mid-journey


class Leadership:
    """Runs ``gained`` when this worker becomes the leader and ``lost`` when it stops being one
    (or is stopped). ``url``: the PostgreSQL database the workers share; None for SQLite."""

    def __init__(self, url: str | None, every: float = TRY_EVERY):
        self.url = url
        self.every = every
        self.leading = False
        self.tried = asyncio.Event()  # the first try is over: this worker leads, or another does
        # This worker among those sharing the database (None: SQLite, the only one).
        self.worker = secrets.randbelow(2**31 - 2) + 1 if url is not None else None
        self._conn: Any = None

    async def run(self, gained: Callable[[], Awaitable[None]], lost: Callable[[], Awaitable[None]]) -> None:
        """Until cancelled (then ``lost`` runs, if it led)."""
        if self.url is None:
            await self._lead(gained, lost, None)
            return
        import psycopg

        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self.url, autocommit=True, connect_timeout=10,
                                                                 application_name=application_name("standby")) as conn:
                    # "I am here": held as long as this connection lives
                    await conn.execute(psycopg_sql(lock("pg_advisory_lock")), (f"{ALIVE}:{self.worker}",))
                    self._conn = conn
                    while not await self._try(conn):
                        self.tried.set()
                        await asyncio.sleep(self.every)
                    try:
                        await self._lead(gained, lost, conn)
                    finally:
                        self._conn = None  # (closed with the block: nothing asks it any more)
            except (psycopg.Error, OSError, sqlite3.Error) as exc:
                # (The lock's connection failed, or starting the leader's work did: the lock is let
                # go with the connection, and taken again, by this worker or another, a moment later.)
                self.tried.set()
                log.warning("the lead is lost or cannot be taken now (%s); trying again",
                            str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
            await asyncio.sleep(self.every)

    async def gone(self, workers: set[int]) -> set[int]:
        """Which of these workers are gone (their ALIVE lock is free). Asked by the leader."""
        if self._conn is None:
            return set()
        dead = set()
        for worker in workers - {self.worker}:
            name = f"{ALIVE}:{worker}"
            row = await (await self._conn.execute(psycopg_sql(lock("pg_try_advisory_lock")), (name,))).fetchone()
            if row and row[0]:
                await self._conn.execute(psycopg_sql(lock("pg_advisory_unlock")), (name,))
                dead.add(worker)
        return dead

    @staticmethod
    async def _try(conn: Any) -> bool:
        row = await (await conn.execute(psycopg_sql(lock("pg_try_advisory_lock")), (LEADER,))).fetchone()
        return bool(row and row[0])

    async def _lead(self, gained: Callable[[], Awaitable[None]], lost: Callable[[], Awaitable[None]],
                    conn: Any) -> None:
        self.leading = True
        if conn is not None:  # pg_stat_activity shows who leads ("teman-ikd leader 4242")
            await conn.execute(f"SET application_name = '{application_name('leader')}'")
        try:
            try:
                await gained()
            finally:
                self.tried.set()
            while True:
                await asyncio.sleep(self.every)
                if conn is not None:
                    await conn.execute("SELECT 1")  # the lock lasts as long as this connection
        finally:
            self.leading = False
            await lost()


class Duties:
    """What the leader does (module docstring), started on ``gained`` and stopped on ``lost``."""

    def __init__(self, parts: BotParts, *, poll: Callable[[], Awaitable[None]] | None, sweep: bool):
        self.parts = parts
        self.poll = poll  # starts long polling (None with a webhook)
        self.sweep = sweep  # several workers may share the database: look for what a dead one left
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        parts = self.parts
        bot = parts.application.bot
        try:
            requeued = parts.queue.requeue_unhandled(bot)
        except Exception as exc:  # noqa: BLE001 -- the sweep (several workers) or the next start tries again
            _background_failed("queueing what was stored and not handled", exc)
            requeued = 0
        if requeued:
            log.info("requeued %d update(s) stored and not handled", requeued)
        self._every(REMINDERS_EVERY, "sending reminders", self._reminders)
        if parts.forums:
            self._every(SERVICE_LEVEL_EVERY, "the service-level check", self._service_levels)
        if self.sweep:
            self._every(SWEEP_EVERY, "the look for updates left behind", self._left_behind)
        if parts.retention is not None:
            await parts.retention.start()
        if self.poll is not None:
            await self.poll()
        log.info("this worker leads%s", " (long polling)" if self.poll is not None else "")

    async def stop(self) -> None:
        updater = self.parts.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self.parts.retention is not None:
            await self.parts.retention.stop()

    def _every(self, seconds: float, what: str, work: Callable[[], Awaitable[bool]]) -> None:
        async def loop() -> None:
            while True:
                await asyncio.sleep(seconds)
                try:
                    if await work():
                        self.parts.delivery.wake()
                except Exception as exc:  # noqa: BLE001 -- a background task logs and goes on; it must not die
                    _background_failed(what, exc)
        self._tasks.append(asyncio.create_task(loop(), name=f"teman-ikd {what}"))

    async def _reminders(self) -> bool:
        return bool(self.parts.adapter.guide.send_due_reminders())

    async def _service_levels(self) -> bool:
        return bool(desk_of(self.parts.adapter.guide).check_service_levels(self.parts.remind_minutes))

    async def _left_behind(self) -> bool:
        store, queue = self.parts.adapter.store, self.parts.queue
        for worker in await self.parts.leadership.gone(store.inbox.takers_of_unhandled()):
            requeued = queue.requeue_unhandled(self.parts.application.bot, taken_by=worker)
            if requeued:
                log.info("requeued %d update(s) a worker that is gone stored and did not handle", requeued)
        return False


def _background_failed(what: str, exc: Exception) -> None:
    """A full disk is reported once by the outage (bot/telegram/outage.py): one line here, no traceback
    every minute; anything else is a bug and keeps its traceback."""
    if storage_refused(exc):
        log.warning("%s waits: the database refuses writes (%s)", what, str(exc)[:120])
    else:
        log.exception("%s failed", what)
