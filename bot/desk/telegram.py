"""The operators' forum supergroup: one topic per resident, cards, commands, buttons.

ForumChannel turns the desk's decisions into outbox items for the group; ForumSender delivers
them (creating, reopening or recreating the resident's topic as needed) inside the group's one
sender task, so topics are never created twice, even when a resident's first messages arrive
together. ForumDesk reads what operators do in the group and calls the DeskService.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
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
CARRIED_KINDS = ("desk_text", "desk_media")  # what follows a moved ticket to its new group


class OperatorGroupError(RuntimeError):
    """The configured operators' group cannot be used; the message says exactly why."""


class ForumChannel:
    """The desk's OperatorChannel for forum supergroups: everything goes through the outbox, to
    the group that serves the resident (their ticket's group, else their topic's, else the
    Disdukcapil group ``group_id``)."""

    def __init__(self, group_id: int):
        self.group_id = group_id

    def _title(self, store: Store, resident: int) -> str:
        topic = store.topic_for(resident)
        return topic[1] if topic else str(resident)

    def group_of(self, store: Store, resident: int) -> int:
        ticket = store.active_ticket(resident)
        if ticket is not None and ticket.group_id:
            return ticket.group_id
        return store.topic_group(resident) or self.group_id

    def ticket_opened(self, store: Store, ticket: Ticket, title: str, card: str) -> None:
        group = ticket.group_id or self.group_id
        store.enqueue(group, {"kind": "desk_open", "resident": ticket.chat_id, "ticket": ticket.id, "title": title,
                              "card": card})
        old = store.topic_group(ticket.chat_id)
        if old and old != group:
            # Moved (/pindah): what the resident said that still waits for the old group follows
            # the ticket, after the card, instead of being left behind.
            store.move_items_about(old, group, ticket.chat_id, CARRIED_KINDS)

    def to_topic(self, store: Store, resident: int, text: str) -> None:
        store.enqueue(self.group_of(store, resident), {"kind": "desk_text", "resident": resident, "text": text,
                                                       "title": self._title(store, resident)})

    copies_media = True

    def media_to_topic(self, store: Store, resident: int, from_chat: int, message_id: int, caption: str | None = None,
                       delete_after: bool = False) -> None:
        payload = {"kind": "desk_media", "resident": resident, "from_chat": from_chat, "message_id": message_id,
                   "title": self._title(store, resident), "caption": caption or ""}
        if delete_after:
            payload["delete_after"] = True
        store.enqueue(self.group_of(store, resident), payload)

    def resident_erased(self, store: Store, resident: int, topic_id: int | None, note: str = "") -> None:
        # What was queued about the resident (a card, relays) is never sent; the topic goes.
        group = store.topic_group(resident) or self.group_of(store, resident)
        for chat in dict.fromkeys((group, self.group_id)):
            store.delete_items_about(chat, resident)
        store.enqueue(group, {"kind": "desk_erase", "resident": resident, "topic": topic_id})
        if note:
            store.enqueue(group, {"kind": "message", "text": note, "rows": []})

    def ticket_closed(self, store: Store, resident: int, text: str, buttons: list | None = None) -> None:
        store.enqueue(self.group_of(store, resident), {"kind": "desk_close", "resident": resident, "text": text,
                                                       "title": self._title(store, resident), "buttons": buttons or []})

    def ticket_moved(self, store: Store, resident: int, old_group: int, text: str) -> None:
        """The resident's topic in ``old_group`` is told where the ticket went, then closed."""
        topic = store.topic_for(resident)
        if topic is not None and store.topic_group(resident) == old_group:
            store.enqueue(old_group, {"kind": "desk_moved", "thread": topic[0], "text": text})


def card_buttons(renderer: Renderer, ticket_id: int) -> InlineKeyboardMarkup:
    t = renderer.t
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(t.text("desk.btn.take"), callback_data=f"desk:take:{ticket_id}")],
        [InlineKeyboardButton(t.text("desk.btn.finish"), callback_data=f"desk:finish:{ticket_id}"),
         InlineKeyboardButton(t.text("desk.btn.end"), callback_data=f"desk:end:{ticket_id}")],
    ])


def _inline(rows: list | None) -> InlineKeyboardMarkup | None:
    """[[(label, callback data), ...], ...] from an outbox payload, as inline buttons."""
    if not rows:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows])


def _missing_topic(exc: BadRequest) -> bool:
    text = exc.message.lower()
    return "thread not found" in text or "topic_deleted" in text or "topic_id_invalid" in text


def _closed_topic(exc: BadRequest) -> bool:
    return "topic_closed" in exc.message.lower()


class ForumSender:
    """Delivery handlers for the desk's outbox items (run in the group's single sender task)."""

    def __init__(self, bot: Bot, store: Store, group_id: int, renderer: Renderer,
                 laporan: Callable[[], tuple[bytes, str]] | None = None):
        self.bot = bot
        self.store = store
        self.group_id = group_id
        self.renderer = renderer
        self.laporan = laporan  # /laporan's chart and three lines (bot/followup/laporan.py)

    # Every handler works in the group the item was queued for (item.chat_id): one sender task
    # per group, so each group's 20 messages a minute are its own.
    def handlers(self) -> dict[str, Any]:
        return {"desk_open": self.open, "desk_text": self.text, "desk_media": self.media, "desk_close": self.close,
                "desk_reply": self.reply, "desk_moved": self.moved,
                "desk_resolved": self.resolved, "desk_rate": self.rate, "desk_erase": self.erase,
                "desk_report": self.report}

    async def report(self, item: OutboxItem) -> None:
        """/laporan: drawn now (the figures of this moment), off the event loop."""
        if self.laporan is None:
            return
        png, caption = await asyncio.to_thread(self.laporan)
        await self.bot.send_photo(item.chat_id, InputFile(png, filename="laporan.png"), caption=caption[:1024],
                                  message_thread_id=item.payload.get("thread_id"))

    async def open(self, item: OutboxItem) -> None:
        p, group = item.payload, item.chat_id
        markup = card_buttons(self.renderer, p["ticket"])
        await self._in_topic(group, p["resident"], p["title"], lambda thread: self.bot.send_message(
            group, p["card"][:4096], message_thread_id=thread, reply_markup=markup), rename=True)

    async def text(self, item: OutboxItem) -> None:
        p, group = item.payload, item.chat_id
        # When the group's budget (20/min) makes relays queue up, a resident's consecutive texts
        # travel as one message instead of waiting for one slot each; nothing is dropped.
        merged = [item]
        size = len(p["text"])
        for follower in self.store.pending_of_kind(group, "desk_text", p["resident"], item.id):
            if size + len(follower.payload["text"]) + 1 > MERGE_LIMIT:
                break
            merged.append(follower)
            size += len(follower.payload["text"]) + 1
        text = "\n".join(m.payload["text"] for m in merged)
        for part in split_text(text):
            await self._in_topic(group, p["resident"], p["title"], lambda thread, part=part: self.bot.send_message(
                group, part, message_thread_id=thread))
        for follower in merged[1:]:
            self.store.mark_sent(follower.id)

    async def media(self, item: OutboxItem) -> None:
        p, group = item.payload, item.chat_id
        # The caption is always the masked one: an empty caption drops the original. (Items
        # queued before captions were masked have none: those keep the original.)
        caption = {"caption": p["caption"]} if "caption" in p else {}
        try:
            await self._in_topic(group, p["resident"], p["title"], lambda thread: self.bot.copy_message(
                group, p["from_chat"], p["message_id"], message_thread_id=thread, **caption))
        finally:
            if p.get("delete_after"):
                # The resident's message held a secret: it goes even if the copy failed.
                try:
                    await self.bot.delete_message(p["from_chat"], p["message_id"])
                except TelegramError as exc:
                    log.info("could not delete a message with a secret: %s", type(exc).__name__)

    async def reply(self, item: OutboxItem) -> None:
        """The bot's answer to an operator, in the topic they wrote in. A closed topic (the
        ticket was finished) is reopened: the operator is working there again."""
        p, group = item.payload, item.chat_id
        thread = p.get("thread_id")

        def send():
            return self.bot.send_message(group, p["text"][:4096], message_thread_id=thread)
        try:
            await send()
        except BadRequest as exc:
            if thread is None or not _closed_topic(exc):
                raise
            resident = self.store.resident_of_topic(thread, group)
            if resident is None:
                await self.bot.reopen_forum_topic(group, thread)
            else:
                await self._reopen(group, thread, resident)
            await send()

    async def moved(self, item: OutboxItem) -> None:
        """The ticket went to another group: say where in the old topic, then close it."""
        p, group = item.payload, item.chat_id
        try:
            await self.bot.send_message(group, p["text"], message_thread_id=p["thread"])
            await self.bot.close_forum_topic(group, p["thread"])
        except BadRequest as exc:  # closed or deleted already: the new group has the ticket
            log.info("could not close moved topic %s: %s", p["thread"], exc.message)

    async def resolved(self, item: OutboxItem) -> None:
        """The outcome was chosen: the closing message shows it instead of the buttons."""
        p, group = item.payload, item.chat_id
        try:
            await self.bot.edit_message_text(p["text"], chat_id=group, message_id=p["message_id"])
        except BadRequest as exc:  # deleted, or the same text: the choice is stored either way
            log.info("could not show the outcome on message %s: %s", p["message_id"], exc.message)

    async def rate(self, item: OutboxItem) -> None:
        """To the resident after a handoff: was it helpful? One tap, 👍 or 👎 (inline buttons)."""
        p = item.payload
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(p["up"], callback_data=f"rate:{p['ticket']}:up"),
                                        InlineKeyboardButton(p["down"], callback_data=f"rate:{p['ticket']}:down")]])
        await self.bot.send_message(item.chat_id, p["text"], reply_markup=markup)

    async def erase(self, item: OutboxItem) -> None:
        """The resident erased their data: their topic, with the card and every message, goes."""
        p, group = item.payload, item.chat_id
        topic = p.get("topic") or (self.store.topic_for(p["resident"]) or (None,))[0]
        if topic is not None:
            try:
                await self.bot.delete_forum_topic(group, topic)
            except BadRequest as exc:
                log.info("could not delete topic %s: %s", topic, exc.message)
        self.store.forget_topic(p["resident"])

    async def close(self, item: OutboxItem) -> None:
        p, group = item.payload, item.chat_id
        topic = self.store.topic_for(p["resident"])
        if topic is None or self.store.topic_group(p["resident"]) != group:
            return
        markup = _inline(p.get("buttons"))
        await self._in_topic(group, p["resident"], p["title"], lambda thread: self.bot.send_message(
            group, p["text"], message_thread_id=thread, reply_markup=markup))
        try:
            await self.bot.close_forum_topic(group, topic[0])
        except BadRequest as exc:
            log.info("could not close topic %s: %s", topic[0], exc.message)
        self.store.set_topic_closed(p["resident"], True)

    async def _in_topic(self, group: int, resident: int, title: str, send, rename: bool = False) -> None:
        thread = await self._ensure_topic(group, resident, title, rename)
        if thread is None:
            return
        try:
            await send(thread)
        except BadRequest as exc:
            if _closed_topic(exc):
                await self._reopen(group, thread, resident)
            elif _missing_topic(exc):
                # Someone deleted the topic: make a new one and carry on there.
                self.store.forget_topic(resident)
                thread = await self._ensure_topic(group, resident, title, False)
                if thread is None:
                    return
            else:
                raise
            await send(thread)

    async def _ensure_topic(self, group: int, resident: int, title: str, rename: bool) -> int | None:
        topic = self.store.topic_for(resident)
        if topic is not None and self.store.topic_group(resident) != group:
            ticket = self.store.active_ticket(resident)
            if ticket is not None and ticket.group_id not in (None, group):
                # Already on its way to this group when the ticket moved on (/pindah): what
                # was still waiting followed the ticket (ForumChannel.ticket_opened); this one
                # is sent to the new group too, never dropped.
                log.info("item for resident %s in group %s follows the ticket to group %s", resident, group,
                         ticket.group_id)
                self.store.move_items_about(group, ticket.group_id, resident, CARRIED_KINDS)
                return None
            topic = None  # the resident's topic is in another group: open one here
        if topic is None:
            created = await self.bot.create_forum_topic(group, title)
            self.store.save_topic(resident, created.message_thread_id, title, group)
            return created.message_thread_id
        thread, old_title, closed = topic
        if closed:
            await self._reopen(group, thread, resident)
        if rename and title != old_title:
            try:
                await self.bot.edit_forum_topic(group, thread, name=title)
                self.store.save_topic(resident, thread, title, group)
            except BadRequest as exc:
                log.info("could not rename topic %s: %s", thread, exc.message)
        return thread

    async def _reopen(self, group: int, thread: int, resident: int) -> None:
        try:
            await self.bot.reopen_forum_topic(group, thread)
        except BadRequest as exc:
            log.info("could not reopen topic %s: %s", thread, exc.message)
        self.store.set_topic_closed(resident, False)
