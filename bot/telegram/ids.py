"""Numbers from outside: ids that must fit before the bot uses them.

Telegram's ids fit in 52 bits and SQLite's integers in 64. An update with an id that does not
fit is never passed on: it is ignored by design. (Numbers in callback data, which the client
writes, are read by bot/vocabulary.py's parse_callback with the same 64-bit rule.)
"""

from __future__ import annotations

from telegram import Update

MAX_ID = 2**63 - 1


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
