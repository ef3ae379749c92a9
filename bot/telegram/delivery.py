"""Deliver the outbox to Telegram: in order per chat, paced, within limits, nothing dropped.

Each chat with pending messages gets one sender task, so one chat's backlog never delays another
chat's reply beyond the global rate (which PTB's AIORateLimiter enforces, with the 20/min group
limit). Per chat we keep at least ``chat_interval`` seconds between messages (Telegram's ~1/s)
and ``pacing`` seconds between the messages of one reply, showing "typing…" while waiting.
A 429 is waited out and retried; a call that never reached Telegram is retried with back-off
until it does; one sent but never answered (a timeout, a dropped connection: perhaps carried
out) is sent once more at most, so a resident sees at most one duplicate; any other error is
tried a few times with back-off, then given up with a log line, and the chat's later messages
still go. A resident who blocked the bot (403) is marked inactive and nothing more is sent to them.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import sqlite3
import time
from datetime import timedelta
from typing import TYPE_CHECKING, assert_never

import httpx
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot import outbox
from bot.store import OutboxItem, Store
from bot.telegram.outage import storage_refused
from bot.telegram.split import split_text
from bot.vocabulary import RatingButton

if TYPE_CHECKING:
    from bot.desk.telegram import ForumSender

log = logging.getLogger(__name__)
BUSY_SENDERS = 8  # more chats than this with messages waiting: no "typing…" courtesy
# A call sent but never answered (read timeout, dropped connection) may have been carried out:
# sent again at most this many times, so a resident sees at most one duplicate of a message.
AMBIGUOUS_RESENDS = 1
# httpx errors raised before the request was sent: nothing can have reached Telegram.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteTimeout)


def maybe_carried_out(exc: TelegramError) -> bool:
    """Did Telegram perhaps carry out the call although it failed? A 5xx or other answer means no;
    a request that never left means no; a read timeout or a dropped connection means maybe."""
    cause = exc.__cause__
    if not isinstance(exc, (TimedOut, NetworkError)) or cause is None:
        return False  # Telegram answered (5xx, an error): it did not carry it out
    return not isinstance(cause, _NOT_SENT)


def keyboard(rows: tuple[tuple[str, ...], ...]) -> ReplyKeyboardMarkup | None:
    if not rows:
        return None
    return _keyboard(rows)


@functools.lru_cache(maxsize=512)
def _keyboard(rows: tuple[tuple[str, ...], ...]) -> ReplyKeyboardMarkup:
    # A persistent, resized reply keyboard: big targets that stay visible for older fingers.
    # Steps show the same few keyboards again and again, and PTB's objects are immutable, so
    # each is built once.
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=True)


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class Delivery:
    def __init__(self, bot: Bot, store: Store, *, pacing: float = 1.0, chat_interval: float = 1.0,
                 idle_poll: float = 1.0, max_backoff: float = 30.0, forum: ForumSender | None = None,
                 bulk_in_flight: int = 4, first_backoff: float = 0.5, max_failures: int = 5):
        self.bot = bot
        # Bulk items (reminders) take one of a few turns before they may queue for the global rate
        # limit, so a resident who is talking waits behind at most these, not behind a backlog.
        self._bulk_gate = asyncio.Semaphore(bulk_in_flight)
        # Sends the operators' group items (topics, cards); None without an operators' group.
        self.forum = forum
        self.store = store
        self.pacing = pacing
        self.chat_interval = chat_interval
        self.idle_poll = idle_poll
        self.max_backoff = max_backoff
        self.first_backoff = first_backoff
        self.max_failures = max_failures  # tries of an item that fails in a way that is no Telegram error
        self._senders: dict[int, asyncio.Task[None]] = {}
        self._last_sent: dict[int, float] = {}
        self._parts_done: dict[int, int] = {}
        self._runner: asyncio.Task[None] | None = None
        self._stopping = False
        self.sent = 0

    def wake(self) -> None:
        """Items were queued: start a sender for each chat that got some (and has none yet)."""
        if self._runner is None or self._stopping:
            return  # the first scan after start() finds them
        self._start_senders(self.store.outbox.take_enqueued_chats())

    def _start_senders(self, chats) -> None:
        for chat_id in chats:
            # A chat that has a sender is skipped: the sender reads the outbox until empty.
            if chat_id not in self._senders:
                self._senders[chat_id] = asyncio.create_task(self._drain(chat_id))

    async def start(self) -> None:
        self._stopping = False
        self._runner = asyncio.create_task(self._run(), name="teman-ikd-delivery")

    async def stop(self, drain_timeout: float = 5.0) -> None:
        """Let in-flight messages finish (briefly), then stop; what is left stays in the outbox."""
        self._stopping = True
        if self._senders:
            await asyncio.wait(list(self._senders.values()), timeout=drain_timeout)
        for task in [*self._senders.values(), *([self._runner] if self._runner else [])]:
            task.cancel()
        await asyncio.gather(*self._senders.values(), *([self._runner] if self._runner else []), return_exceptions=True)
        self._senders.clear()
        self._runner = None
        self.write_sent_marks()

    async def idle(self, timeout: float = 10.0) -> bool:
        """Wait until the outbox is empty and no sender runs (for tests and the demo)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._senders and not self.store.in_transaction and self.nothing_pending():
                return True
            await asyncio.sleep(0.02)
        return False

    def nothing_pending(self) -> bool:
        """The outbox is empty. A database that cannot answer now (with several workers the count
        is read from it; the server may just have dropped the connection, which the next statement
        opens again) counts as "not known to be empty": asked again at the next look."""
        try:
            return self.store.outbox.count_pending() == 0
        except sqlite3.Error:
            return False

    async def _run(self) -> None:
        # Senders start when the adapter wakes us after an update; this look at every chat with
        # pending items, every ``idle_poll`` seconds, covers whatever was queued without a wake
        # (at start, after an error ended a sender).
        while not self._stopping:
            self.store.outbox.take_enqueued_chats()
            self.write_sent_marks()  # any the database refused before
            try:
                # (With several workers this reads the database: also what other workers queued.)
                chats = self.store.outbox.pending_chats()
            except Exception as exc:  # noqa: BLE001 -- the database cannot be read now: the next look tries again
                log.warning("could not look at the outbox (%s); trying again in %.0f s", type(exc).__name__,
                            self.idle_poll)
                chats = []
            self._start_senders(chats)
            await asyncio.sleep(self.idle_poll)

    async def _drain(self, chat_id: int) -> None:
        outbox = self.store.outbox
        try:
            while not self._stopping:
                # With several workers, one at a time sends a chat's items (its lease). Whoever
                # holds it looks once more after letting go, so an item queued while another
                # worker was refused the lease is never left behind. (SQLite: always ours.)
                try:
                    if not outbox.lease(chat_id):
                        return
                    try:
                        await self._drain_leased(chat_id)
                    finally:
                        outbox.release(chat_id)
                    if outbox.next_for(chat_id) is None:
                        return
                except Exception as exc:  # noqa: BLE001 -- the database cannot be read: the next look tries again
                    log.warning("could not read the outbox of chat %s (%s)", chat_id, type(exc).__name__)
                    return
        finally:
            # No await lies between the last empty next_for() and here, so nothing can have
            # arrived for this chat meanwhile (whatever arrived while sending, the loop above
            # took); an error exit leaves the item for the next look at the outbox.
            self._senders.pop(chat_id, None)

    async def _drain_leased(self, chat_id: int) -> None:
        while not self._stopping:
            item = self.store.outbox.next_for(chat_id)
            if item is None:
                return
            await self._deliver(item)

    async def _deliver(self, item: OutboxItem) -> None:
        try:
            message = outbox.decode(item.payload)
        except outbox.UnreadableItem as exc:
            # Written by a newer or broken version: set aside (failed, with why), the chat goes on.
            log.error("outbox item %s set aside: %s", item.id, exc)
            reason = f"unreadable: {exc}"[:200]
            self._settle(item, lambda: self.store.outbox.mark_failed(item.id, reason))
            return
        backoff = self.first_backoff
        unanswered = 0  # calls that may have been carried out although no answer came
        failures = 0  # other errors (a bug, an answer PTB cannot read, the database refusing)
        while not self._stopping:
            # Asked before every try: a resident may block the bot while we wait out a 429.
            try:
                if item.chat_id > 0 and not self.store.residents.is_active(item.chat_id):
                    self.store.outbox.mark_failed(item.id, "inactive")
                    return
                if isinstance(message, outbox.Text) and message.bulk:
                    async with self._bulk_gate:
                        await self._send(item, message)
                else:
                    await self._send(item, message)
            except RetryAfter as exc:
                wait = _seconds(exc.retry_after)
                log.info("429 from Telegram for chat %s: waiting %.1f s", item.chat_id, wait)
                await asyncio.sleep(wait)
                continue
            except Forbidden:
                log.info("resident %s blocked the bot; marking inactive", item.chat_id)
                self._settle(item, lambda: self._blocked(item.chat_id))
                return
            except BadRequest as exc:
                # Permanent for this item (e.g. a message too old to delete); keep the rest going.
                log.warning("Telegram refused outbox item %s (%s): %s", item.id, message.kind, exc.message)
                reason = exc.message[:200]
                self._settle(item, lambda reason=reason: self.store.outbox.mark_failed(item.id, reason))
                return
            except (TimedOut, NetworkError, TelegramError) as exc:
                if not maybe_carried_out(exc):
                    # Nothing reached Telegram (no connection, a 5xx answer): sending again
                    # cannot show anything twice, so it is tried until it goes through.
                    log.warning("sending outbox item %s failed (%s); retrying in %.1f s", item.id,
                                type(exc).__name__, backoff)
                else:
                    unanswered += 1
                    if unanswered > AMBIGUOUS_RESENDS:
                        # Sent twice with no answer: it very likely arrived (Telegram answers late
                        # under load). A third send would be the second duplicate the resident sees.
                        log.warning("outbox item %s: no answer from Telegram after %d sends; taken as delivered, "
                                    "not sent again", item.id, unanswered)
                        self._settle(item, lambda: self._sent(item))
                        return
                    log.warning("no answer from Telegram for outbox item %s (%s); sending it once more in %.1f s",
                                item.id, type(exc).__name__, backoff)
                self._settle(item, lambda: self.store.outbox.mark_attempt(item.id), give_up=False)
            except Exception as exc:  # noqa: BLE001 - anything else must not end this chat's sender
                failures += 1
                if failures >= self.max_failures:
                    log.error("outbox item %s (%s) failed %d times (%s: %s); giving up on it", item.id,
                              message.kind, failures, type(exc).__name__, str(exc)[:200])
                    self._parts_done.pop(item.id, None)
                    reason = f"error: {type(exc).__name__}"
                    self._settle(item, lambda reason=reason: self.store.outbox.mark_failed(item.id, reason))
                    return
                log.warning("sending outbox item %s failed (%s); retrying in %.1f s", item.id,
                            type(exc).__name__, backoff)
                self._settle(item, lambda: self.store.outbox.mark_attempt(item.id), give_up=False)
            else:
                self._sent(item)
                return
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.max_backoff)

    def _sent(self, item: OutboxItem) -> None:
        self._parts_done.pop(item.id, None)
        self.store.outbox.mark_sent_later(item.id)  # in memory at once: never offered again in this process
        self.write_sent_marks()

    def _blocked(self, chat_id: int) -> None:
        with self.store.transaction():  # inactive and nothing left to send, together
            self.store.set_active(chat_id, False)
            self.store.outbox.drop_pending_for(chat_id, "blocked")

    def write_sent_marks(self) -> None:
        """Commit the sent-marks not yet written: at once after each send, in a transaction of
        their own. If the database refuses (a full disk), they stay in memory and go with the next
        send, the next look at the outbox or the stop, so a message that left is not sent again
        after a restart; a crash before that repeats it (at least once)."""
        marks = self.store.outbox.take_sent()
        if not marks:
            return
        try:
            with self.store.transaction():
                self.store.outbox.write_sent(marks)
        except Exception as exc:  # noqa: BLE001 -- kept for later whatever the cause; a refusal is logged by the outage
            self.store.outbox.keep_sent_for_later(marks)
            if not storage_refused(exc):
                log.warning("could not record %d sent message(s) (%s)", len(marks), type(exc).__name__)

    def _settle(self, item: OutboxItem, write, give_up: bool = True) -> None:
        """Record a verdict on ``item``; if the database refuses (a full disk), the item leaves
        this sender's hands anyway (``give_up``) and is offered again after the next start."""
        try:
            write()
        except Exception as exc:  # noqa: BLE001 -- a verdict not recorded is offered again after a restart
            log.warning("could not record the outcome of outbox item %s (%s)", item.id, type(exc).__name__)
            if give_up:
                self.store.outbox.forget_pending(item.id)

    async def _send(self, item: OutboxItem, message: outbox.Message) -> None:
        match message:
            case outbox.Text():
                await self._send_text(item, message)
            case outbox.Delete(message_id=message_id):
                await self.bot.delete_message(item.chat_id, message_id)
            case outbox.AnswerCallback(id=query_id):
                await self.bot.answer_callback_query(query_id)
            case outbox.Copy(from_chat=from_chat, message_id=message_id):
                await self.bot.copy_message(item.chat_id, from_chat, message_id)
            case outbox.RatingQuestion():
                # One tap after a handoff: was it helpful? (the answer comes back as rate:<ticket>:<value>)
                markup = InlineKeyboardMarkup([[
                    InlineKeyboardButton(message.up, callback_data=RatingButton(message.ticket, "up").data),
                    InlineKeyboardButton(message.down, callback_data=RatingButton(message.ticket, "down").data)]])
                await self.bot.send_message(item.chat_id, message.text, reply_markup=markup)
            case (outbox.TopicCard() | outbox.TopicText() | outbox.TopicMedia() | outbox.TopicClosing()
                  | outbox.TopicErased() | outbox.TopicMoved() | outbox.GroupReply() | outbox.OutcomeShown()
                  | outbox.GroupReport()):
                if self.forum is None:  # queued while an operators' group was configured
                    raise BadRequest(f"no operators' group to send a {message.kind} item to")
                await self.forum.send(item, message)
            case _:
                assert_never(message)

    async def _send_text(self, item: OutboxItem, message: outbox.Text) -> None:
        parts = split_text(message.text)
        markup = keyboard(message.rows)
        # Parts already sent survive a retry of the rest (no duplicate first halves).
        done = self._parts_done.get(item.id, 0)
        for index, part in enumerate(parts):
            if index < done:
                continue
            await self._pace(item.chat_id)
            await self.bot.send_message(item.chat_id, part, reply_markup=markup if index == len(parts) - 1 else None)
            self._last_sent[item.chat_id] = time.monotonic()
            self._parts_done[item.id] = index + 1
            self.sent += 1
        self._parts_done.pop(item.id, None)

    async def _pace(self, chat_id: int) -> None:
        last = self._last_sent.get(chat_id)
        if last is None:
            return
        gap = max(self.pacing, self.chat_interval) if chat_id > 0 else 0.0
        wait = last + gap - time.monotonic()
        if wait <= 0:
            return
        # "typing…" counts against the global rate limit like a message; while many chats wait
        # for their turn, that share of the budget goes to messages instead.
        if wait >= 0.5 and chat_id > 0 and len(self._senders) <= BUSY_SENDERS:
            with contextlib.suppress(TelegramError):  # "typing…" is a courtesy; never let it block a message
                await self.bot.send_chat_action(chat_id, ChatAction.TYPING)
        await asyncio.sleep(wait)
