"""A durable update queue: every update is stored before Telegram learns it arrived.

PTB's Updater puts each fetched update into the application's update queue and confirms the
batch only with its next getUpdates call (the offset); PTB's webhook handler and ours
(bot/telegram/webhook.py) put it there before answering 200. ``DurableUpdateQueue.put`` stores
the update in a transaction of its own and returns once it is committed, so whatever confirms it
comes after the commit: a kill -9 at any moment loses nothing. At the next start the stored,
unhandled updates are queued again; a handled update's row stays (its text erased) for a day, so
a redelivered one is not handled twice. Secrets in the stored copy are masked (bot.redaction).

Only public extension points of python-telegram-bot are used (pinned to 22.x in pyproject):
* ``InboxRequest``, a ``telegram.request.BaseRequest`` given to the bot as its
  ``get_updates_request`` (used for getUpdates only): it wraps the real connection and, through
  ``parse_json_payload`` (documented as the hook to override), keeps the JSON of the updates
  each call returned. Storing that JSON costs a fraction of rebuilding it with
  ``Update.to_dict()``; updates that arrive another way (webhooks) still go through ``to_dict()``.
* ``InboxBot``, an ``ExtBot`` overriding the public ``get_updates``: the offset it sends is
  never past an update whose storing the database refused (bot/telegram/outage.py) and moves
  past an update PTB cannot read once it is quarantined (bot/telegram/poison.py).
* the ``update_queue`` the Application is built with (``ApplicationBuilder.update_queue``).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import sqlite3
from typing import Any

from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import ExtBot
from telegram.request import BaseRequest, RequestData

from bot.redaction import redact
from bot.store import Store
from bot.telegram.ids import MAX_ID
from bot.telegram.outage import Outage, storage_refused
from bot.telegram.poison import Quarantine, UnreadableUpdates, first_update_id
from bot.telegram.processor import chat_key

log = logging.getLogger(__name__)
# Strings people write (or that describe them) anywhere in an update: messages, captions, names,
# a shared contact's number, a poll's question. Ids, file ids and types are left as they are.
_WRITTEN = frozenset(("text", "caption", "first_name", "last_name", "username", "title", "phone_number",
                      "question", "vcard", "address", "query", "bio", "description", "name", "emoji_status"))
_ENTITIES = {"text": "entities", "caption": "caption_entities"}
_COORDINATES = ("latitude", "longitude")


def masked_copy(data: dict[str, Any], *, fresh: bool = False) -> dict[str, Any]:
    """The update as it may be stored: every written string redacted (texts, captions, names, a
    shared contact), coordinates rounded to about 10 km, with a note of the secrets masked.
    ``fresh``: ``data`` was just built for this (``Update.to_dict``), so it may be changed in place."""
    safe = data if fresh else copy.deepcopy(data)
    masked: list[str] = []
    _mask_tree(safe, masked)
    if masked:
        safe["_teman_masked"] = masked
    return safe


def _mask_tree(node: dict[str, Any], masked: list[str]) -> None:
    """Mask ``node`` in place (every update is stored, so this walk is kept cheap)."""
    stale = None
    for key, value in node.items():
        kind = type(value)
        if kind is str:
            if key in _WRITTEN:
                found = redact(value)
                if found.has_secret or found.personal:
                    node[key] = found.text
                    masked.extend(found.secrets)
                    if key in _ENTITIES:
                        stale = (stale or []) + [_ENTITIES[key]]  # offsets into the original text
        elif kind is dict:
            _mask_tree(value, masked)
        elif kind is list:
            for child in value:
                if type(child) is dict:
                    _mask_tree(child, masked)
        elif kind is float and key in _COORDINATES:
            node[key] = round(value, 1)  # the town, not the house
    for key in stale or ():
        node.pop(key, None)


class RawUpdates:
    """The JSON of the updates getUpdates returned, by update id, until the inbox stores it."""

    def __init__(self) -> None:
        self._by_id: dict[int, dict[str, Any]] = {}
        self.batch: list[Any] = []  # the last answer's updates, as JSON (to split a batch PTB cannot read)

    def remember(self, raw: dict[str, Any]) -> None:
        self._by_id[raw["update_id"]] = raw

    def take(self, update_id: int) -> dict[str, Any] | None:
        return self._by_id.pop(update_id, None)


class InboxRequest(BaseRequest):
    """The getUpdates connection: ``inner`` does the networking; this keeps each answer's raw
    updates (``raw``), and reports an answer that cannot be decoded with its bytes instead of
    failing the same way on every call (bot/telegram/poison.py)."""

    def __init__(self, inner: BaseRequest):
        self.inner = inner
        self.raw = RawUpdates()

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        return await self.inner.do_request(url, method, request_data, *args, **kwargs)

    def parse_json_payload(self, payload: bytes) -> dict[str, Any]:  # type: ignore[override]
        try:
            data = self.inner.parse_json_payload(payload)
        except RecursionError:
            raise UnreadableUpdates(payload, "nested too deeply to decode") from None
        result = data.get("result") if data.get("ok") else None
        if isinstance(result, list):
            self.raw.batch = result
            for raw in result:
                if isinstance(raw, dict) and isinstance(raw.get("update_id"), int):
                    self.raw.remember(raw)
        return data


class InboxBot(ExtBot):
    """An ExtBot whose getUpdates offset holds back what was not stored and skips the poison."""

    def __init__(self, *args: Any, raw: RawUpdates, outage: Outage, quarantine: Quarantine, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._raw = raw  # (PTB's bots take only private attributes)
        self._outage = outage
        self._quarantine = quarantine

    @property
    def raw_updates(self) -> RawUpdates:
        return self._raw

    @property
    def quarantine(self) -> Quarantine:
        return self._quarantine

    async def get_updates(self, offset: int | None = None, limit: int | None = None,
                          *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        """PTB's getUpdates with this module's offset; a batch PTB cannot read is read update by
        update and the poison set aside."""
        await self._outage.pause()  # the database refuses writes: ask again later, not at once
        offset, limit = self._offset(offset, limit)
        self._raw.batch = []
        try:
            updates = await super().get_updates(offset, limit, *args, **kwargs)
        except UnreadableUpdates as exc:
            self._unreadable(exc, limit)
            return ()
        except TelegramError:
            raise
        except Exception:
            if not self._raw.batch:
                raise
            updates = self._split(self._raw.batch)
        if not self._raw.batch:
            self._quarantine.one_by_one = False
        self._forget_gone(offset, self._raw.batch)
        return updates

    def _offset(self, offset: int | None, limit: int | None) -> tuple[int | None, int | None]:
        """Skip what was quarantined; never confirm an update whose storing failed (outage.py)."""
        quarantine = self._quarantine
        if quarantine.skip_through and (offset or 0) <= quarantine.skip_through:
            offset = quarantine.skip_through + 1
        if quarantine.one_by_one:
            limit = 1
        if self._outage.unstored and offset:
            offset = min(offset, min(self._outage.unstored))
        return offset, limit

    def _forget_gone(self, offset: int | None, result: list[Any]) -> None:
        """Held-back ids Telegram no longer has (it keeps updates for 24 h) stop holding the
        offset back; otherwise the same batch would come again and again."""
        unstored = self._outage.unstored
        if not unstored or offset != min(unstored):
            return
        first = result[0].get("update_id") if result and isinstance(result[0], dict) else None
        gone = {i for i in unstored if first is None or i < first}
        if gone:
            log.warning("%d update(s) held back are no longer at Telegram", len(gone))
            unstored.difference_update(gone)

    def _split(self, raws: list[Any]) -> tuple[Update, ...]:
        good, bad = self._quarantine.split(raws, self)
        for update_id, text, reason in bad:
            self._set_aside(update_id, text, reason)
        for update in good:
            self.insert_callback_data(update)
        return tuple(good)

    def _unreadable(self, exc: UnreadableUpdates, limit: int | None) -> None:
        if limit != 1:
            self._quarantine.one_by_one = True  # find which update it is: one at a time
            return
        update_id = first_update_id(exc.payload)
        if update_id is None:
            raise TelegramError("Invalid server response") from exc
        self._set_aside(update_id, exc.payload.decode("utf-8", "replace"), exc.reason)
        self._quarantine.one_by_one = False

    def _set_aside(self, update_id: int, text: str, reason: str) -> None:
        try:
            with self._quarantine.store.transaction():  # committed before an offset skips it
                self._quarantine.keep(update_id, text, reason)
        except Exception as exc:
            if not storage_refused(exc):
                raise
            self._outage.not_stored(update_id, exc)
            return
        self._outage.stored(update_id)


def _chat_of(update: Update) -> int | None:
    """The chat whose turn the update is, if its id fits (one beyond 64 bits is ignored: ids.py)."""
    chat = chat_key(update)
    return chat if chat is not None and -MAX_ID <= chat <= MAX_ID else None


class DurableUpdateQueue(asyncio.Queue):
    """An unbounded asyncio.Queue whose ``put`` and ``put_nowait`` first store Updates in the
    store's inbox, each in its own committed transaction."""

    def __init__(self, store: Store, raw: RawUpdates | None = None, outage: Outage | None = None,
                 worker: int | None = None):
        super().__init__()
        self.store = store
        self.raw = raw
        self.outage = outage or Outage()
        self.worker = worker  # this worker, named in the updates it keeps (several workers: leader.py)
        # Updates queued here and not handled yet: a sweep for updates a dead worker left
        # (``requeue_unhandled``) does not queue them twice.
        self.local: set[int] = set()

    def handled(self, update: object) -> None:
        """The update processor is done with ``update`` (handled, or given up for now)."""
        if isinstance(update, Update):
            self.local.discard(update.update_id)

    def _persist(self, item: object) -> None:
        if not isinstance(item, Update) or not -MAX_ID <= item.update_id <= MAX_ID:
            return  # (an update_id beyond 64 bits is ignored by design: bot/telegram/ids.py)
        raw = self.raw.take(item.update_id) if self.raw is not None else None
        try:
            # The raw JSON came from getUpdates and is ours now: masked in place, no copy.
            data = masked_copy(raw if raw is not None else item.to_dict(), fresh=True)
            with self.store.transaction():
                self.store.inbox.keep_update(item.update_id, data, _chat_of(item), self.worker)
        except Exception as exc:
            if storage_refused(exc):
                # Not stored, so not confirmed: Telegram sends it again (bot/telegram/outage.py).
                self.outage.not_stored(item.update_id, exc)
                raise
            # Raising here would end PTB's polling loop for good; the update is still handled,
            # only not kept for a restart.
            log.exception("could not store update %s before handling it", item.update_id)
            return
        self.outage.stored(item.update_id)

    async def put(self, item: object) -> None:
        """Store ``item``, then queue it (the queue is unbounded: this never waits for room)."""
        self.put_nowait(item)

    def put_nowait(self, item: object) -> None:
        """Store ``item``, then queue it. If the database refuses, it is queued all the same (by
        long polling: handled again later, held back from the offset; outage.py)."""
        # (A refusal is the only error _persist raises; the outage counted and logged it.)
        with contextlib.suppress(sqlite3.DatabaseError):
            self._persist(item)
        self._hand_over(item)

    def store_or_refuse(self, item: object) -> None:
        """For a webhook: store ``item`` and queue it, or raise if the database refuses (the
        webhook then answers 500, so Telegram sends the update again); nothing is queued then."""
        self._persist(item)
        self._hand_over(item)

    def _hand_over(self, item: object) -> None:
        if isinstance(item, Update):
            self.local.add(item.update_id)
        super().put_nowait(item)

    def requeue_unhandled(self, bot: Bot, taken_by: int | None = None) -> int:
        """Queue again what was stored but not handled: at start, what a crash left; with
        several workers, what a worker that died left (``taken_by``: that worker's only).
        Handled once whoever gets there first: the claim in the inbox decides (adapter.py)."""
        count = 0
        for data in self.store.inbox.unhandled_updates(taken_by):
            if data.get("update_id") in self.local:
                continue  # queued here already, waiting its turn
            data.pop("_teman_masked", None)
            update = Update.de_json(data, bot)
            if update is not None:
                self._hand_over(update)
                count += 1
        return count
