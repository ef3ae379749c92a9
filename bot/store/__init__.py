"""All SQL lives here (this package): conversations, transcript, processed inputs, inbox,
outbox, reminders, events, tickets.

SQLite by default (a path, ``sqlite:///path`` or ``:memory:``), in WAL mode, with versioned
migrations. Every handled input is all or nothing (:meth:`Store.transaction`: outermost a
transaction, nested always a savepoint), so a crash leaves either the whole step or none of it. Texts reach
this package already redacted. What every update touches is mirrored in memory (pending outbox
items, blocked residents, the conversations of residents talking now), committed values only,
so the bot's process must be the only writer of its database while it runs.

The store is one class made of parts, each in its own module: ``database`` (connection,
migrations, transactions), ``residents``, ``messages`` (inbox and outbox), ``desk`` (tickets), ``journey`` (anonymous journey events).
"""

from __future__ import annotations

from bot.store.database import Database
from bot.store.desk import DeskRecords
from bot.store.journey import JourneyRecords, JourneyRow
from bot.store.messages import MessageQueues
from bot.store.records import OutboxItem, StoredConversation, Ticket
from bot.store.residents import KEEP, Keep, ResidentRecords
from bot.store.schema import MIGRATIONS


class Store(ResidentRecords, MessageQueues, DeskRecords, JourneyRecords, Database):
    """One SQLite database holding everything the guide keeps. Safe to share between threads."""

    KEEP = KEEP


__all__ = ["KEEP", "MIGRATIONS", "JourneyRow", "Keep", "OutboxItem", "Store", "StoredConversation", "Ticket"]
