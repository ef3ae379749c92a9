"""Numbers from outside: ids and callback data that must fit before the bot uses them.

Telegram's ids fit in 52 bits and SQLite's integers in 64; callback data is written by the
client. A number that does not fit (or is written in other digits, "²" or "٣") is never passed
on: such an update is ignored by design and such a button is answered and does nothing.
"""

from __future__ import annotations

from telegram import Update

MAX_ID = 2**63 - 1


def small_number(text: str) -> int | None:
    """The number written in ``text`` (ASCII digits only) if it fits in 64 bits, else None.
    Callback data is written by the client, so "²", "٣" or a 30-digit number must not crash."""
    if not text or len(text) > 18 or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def ids_fit(update: Update) -> bool:
    """Whether every id the bot would store or answer to fits in 64 bits."""
    message = update.effective_message
    query = update.callback_query
    ids = (update.update_id,
           update.effective_chat.id if update.effective_chat else 0,
           update.effective_user.id if update.effective_user else 0,
           message.message_id if message else 0,
           (message.message_thread_id or 0) if message else 0,
           query.message.chat.id if query and query.message else 0)
    return all(-MAX_ID <= i <= MAX_ID for i in ids if isinstance(i, int))
