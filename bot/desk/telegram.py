"""The operators' forum supergroup: one topic per resident, cards, commands, buttons.

ForumChannel turns the desk's decisions into outbox items for the group; ForumSender delivers
them (creating, reopening or recreating the resident's topic as needed) inside the group's one
sender task, so topics are never created twice, even when a resident's first messages arrive
together. What operators do in the group is read by ForumDesk (bot/desk/operators.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import assert_never

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, TelegramError

from bot import outbox
from bot.render import Renderer
from bot.store import OutboxItem, Store, Ticket
from bot.telegram.split import split_text
from bot.vocabulary import CardAction, CardButton

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
        topic = store.tickets.topic_for(resident)
        return topic[1] if topic else str(resident)

    def group_of(self, store: Store, resident: int) -> int:
        ticket = store.tickets.active_for(resident)
        if ticket is not None and ticket.group_id:
            return ticket.group_id
        return store.tickets.topic_group(resident) or self.group_id

    def ticket_opened(self, store: Store, ticket: Ticket, title: str, card: str) -> None:
        group = ticket.group_id or self.group_id
        outbox.put(store.outbox, group, outbox.TopicCard(ticket.chat_id, ticket.id, title, card))
        old = store.tickets.topic_group(ticket.chat_id)
        if old and old != group:
            # Moved (/pindah): what the resident said that still waits for the old group follows
            # the ticket, after the card, instead of being left behind.
            store.outbox.move_items_about(old, group, ticket.chat_id, CARRIED_KINDS)

    def to_topic(self, store: Store, resident: int, text: str) -> None:
        message = outbox.TopicText(resident, text, self._title(store, resident))
        outbox.put(store.outbox, self.group_of(store, resident), message)

    copies_media = True

    def media_to_topic(self, store: Store, resident: int, from_chat: int, message_id: int, caption: str | None = None,
                       delete_after: bool = False) -> None:
        outbox.put(store.outbox, self.group_of(store, resident), outbox.TopicMedia(
            resident, from_chat, message_id, self._title(store, resident), caption or "", delete_after))

    def resident_erased(self, store: Store, resident: int, topic_id: int | None, note: str = "") -> None:
        # What was queued about the resident (a card, relays) is never sent; the topic goes.
        group = store.tickets.topic_group(resident) or self.group_of(store, resident)
        for chat in dict.fromkeys((group, self.group_id)):
            store.outbox.delete_items_about(chat, resident)
        outbox.put(store.outbox, group, outbox.TopicErased(resident, topic_id))
        if note:
            outbox.put(store.outbox, group, outbox.Text(note))

    def ticket_closed(self, store: Store, resident: int, text: str, buttons: outbox.InlineRows = ()) -> None:
        outbox.put(store.outbox, self.group_of(store, resident), outbox.TopicClosing(
            resident, text, self._title(store, resident), buttons))

    def ticket_moved(self, store: Store, resident: int, old_group: int, text: str) -> None:
        """The resident's topic in ``old_group`` is told where the ticket went, then closed."""
        topic = store.tickets.topic_for(resident)
        if topic is not None and store.tickets.topic_group(resident) == old_group:
            outbox.put(store.outbox, old_group, outbox.TopicMoved(topic[0], text))


def card_buttons(renderer: Renderer, ticket_id: int) -> InlineKeyboardMarkup:
    t = renderer.t
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(t.text("desk.btn.take"), callback_data=CardButton(CardAction.TAKE, ticket_id).data)],
        [InlineKeyboardButton(t.text("desk.btn.finish"), callback_data=CardButton(CardAction.FINISH, ticket_id).data),
         InlineKeyboardButton(t.text("desk.btn.end"), callback_data=CardButton(CardAction.END, ticket_id).data)],
    ])


def _inline(rows: outbox.InlineRows) -> InlineKeyboardMarkup | None:
    """((label, callback data), ...) rows, as inline buttons."""
    if not rows:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data) for label, data in row]
                                 for row in rows])


def _missing_topic(exc: BadRequest) -> bool:
    text = exc.message.lower()
    return "thread not found" in text or "topic_deleted" in text or "topic_id_invalid" in text


def _closed_topic(exc: BadRequest) -> bool:
    return "topic_closed" in exc.message.lower()


class ForumSender:
    """Sends the operators' group items of the outbox (run in the group's single sender task)."""

    def __init__(self, bot: Bot, store: Store, group_id: int, renderer: Renderer,
                 laporan: Callable[[], tuple[bytes, str]] | None = None):
        self.bot = bot
        self.store = store
        self.group_id = group_id
        self.renderer = renderer
        self.laporan = laporan  # /laporan's chart and three lines (bot/followup/laporan.py)

    # Every item is sent in the group it was queued for (item.chat_id): one sender task per
    # group, so each group's 20 messages a minute are its own.
    async def send(self, item: OutboxItem, message: outbox.ForumMessage) -> None:
        group = item.chat_id
        match message:
            case outbox.TopicCard():
                await self.open(group, message)
            case outbox.TopicText():
                await self.text(item, message)
            case outbox.TopicMedia():
                await self.media(group, message)
            case outbox.TopicClosing():
                await self.close(group, message)
            case outbox.GroupReply():
                await self.reply(group, message)
            case outbox.TopicMoved():
                await self.moved(group, message)
            case outbox.OutcomeShown():
                await self.resolved(group, message)
            case outbox.TopicErased():
                await self.erase(group, message)
            case outbox.GroupReport():
                await self.report(group, message)
            case _:
                assert_never(message)

    async def report(self, group: int, m: outbox.GroupReport) -> None:
        """/laporan: drawn now (the figures of this moment), off the event loop."""
        if self.laporan is None:
            return
        png, caption = await asyncio.to_thread(self.laporan)
        await self.bot.send_photo(group, InputFile(png, filename="laporan.png"), caption=caption[:1024],
                                  message_thread_id=m.thread_id)

    async def open(self, group: int, m: outbox.TopicCard) -> None:
        markup = card_buttons(self.renderer, m.ticket)
        await self._in_topic(group, m.resident, m.title, lambda thread: self.bot.send_message(
            group, m.card[:4096], message_thread_id=thread, reply_markup=markup), rename=True)

    async def text(self, item: OutboxItem, m: outbox.TopicText) -> None:
        group = item.chat_id
        # When the group's budget (20/min) makes relays queue up, a resident's consecutive texts
        # travel as one message instead of waiting for one slot each; nothing is dropped.
        merged: list[tuple[int, str]] = [(item.id, m.text)]
        size = len(m.text)
        for follower in self.store.outbox.pending_of_kind(group, outbox.TopicText.kind, m.resident, item.id):
            try:
                line = outbox.decode(follower.payload)
            except outbox.UnreadableItem:
                break  # set aside when its own turn comes
            assert isinstance(line, outbox.TopicText)
            if size + len(line.text) + 1 > MERGE_LIMIT:
                break
            merged.append((follower.id, line.text))
            size += len(line.text) + 1
        text = "\n".join(line for _, line in merged)
        for part in split_text(text):
            await self._in_topic(group, m.resident, m.title, lambda thread, part=part: self.bot.send_message(
                group, part, message_thread_id=thread))
        for follower_id, _ in merged[1:]:
            self.store.outbox.mark_sent(follower_id)

    async def media(self, group: int, m: outbox.TopicMedia) -> None:
        # The caption is always the masked one: an empty caption drops the original. (Items
        # queued before captions were masked have none: those keep the original.)
        try:
            await self._in_topic(group, m.resident, m.title, lambda thread: self.bot.copy_message(
                group, m.from_chat, m.message_id, message_thread_id=thread, caption=m.caption))
        finally:
            if m.delete_after:
                # The resident's message held a secret: it goes even if the copy failed.
                try:
                    await self.bot.delete_message(m.from_chat, m.message_id)
                except TelegramError as exc:
                    log.info("could not delete a message with a secret: %s", type(exc).__name__)

    async def reply(self, group: int, m: outbox.GroupReply) -> None:
        """The bot's answer to an operator, in the topic they wrote in. A closed topic (the
        ticket was finished) is reopened: the operator is working there again."""
        thread = m.thread_id

        def send():
            return self.bot.send_message(group, m.text[:4096], message_thread_id=thread)
        try:
            await send()
        except BadRequest as exc:
            if thread is None or not _closed_topic(exc):
                raise
            resident = self.store.tickets.resident_of_topic(thread, group)
            if resident is None:
                await self.bot.reopen_forum_topic(group, thread)
            else:
                await self._reopen(group, thread, resident)
            await send()

    async def moved(self, group: int, m: outbox.TopicMoved) -> None:
        """The ticket went to another group: say where in the old topic, then close it."""
        try:
            await self.bot.send_message(group, m.text, message_thread_id=m.thread)
            await self.bot.close_forum_topic(group, m.thread)
        except BadRequest as exc:  # closed or deleted already: the new group has the ticket
            log.info("could not close moved topic %s: %s", m.thread, exc.message)

    async def resolved(self, group: int, m: outbox.OutcomeShown) -> None:
        """The outcome was chosen: the closing message shows it instead of the buttons."""
        try:
            await self.bot.edit_message_text(m.text, chat_id=group, message_id=m.message_id)
        except BadRequest as exc:  # deleted, or the same text: the choice is stored either way
            log.info("could not show the outcome on message %s: %s", m.message_id, exc.message)

    async def erase(self, group: int, m: outbox.TopicErased) -> None:
        """The resident erased their data: their topic, with the card and every message, goes."""
        topic = m.topic or (self.store.tickets.topic_for(m.resident) or (None,))[0]
        if topic is not None:
            try:
                await self.bot.delete_forum_topic(group, topic)
            except BadRequest as exc:
                log.info("could not delete topic %s: %s", topic, exc.message)
        self.store.tickets.forget_topic(m.resident)

    async def close(self, group: int, m: outbox.TopicClosing) -> None:
        topic = self.store.tickets.topic_for(m.resident)
        if topic is None or self.store.tickets.topic_group(m.resident) != group:
            return
        markup = _inline(m.buttons)
        await self._in_topic(group, m.resident, m.title, lambda thread: self.bot.send_message(
            group, m.text, message_thread_id=thread, reply_markup=markup))
        try:
            await self.bot.close_forum_topic(group, topic[0])
        except BadRequest as exc:
            log.info("could not close topic %s: %s", topic[0], exc.message)
        self.store.tickets.set_topic_closed(m.resident, True)

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
                self.store.tickets.forget_topic(resident)
                thread = await self._ensure_topic(group, resident, title, False)
                if thread is None:
                    return
            else:
                raise
            await send(thread)

    async def _ensure_topic(self, group: int, resident: int, title: str, rename: bool) -> int | None:
        topic = self.store.tickets.topic_for(resident)
        if topic is not None and self.store.tickets.topic_group(resident) != group:
            ticket = self.store.tickets.active_for(resident)
            if ticket is not None and ticket.group_id not in (None, group):
                # Already on its way to this group when the ticket moved on (/pindah): what
                # was still waiting followed the ticket (ForumChannel.ticket_opened); this one
                # is sent to the new group too, never dropped.
                log.info("item for resident %s in group %s follows the ticket to group %s", resident, group,
                         ticket.group_id)
                self.store.outbox.move_items_about(group, ticket.group_id, resident, CARRIED_KINDS)
                return None
            topic = None  # the resident's topic is in another group: open one here
        if topic is None:
            created = await self.bot.create_forum_topic(group, title)
            self.store.tickets.save_topic(resident, created.message_thread_id, title, group)
            return created.message_thread_id
        thread, old_title, closed = topic
        if closed:
            await self._reopen(group, thread, resident)
        if rename and title != old_title:
            try:
                await self.bot.edit_forum_topic(group, thread, name=title)
                self.store.tickets.save_topic(resident, thread, title, group)
            except BadRequest as exc:
                log.info("could not rename topic %s: %s", thread, exc.message)
        return thread

    async def _reopen(self, group: int, thread: int, resident: int) -> None:
        try:
            await self.bot.reopen_forum_topic(group, thread)
        except BadRequest as exc:
            log.info("could not reopen topic %s: %s", thread, exc.message)
        self.store.tickets.set_topic_closed(resident, False)
