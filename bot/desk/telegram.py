"""The operators' forum supergroup: one topic per resident, cards, commands, buttons.

ForumChannel turns the desk's decisions into outbox items for the group; ForumSender delivers
them (creating, reopening or recreating the resident's topic as needed) inside the group's one
sender task, so topics are never created twice, even when a resident's first messages arrive
together. ForumDesk reads what operators do in the group and calls the DeskService.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, TelegramError

from bot.render import Renderer
from bot.store import OutboxItem, Store, Ticket
from bot.telegram.split import split_text

log = logging.getLogger(__name__)
MEMBER_CACHE_SECONDS = 300.0
OPERATOR_STATUSES = (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.MEMBER,
                     ChatMemberStatus.RESTRICTED)
MERGE_LIMIT = 3500  # merged relays stay well inside Telegram's 4096 characters


class OperatorGroupError(RuntimeError):
    """The configured operators' group cannot be used; the message says exactly why."""


class ForumChannel:
    """The desk's OperatorChannel for a forum supergroup: everything goes through the outbox."""

    def __init__(self, group_id: int):
        self.group_id = group_id

    def _title(self, store: Store, resident: int) -> str:
        topic = store.topic_for(resident)
        return topic[1] if topic else str(resident)

    def ticket_opened(self, store: Store, ticket: Ticket, title: str, card: str) -> None:
        store.enqueue(self.group_id, {"kind": "desk_open", "resident": ticket.chat_id, "ticket": ticket.id,
                                      "title": title, "card": card})

    def to_topic(self, store: Store, resident: int, text: str) -> None:
        store.enqueue(self.group_id, {"kind": "desk_text", "resident": resident, "text": text,
                                      "title": self._title(store, resident)})

    copies_media = True

    def media_to_topic(self, store: Store, resident: int, from_chat: int, message_id: int, caption: str | None = None,
                       delete_after: bool = False) -> None:
        payload = {"kind": "desk_media", "resident": resident, "from_chat": from_chat, "message_id": message_id,
                   "title": self._title(store, resident), "caption": caption or ""}
        if delete_after:
            payload["delete_after"] = True
        store.enqueue(self.group_id, payload)

    def resident_erased(self, store: Store, resident: int, topic_id: int | None, note: str = "") -> None:
        # What was queued about the resident (a card, relays) is never sent; the topic goes.
        store.delete_items_about(self.group_id, resident)
        store.enqueue(self.group_id, {"kind": "desk_erase", "resident": resident, "topic": topic_id})
        if note:
            store.enqueue(self.group_id, {"kind": "message", "text": note, "rows": []})

    def ticket_closed(self, store: Store, resident: int, text: str) -> None:
        store.enqueue(self.group_id, {"kind": "desk_close", "resident": resident, "text": text,
                                      "title": self._title(store, resident)})


def card_buttons(renderer: Renderer, ticket_id: int) -> InlineKeyboardMarkup:
    t = renderer.t
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(t.text("desk.btn.take"), callback_data=f"desk:take:{ticket_id}")],
        [InlineKeyboardButton(t.text("desk.btn.finish"), callback_data=f"desk:finish:{ticket_id}"),
         InlineKeyboardButton(t.text("desk.btn.end"), callback_data=f"desk:end:{ticket_id}")],
    ])


def _missing_topic(exc: BadRequest) -> bool:
    text = exc.message.lower()
    return "thread not found" in text or "topic_deleted" in text or "topic_id_invalid" in text


def _closed_topic(exc: BadRequest) -> bool:
    return "topic_closed" in exc.message.lower()


class ForumSender:
    """Delivery handlers for the desk's outbox items (run in the group's single sender task)."""

    def __init__(self, bot: Bot, store: Store, group_id: int, renderer: Renderer):
        self.bot = bot
        self.store = store
        self.group_id = group_id
        self.renderer = renderer

    def handlers(self) -> dict[str, Any]:
        return {"desk_open": self.open, "desk_text": self.text, "desk_media": self.media, "desk_close": self.close,
                "desk_erase": self.erase}

    async def open(self, item: OutboxItem) -> None:
        p = item.payload
        markup = card_buttons(self.renderer, p["ticket"])
        await self._in_topic(p["resident"], p["title"], lambda thread: self.bot.send_message(
            self.group_id, p["card"][:4096], message_thread_id=thread, reply_markup=markup), rename=True)

    async def text(self, item: OutboxItem) -> None:
        p = item.payload
        # When the group's budget (20/min) makes relays queue up, a resident's consecutive texts
        # travel as one message instead of waiting for one slot each; nothing is dropped.
        merged = [item]
        size = len(p["text"])
        for follower in self.store.pending_of_kind(self.group_id, "desk_text", p["resident"], item.id):
            if size + len(follower.payload["text"]) + 1 > MERGE_LIMIT:
                break
            merged.append(follower)
            size += len(follower.payload["text"]) + 1
        text = "\n".join(m.payload["text"] for m in merged)
        for part in split_text(text):
            await self._in_topic(p["resident"], p["title"], lambda thread, part=part: self.bot.send_message(
                self.group_id, part, message_thread_id=thread))
        for follower in merged[1:]:
            self.store.mark_sent(follower.id)

    async def media(self, item: OutboxItem) -> None:
        p = item.payload
        # The caption is always the masked one: an empty caption drops the original. (Items
        # queued before captions were masked have none: those keep the original.)
        caption = {"caption": p["caption"]} if "caption" in p else {}
        try:
            await self._in_topic(p["resident"], p["title"], lambda thread: self.bot.copy_message(
                self.group_id, p["from_chat"], p["message_id"], message_thread_id=thread, **caption))
        finally:
            if p.get("delete_after"):
                # The resident's message held a secret: it goes even if the copy failed.
                try:
                    await self.bot.delete_message(p["from_chat"], p["message_id"])
                except TelegramError as exc:
                    log.info("could not delete a message with a secret: %s", type(exc).__name__)

    async def erase(self, item: OutboxItem) -> None:
        """The resident erased their data: their topic, with the card and every message, goes."""
        p = item.payload
        topic = p.get("topic") or (self.store.topic_for(p["resident"]) or (None,))[0]
        if topic is not None:
            try:
                await self.bot.delete_forum_topic(self.group_id, topic)
            except BadRequest as exc:
                log.info("could not delete topic %s: %s", topic, exc.message)
        self.store.forget_topic(p["resident"])

    async def close(self, item: OutboxItem) -> None:
        p = item.payload
        topic = self.store.topic_for(p["resident"])
        if topic is None:
            return
        await self._in_topic(p["resident"], p["title"], lambda thread: self.bot.send_message(
            self.group_id, p["text"], message_thread_id=thread))
        try:
            await self.bot.close_forum_topic(self.group_id, topic[0])
        except BadRequest as exc:
            log.info("could not close topic %s: %s", topic[0], exc.message)
        self.store.set_topic_closed(p["resident"], True)

    async def _in_topic(self, resident: int, title: str, send, rename: bool = False) -> None:
        thread = await self._ensure_topic(resident, title, rename)
        try:
            await send(thread)
        except BadRequest as exc:
            if _closed_topic(exc):
                await self._reopen(thread, resident)
            elif _missing_topic(exc):
                # Someone deleted the topic: make a new one and carry on there.
                self.store.forget_topic(resident)
                thread = await self._ensure_topic(resident, title, False)
            else:
                raise
            await send(thread)

    async def _ensure_topic(self, resident: int, title: str, rename: bool) -> int:
        topic = self.store.topic_for(resident)
        if topic is None:
            created = await self.bot.create_forum_topic(self.group_id, title)
            self.store.save_topic(resident, created.message_thread_id, title)
            return created.message_thread_id
        thread, old_title, closed = topic
        if closed:
            await self._reopen(thread, resident)
        if rename and title != old_title:
            try:
                await self.bot.edit_forum_topic(self.group_id, thread, name=title)
                self.store.save_topic(resident, thread, title)
            except BadRequest as exc:
                log.info("could not rename topic %s: %s", thread, exc.message)
        return thread

    async def _reopen(self, thread: int, resident: int) -> None:
        try:
            await self.bot.reopen_forum_topic(self.group_id, thread)
        except BadRequest as exc:
            log.info("could not reopen topic %s: %s", thread, exc.message)
        self.store.set_topic_closed(resident, False)
