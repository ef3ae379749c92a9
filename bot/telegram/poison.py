"""Poison updates: an update python-telegram-bot cannot read is quarantined, not retried forever.

An update without a ``date``, with an entity PTB cannot build, or nested deeper than Python's
JSON decoder goes makes the whole getUpdates batch fail; PTB then asks again for the same batch,
hundreds of times a second, and no resident is answered. Here such an update is stored (masked
by bot.redaction, cut to a size), logged once, and skipped: the getUpdates offset moves past it
once that record is committed.

Two ways an update can be unreadable: the JSON decodes but PTB's ``Update.de_json`` raises (each
update of the batch is then tried on its own and only the bad ones are set aside), or the body
does not decode at all (``bot.telegram.inbox.InboxRequest`` reports it; the batch is asked for again one update
at a time, and the one that still does not decode is the poison, its id read from the raw text).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from telegram import Update

from bot.redaction import redact
from bot.store import Store

log = logging.getLogger(__name__)
KEPT_CHARS = 16_384  # enough to see what went wrong; a poison update may be megabytes
_FIRST_ID = re.compile(rb'"update_id"\s*:\s*(\d+)')


class UnreadableUpdates(Exception):
    """A getUpdates answer that is not JSON Python can decode (e.g. nested 5,000 deep)."""

    def __init__(self, payload: bytes, reason: str):
        super().__init__(reason)
        self.payload = payload
        self.reason = reason


class _QuarantinedHere(logging.Filter):
    """PTB logs a batch it cannot parse at CRITICAL, with the whole batch and a traceback, before
    InboxBot (bot/telegram/inbox.py) sets the poison aside and logs it once: that first record says nothing more."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Error while parsing updates!")


def quiet_parse_errors() -> None:
    """Install the filter on the loggers PTB's bots log through (idempotent)."""
    for name in ("telegram.ext.ExtBot", "telegram.Bot"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _QuarantinedHere) for f in logger.filters):
            logger.addFilter(_QuarantinedHere())


def first_update_id(payload: bytes) -> int | None:
    found = _FIRST_ID.search(payload)
    return int(found.group(1)) if found else None


def masked_text(text: str) -> str:
    return redact(text[:KEPT_CHARS]).text


class Quarantine:
    """What was set aside, and the getUpdates offset that skips it."""

    def __init__(self, store: Store):
        quiet_parse_errors()
        self.store = store
        self.skip_through = 0  # the highest update id quarantined (confirmed with the next offset)
        self.one_by_one = False  # an undecodable batch: ask for one update at a time until found
        self.count = 0

    def keep(self, update_id: int, text: str, reason: str) -> None:
        """Store the update masked (in the caller's transaction) and skip it from now on."""
        if self.store.inbox.quarantine(update_id, masked_text(text), reason[:200]):
            self.count += 1
            log.warning("update %s could not be read (%s): quarantined and skipped", update_id, reason[:200])
        self.skip_through = max(self.skip_through, update_id)

    def split(self, raws: list[Any], bot: Any) -> tuple[list[Update], list[tuple[int, str, str]]]:
        """Each update of a batch read on its own: the readable ones, and (id, text, reason) of the rest."""
        good, bad = [], []
        for raw in raws:
            try:
                update = Update.de_json(raw, bot)
            except Exception as exc:  # noqa: BLE001 -- whatever PTB raises on this update: it is the poison
                update_id = raw.get("update_id") if isinstance(raw, dict) else None
                if isinstance(update_id, int):
                    bad.append((update_id, _dump(raw), f"{type(exc).__name__}: {exc}"))
                continue
            if update is not None:
                good.append(update)
        return good, bad


def _dump(raw: Any) -> str:
    try:
        return json.dumps(raw, ensure_ascii=False)[:KEPT_CHARS]
    except (TypeError, ValueError, RecursionError):
        return repr(raw)[:KEPT_CHARS]
