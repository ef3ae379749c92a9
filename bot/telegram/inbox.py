"""A durable update queue: every update is stored before Telegram learns it arrived.

PTB's Updater puts each fetched update into the application's queue and only then confirms it
with the next getUpdates offset; PTB's webhook handler puts it there before answering 200. By
making ``put`` write the update to SQLite first (committed before that offset is sent, or before
the webhook's answer: bot/telegram/turn.py), a kill -9 at any moment loses nothing: at the
next start the stored, unhandled updates are queued again; a handled update's row stays (its
text erased) for a day, so a redelivered one is not handled twice. Secrets in the stored copy
are masked (bot.redaction).
"""

from __future__ import annotations

import asyncio
import copy
import logging
from typing import Any

from telegram import Bot, Update
from telegram.ext import ExtBot

from bot.redaction import redact
from bot.store import Store
from bot.telegram.turn import Turn

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

    @property
    def turn(self) -> Turn | None:
        """The group commit of the updates stored (bot/telegram/turn.py)."""
        return self._turn

    def use_turn(self, turn: Turn) -> None:
        self._turn = turn

    async def _post(self, endpoint: str, *args: Any, **kwargs: Any) -> Any:
        if endpoint == "getUpdates" and self._turn is not None:
            # This call's offset tells Telegram that every update before it arrived: what was
            # stored in this turn is committed first. From now on an update stored may wait for
            # the end of its turn (or for this moment) instead of committing on its own.
            self._turn.commit()
            self._turn.polling = True
        result = await super()._post(endpoint, *args, **kwargs)
        if endpoint == "getUpdates" and isinstance(result, list):
            for raw in result:
                if isinstance(raw, dict) and isinstance(raw.get("update_id"), int):
                    self.remember_raw(raw)
        return result

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
        if not isinstance(item, Update):
            return
        try:
            raw = self.raw_source.take_raw(item.update_id) if self.raw_source is not None else None
            # The raw JSON came from getUpdates and is ours now: masked in place, no copy.
            data = raw if raw is not None else item.to_dict()
            if self.turn is not None:
                if self.turn.polling:
                    self.turn.join()  # committed with this turn, or before the next getUpdates
                else:
                    self.turn.commit()  # a webhook's answer follows: stored on its own, now
            self.store.keep_update(item.update_id, masked_copy(data, fresh=True))
        except Exception:
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
        for data in self.store.unhandled_updates():
            data.pop("_teman_masked", None)
            update = Update.de_json(data, bot)
            if update is not None:
                super().put_nowait(update)
                count += 1
        return count
