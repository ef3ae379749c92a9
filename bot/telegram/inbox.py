"""A durable update queue: every update is stored before Telegram learns it arrived.

PTB's Updater puts each fetched update into the application's queue and only then confirms it
with the next getUpdates offset; PTB's webhook handler puts it there before answering 200. By
making ``put`` write the update to SQLite first (committed before that offset is sent, or before
the webhook's answer: bot/telegram/turn.py), a kill -9 at any moment loses nothing: at the
next start the stored, unhandled updates are queued again; a handled update's row stays (its
text erased) for a day, so a redelivered one is not handled twice. Secrets in the stored copy
are masked (bot.redaction).

The getUpdates offset is the bot's only "arrived" signal, so RawUpdatesBot also sets it: never
past an update whose storing the database refused (Telegram sends it again: bot/telegram/turn.py),
and past an update PTB cannot read once it is quarantined (bot/telegram/poison.py).
"""

from __future__ import annotations

import asyncio
import copy
import logging
from typing import Any

from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.redaction import redact
from bot.store import Store
from bot.telegram.ids import MAX_ID
from bot.telegram.poison import Quarantine, UnreadableUpdates, first_update_id
from bot.telegram.turn import Turn, storage_refused

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


class RawUpdatesBot(ExtBot):
    """An ExtBot that keeps the JSON of the updates getUpdates returned, until the inbox takes it.

    Storing that JSON costs a fraction of rebuilding it with ``Update.to_dict()`` (measured: the
    largest single cost of durability per update). Updates that arrive another way (webhooks)
    still go through ``to_dict()``.
    """

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._raw_updates: dict[int, dict[str, Any]] = {}
        self._turn: Turn | None = None  # (PTB's objects take only private attributes after init)
        self._quarantine: Quarantine | None = None
        self._last_batch: list[Any] = []

    @property
    def turn(self) -> Turn | None:
        """The group commit of the updates stored (bot/telegram/turn.py)."""
        return self._turn

    def use_turn(self, turn: Turn) -> None:
        self._turn = turn

    @property
    def quarantine(self) -> Quarantine | None:
        return self._quarantine

    def use_quarantine(self, quarantine: Quarantine) -> None:
        self._quarantine = quarantine

    async def _post(self, endpoint: str, data: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> Any:
        if endpoint != "getUpdates" or self._turn is None:
            return await super()._post(endpoint, data, *args, **kwargs)
        # This call's offset tells Telegram that every update before it arrived: what was
        # stored in this turn is committed first. From now on an update stored may wait for
        # the end of its turn (or for this moment) instead of committing on its own.
        self._turn.commit()
        self._turn.polling = True
        await self._turn.pause()  # the database refuses writes: ask again later, not at once
        data = self._offset(dict(data or {}))
        try:
            result = await super()._post(endpoint, data, *args, **kwargs)
        except UnreadableUpdates as exc:
            self._unreadable(exc, data)
            return []
        if isinstance(result, list):
            if not result and self._quarantine is not None:
                self._quarantine.one_by_one = False
            self._forget_gone(data.get("offset"), result)
            for raw in result:
                if isinstance(raw, dict) and isinstance(raw.get("update_id"), int):
                    self.remember_raw(raw)
            self._last_batch = result
        return result

    def _forget_gone(self, offset: int | None, result: list[Any]) -> None:
        """Held-back ids Telegram no longer has (it keeps updates for 24 h) stop holding the
        offset back; otherwise the same batch would come again and again."""
        turn = self._turn
        if turn is None or not turn.unstored or offset != min(turn.unstored):
            return
        first = result[0].get("update_id") if result and isinstance(result[0], dict) else None
        gone = {i for i in turn.unstored if first is None or i < first}
        if gone:
            log.warning("%d update(s) held back are no longer at Telegram", len(gone))
            turn.unstored.difference_update(gone)

    def _offset(self, data: dict[str, Any]) -> dict[str, Any]:
        """Skip what was quarantined; never confirm an update whose storing failed (turn.py)."""
        offset = data.get("offset")
        quarantine = self._quarantine
        if quarantine is not None:
            if quarantine.skip_through and (offset or 0) <= quarantine.skip_through:
                offset = quarantine.skip_through + 1
            if quarantine.one_by_one:
                data["limit"] = 1
        if self._turn is not None and self._turn.unstored and offset:
            offset = min(offset, min(self._turn.unstored))
        data["offset"] = offset
        return data

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        """PTB's getUpdates; a batch it cannot read is read update by update and the poison set aside."""
        self._last_batch = []
        try:
            return await super().get_updates(*args, **kwargs)
        except TelegramError:
            raise
        except Exception:
            raws, self._last_batch = self._last_batch, []
            if not raws or self._quarantine is None:
                raise
        good, bad = self._quarantine.split(raws, self)
        for update_id, text, reason in bad:
            self._set_aside(update_id, text, reason)
        for update in good:
            self.insert_callback_data(update)
        return tuple(good)

    def _unreadable(self, exc: UnreadableUpdates, data: dict[str, Any]) -> None:
        assert self._quarantine is not None
        if data.get("limit") != 1:
            self._quarantine.one_by_one = True  # find which update it is: one at a time
            return
        update_id = first_update_id(exc.payload)
        if update_id is None:
            raise TelegramError("Invalid server response") from exc
        self._set_aside(update_id, exc.payload.decode("utf-8", "replace"), exc.reason)
        self._quarantine.one_by_one = False

    def _set_aside(self, update_id: int, text: str, reason: str) -> None:
        assert self._quarantine is not None and self._turn is not None
        try:
            self._turn.join()  # committed before the next getUpdates confirms it
            self._quarantine.keep(update_id, text, reason)
            self._turn.kept(update_id)
        except Exception as exc:
            if not storage_refused(exc):
                raise
            self._turn.not_stored(update_id, exc)

    def remember_raw(self, raw: dict[str, Any]) -> None:
        self._raw_updates[raw["update_id"]] = raw

    def take_raw(self, update_id: int) -> dict[str, Any] | None:
        return self._raw_updates.pop(update_id, None)


class DurableUpdateQueue(asyncio.Queue):
    """An asyncio.Queue whose put() first stores Updates in the store's inbox."""

    def __init__(self, store: Store, raw_source: RawUpdatesBot | None = None, turn: Turn | None = None):
        super().__init__()
        self.store = store
        self.raw_source = raw_source
        self.turn = turn

    def _persist(self, item: object) -> None:
        if not isinstance(item, Update) or not -MAX_ID <= item.update_id <= MAX_ID:
            return  # (an update_id beyond 64 bits is ignored by design: bot/telegram/ids.py)
        try:
            raw = self.raw_source.take_raw(item.update_id) if self.raw_source is not None else None
            # The raw JSON came from getUpdates and is ours now: masked in place, no copy.
            data = raw if raw is not None else item.to_dict()
            if self.turn is not None:
                if self.turn.polling:
                    self.turn.join()  # committed with this turn, or before the next getUpdates
                else:
                    # A webhook's answer follows: stored on its own, now. If the database refuses,
                    # this raises and the webhook answers 500, so Telegram sends the update again.
                    self.turn.commit()
            self.store.inbox.keep_update(item.update_id, masked_copy(data, fresh=True))
            if self.turn is not None and self.turn.polling:
                self.turn.kept(item.update_id)
        except Exception as exc:
            if self.turn is not None and storage_refused(exc):
                if not self.turn.polling:
                    raise
                # Not stored, so not confirmed: Telegram sends it again (bot/telegram/turn.py).
                self.turn.not_stored(item.update_id, exc)
                return
            # Raising here would end PTB's polling loop for good; the update is still handled,
            # only not kept for a restart.
            log.exception("could not store update %s before handling it", item.update_id)

    # asyncio.Queue.put ends in put_nowait, so overriding put_nowait alone stores each update once.
    def put_nowait(self, item: object) -> None:  # type: ignore[override]
        self._persist(item)
        super().put_nowait(item)

    def requeue_unhandled(self, bot: Bot) -> int:
        """At start: queue again what was stored but not handled before a crash."""
        count = 0
        for data in self.store.inbox.unhandled_updates():
            data.pop("_teman_masked", None)
            update = Update.de_json(data, bot)
            if update is not None:
                super().put_nowait(update)
                count += 1
        return count
