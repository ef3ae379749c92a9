"""All SQL lives here (this package): conversations, transcript, processed inputs, inbox,
outbox, reminders, events, tickets, journey events.

SQLite by default (a path, ``sqlite:///path`` or ``:memory:``), in WAL mode; PostgreSQL with
``postgresql://…`` (bot/store/postgres.py, issue 15). The same versioned migrations for both, the
schema version checked at start (a database written by a newer teman-ikd is refused). Every
handled input is all or nothing (:meth:`Store.transaction`: outermost a transaction, nested always
a savepoint), so a crash leaves either the whole step or none of it. Texts reach this package
already redacted.

``Store`` is a composition of small repositories over one :class:`Database` (the connection,
migrations, transactions, the clock). Each repository owns its tables and calls no other:

- ``store.residents`` (residents.py): conversations, profile, reminders, blocked or not;
- ``store.transcripts`` (transcripts.py): what was said, and the events log;
- ``store.inbox`` (inbox.py): updates kept before they are confirmed, claimed once; quarantine;
- ``store.outbox`` (messages.py): messages to send, and the delivery's queue of pending ones;
- ``store.tickets`` (desk.py): the operators' tickets, forum topics and audit trail;
- ``store.journey`` (journey.py): anonymous journey events for the supervisors' figures;
- ``store.visits`` (visits.py): home-visit requests (an address: personal, erased with the resident).

An operation that spans repositories (erasing a resident, a resident blocking the bot, the
retention purge) is a method here that calls each in one transaction.

Only committed values are ever read from memory, and there is one in-memory mirror: the
outbox's pending items on SQLite (bot/store/messages.py says why and its one rule). The residents'
conversations, who blocked the bot and the milestones reached are read from the database each
time: measured, a mirror of them saved too little for a resident to notice.

Several bot processes ("workers") may share one PostgreSQL database (the README's deployment
notes): the outbox mirror is then turned off (``SharedOutbox`` reads the database each time), and
what workers must not do at once they take turns at through the database's advisory locks
(``Database.lock_for_unit``: a chat's updates; ``Outbox.lease``: a chat's sends). On SQLite the
bot's one process is the only writer, as before.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.store.database import Database, _Transaction
from bot.store.desk import Tickets
from bot.store.inbox import Inbox
from bot.store.journey import Journey, JourneyRow
from bot.store.messages import Outbox, SharedOutbox
from bot.store.records import OutboxItem, StoredConversation, Ticket
from bot.store.residents import KEEP, Keep, Residents
from bot.store.schema import MIGRATIONS
from bot.store.transcripts import Transcripts
from bot.store.visits import HomeVisit, Visits


class Store:
    """Everything the guide keeps, in one database. Safe to share between threads."""

    KEEP = KEEP

    def __init__(self, url: str = ":memory:", clock: Callable[[], float] = time.time):
        self.db = Database(url, clock)
        self.residents = Residents(self.db)
        self.transcripts = Transcripts(self.db)
        self.inbox = Inbox(self.db)
        # Several workers may share a PostgreSQL database: its outbox keeps no mirror (messages.py).
        self.outbox = SharedOutbox(self.db) if self.db.shared else Outbox(self.db)
        self.tickets = Tickets(self.db)
        self.journey = Journey(self.db)
        self.visits = Visits(self.db)

    # ----- the unit of work and the connection (bot/store/database.py) --------------------
    @property
    def clock(self) -> Callable[[], float]:
        """Every timestamp the store writes comes from this clock (tests set it)."""
        return self.db.clock

    @clock.setter
    def clock(self, clock: Callable[[], float]) -> None:
        self.db.clock = clock

    @property
    def path(self) -> str:
        return self.db.path

    @property
    def schema_version(self) -> int:
        return self.db.schema_version

    @property
    def on_commit(self) -> Callable[[], None] | None:
        """Called after every commit of an outermost transaction (Database.on_commit): the bot's
        delivery, told that what was queued may now leave."""
        return self.db.on_commit

    @on_commit.setter
    def on_commit(self, action: Callable[[], None] | None) -> None:
        self.db.on_commit = action

    @property
    def in_transaction(self) -> bool:
        return self.db.in_transaction

    def transaction(self) -> _Transaction:
        """All writes inside happen together or not at all (Database.transaction)."""
        return self.db.transaction()

    def close(self) -> None:
        self.db.close()

    # ----- operations that span repositories ----------------------------------------------
    def erase_resident(self, chat_id: int) -> dict[str, int]:
        """/hapusdata: everything stored about this resident goes; how many rows of each kind."""
        with self.db.transaction():
            counts = {"conversations": self.residents.erase(chat_id)}
            counts.update(self.transcripts.erase(chat_id))
            counts.update(self.tickets.erase(chat_id))
            self.outbox.erase(chat_id)
            self.journey.erase(chat_id)
            counts["home_visits"] = self.visits.erase(chat_id)
        return counts

    def set_active(self, chat_id: int, active: bool) -> None:
        """A resident blocked the bot (False) or is reachable again; blocking stops everything, so
        it is counted in the funnel as "stopped"."""
        with self.db.transaction():
            where = self.residents.set_active(chat_id, active)
            if where is not None and not active:
                self.journey.add(chat_id, "stopped", where[0], where[1], detail="blocked")

    def purge_handled(self, older_than: float) -> int:
        """Forget handled updates, quarantined ones and delivered (or undeliverable) messages older than this."""
        with self.db.transaction():
            return self.inbox.purge(older_than) + self.outbox.purge(older_than)


__all__ = ["KEEP", "MIGRATIONS", "Database", "HomeVisit", "JourneyRow", "Keep", "OutboxItem", "Store",
           "StoredConversation", "Ticket"]
