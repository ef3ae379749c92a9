"""Translate Telegram updates into guide inputs (and nothing more).

Every update kind gets an outcome: a resident's text, command, button press or media goes to
the guide; a block or unblock marks the resident inactive or active; a message in a group the
bot was added to gets a short note that the guide works in private chat; channel posts, inline
queries and other kinds are ignored by design (logged at DEBUG). Already-handled update ids
(a redelivery after a crash) are skipped.

Each update is one unit of work: its claim in the inbox, the guide's step or the desk's action
and the outbox items they queue are one ``store.transaction()``, committed before the next
update of that chat is looked at; a failure undoes all of it (the replies never leave: the
delivery sees only what was committed). A refusal of the database is retried later
(bot/telegram/outage.py); any other failure gets the resident an apology, in a unit of its own.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from telegram import Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import ContextTypes

from bot import outbox
from bot.engine import Input
from bot.guide import Guide
from bot.telegram.delivery import Delivery
from bot.telegram.flood import FloodReply
from bot.telegram.ids import MAX_ID, ids_fit
from bot.telegram.outage import Outage, storage_refused
from bot.telegram.processor import chat_key
from bot.vocabulary import RATING_PREFIX, CommandLine, RatingButton, StepButton, parse_callback, parse_command

if TYPE_CHECKING:
    from bot.desk.operators import ForumDesk

log = logging.getLogger(__name__)

# Message attributes that carry media, and the media kind the guide knows them as.
_MEDIA = (("photo", "photo"), ("voice", "voice"), ("audio", "audio"), ("video_note", "video_note"),
          ("video", "video"), ("animation", "animation"), ("sticker", "sticker"), ("document", "document"),
          ("venue", "location"), ("location", "location"), ("contact", "contact"), ("poll", "poll"), ("dice", "dice"))
GROUP_NOTE_EVERY = 600.0  # seconds: a group hears the "private chat only" note at most this often


def message_input(message: Message) -> Input | None:
    """The guide input a private message stands for, or None for service messages."""
    at = message.date
    if message.text is not None:
        text = message.text
        command = parse_command(text)
        if isinstance(command, CommandLine):
            return Input.commanded(command.name, command.argument, at=at)
        return Input.typed(text, at=at)
    for attribute, kind in _MEDIA:
        if getattr(message, attribute, None):
            # The caption is written by the resident like any text: it is checked for secrets.
            # A shared contact's number travels the same way, so it is only ever kept masked.
            caption = message.contact.phone_number if attribute == "contact" and message.contact else message.caption
            return Input.sent(kind, at=at, caption=caption or "")
    return None


class TelegramAdapter:
    def __init__(self, guide: Guide, delivery: Delivery, *, outage: Outage, operator_chat: int | None = None,
                 forum: ForumDesk | None = None, forums: dict[int, ForumDesk] | None = None):
        self.guide = guide
        self.store = guide.store
        self.delivery = delivery
        self.operator_chat = operator_chat
        self.forum = forum
        # Every operators' group (the Disdukcapil group and the kecamatan groups), by chat id.
        self.forums = forums or ({operator_chat: forum} if forum is not None and operator_chat is not None else {})
        self._group_noted: dict[int, float] = {}
        self.outage = outage  # what the database refused, to be handled again (outage.py)
        self.flood = FloodReply(guide)  # one calm "sebentar ya" per burst (bot/telegram/flood.py)

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not ids_fit(update):
            log.warning("update %s carries an id beyond 64 bits: ignored by design", str(update.update_id)[:24])
            if -MAX_ID <= update.update_id <= MAX_ID:  # kept in the inbox: done with, not waiting there
                try:
                    with self.store.transaction():
                        self.store.inbox.claim_update(update.update_id)
                except Exception as exc:
                    if not storage_refused(exc):
                        raise  # (refused: it waits in the inbox and is ignored again next time)
            return
        try:
            desk = self._operators_desk(update)
            if desk is not None:
                await self._operators(update, desk)
            else:
                # No await inside: the claim and the step commit together or not at all.
                with self.store.transaction():
                    chat = chat_key(update)
                    if chat is not None:
                        self.store.inbox.lock_chat(chat)  # no other worker is in this chat's turn now
                        self._earlier(chat, update)
                    if self.store.inbox.claim_update(update.update_id):  # else a redelivery after a crash
                        self._dispatch(update)
        except Exception as exc:
            if storage_refused(exc):
                # The database refused the step (a full disk): nothing of it happened, so no
                # apology either; the update is handled again once the database writes.
                self.outage.retry_later(update, exc)
                return
            log.exception("could not handle update %s", update.update_id)
            try:
                with self.store.transaction():
                    self.store.inbox.claim_update(update.update_id)
                    self._apologise(update)
            except Exception as again:
                if not storage_refused(again):
                    raise
                self.outage.retry_later(update, again)
                return
        self.outage.handled(update.update_id)

    def _earlier(self, chat: int, update: Update) -> None:
        """With several workers, another may have taken in an earlier update of this chat and
        not reached it yet (or died): handled first, each in a unit of its own, so a chat's
        updates keep their order. (One worker: there is never one; its processor keeps the order.)
        One that fails is left to the worker that took it in, which apologises if it fails there too."""
        for data in self.store.inbox.unhandled_before(chat, update.update_id):
            data.pop("_teman_masked", None)
            earlier = Update.de_json(data, update.get_bot())
            if earlier is None:
                continue
            if not ids_fit(earlier):  # ignored by design (see on_update)
                self.store.inbox.claim_update(earlier.update_id)
                continue
            try:
                with self.store.transaction():
                    if self.store.inbox.claim_update(earlier.update_id):
                        self._dispatch(earlier)
            except Exception as exc:
                if storage_refused(exc):
                    raise
                log.exception("could not handle update %s (taken in before %s)", earlier.update_id, update.update_id)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("error while handling an update: %s", type(context.error).__name__, exc_info=context.error)

    # ----- the operators' group ------------------------------------------------------------
    def _operators_desk(self, update: Update) -> ForumDesk | None:
        """The desk of the operators' group this update comes from, if it comes from one."""
        query = update.callback_query
        if query is not None:
            return self.forums.get(query.message.chat.id) if query.message is not None else None
        message = update.message or update.edited_message
        return self.forums.get(message.chat.id) if message is not None else None

    async def _operators(self, update: Update, desk: ForumDesk) -> None:
        # Edits of what was already relayed stay in the group; everything else needs an operator.
        operator = None if update.edited_message is not None else await desk.authorise(update)
        # No await below: the desk's writes and the update's claim happen together or not at all.
        with self.store.transaction():
            self.store.inbox.lock_chat(desk.group_id)  # one worker at a time acts in a group
            if self.store.inbox.claim_update(update.update_id) and update.edited_message is None:
                desk.handle(update, operator)

    # ----- dispatch -----------------------------------------------------------------------
    def _dispatch(self, update: Update) -> bool:
        """Route one update (True when it went to the guide); the caller claimed it in the inbox."""
        if update.my_chat_member is not None:
            self._membership(update)
            return False
        if update.chat_member is not None:
            change = update.chat_member
            if self.forum is not None and change.chat.id == self.operator_chat:
                self.forum.member_changed(change.new_chat_member.user.id, change.new_chat_member.status)
            return False
        if update.callback_query is not None:
            return self._callback(update)
        message = update.message or update.edited_message
        if message is not None:
            if message.chat.type == ChatType.PRIVATE:
                return self._private(update, message)
            if message.chat.id in self.forums or message.chat.id == self.operator_chat:
                return False  # the operator desk's business (handoff issue)
            self._group_note(message)
            return False
        log.debug("update %s of a kind the guide ignores by design", update.update_id)
        return False

    def _private(self, update: Update, message: Message) -> bool:
        inp = message_input(message)
        if inp is None:
            log.debug("service message in private chat ignored (update %s)", update.update_id)
            return False
        # (Saving the conversation re-activates a resident who had blocked the bot and came back.)
        first_name = message.from_user.first_name if message.from_user else None
        self.guide.handle(message.chat.id, inp, message_ref=message.message_id, first_name=first_name)
        self.flood.after(message.chat.id)
        return True

    def _callback(self, update: Update) -> bool:
        query = update.callback_query
        assert query is not None
        # Always answer, or the resident's button keeps spinning.
        outbox.put(self.store.outbox, query.from_user.id, outbox.AnswerCallback(query.id))
        chat = query.message.chat if query.message else None
        if chat is None or chat.type != ChatType.PRIVATE:
            return False
        if chat.id != query.from_user.id:
            # In a private chat the presser is the chat; a query saying otherwise is forged and
            # acts for nobody (answered, ignored by design).
            log.info("callback %s: presser %s is not chat %s; ignored", update.update_id, query.from_user.id, chat.id)
            return False
        # Callback data can be forged by any client: only what bot/vocabulary.py builds is read.
        data = query.data or ""
        button = parse_callback(data)
        if isinstance(button, RatingButton) or data.startswith(RATING_PREFIX):
            # 👍/👎 after a handoff (bot/desk/review.py); checked against the resident's own tickets
            # (a forged one, say with a 30-digit ticket, is answered and does nothing).
            if isinstance(button, RatingButton) and self.forum is not None:  # the desk's interface, not the guide's
                self.forum.service.rate(chat.id, button.ticket, button.value)
            return False
        # The guide uses reply keyboards; a step's button is read only if its state is the
        # resident's current state (anything else is button 0: "that button has expired").
        number = 0
        stored = self.store.residents.load(chat.id)
        if stored and isinstance(button, StepButton) and button.state == stored.conversation.state:
            number = button.number
        self.guide.handle(chat.id, Input.pressed(number))
        return True

    def _membership(self, update: Update) -> None:
        change = update.my_chat_member
        assert change is not None
        chat, status = change.chat, change.new_chat_member.status
        if chat.type == ChatType.PRIVATE:
            blocked = status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT)
            self.store.set_active(chat.id, not blocked)
            if blocked:
                self.store.outbox.drop_pending_for(chat.id, "blocked")
            log.info("resident %s %s the bot", chat.id, "blocked" if blocked else "unblocked")
            return
        joined = status in (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR)
        if chat.id != self.operator_chat and chat.id not in self.forums and joined:
            self._note_group(chat.id)

    def _group_note(self, message: Message) -> None:
        text = message.text or ""
        addressed = text.startswith("/") or any(e.type == "mention" for e in (message.entities or ()))
        if addressed:
            self._note_group(message.chat.id)

    def _note_group(self, chat_id: int) -> None:
        now = time.monotonic()
        if now - self._group_noted.get(chat_id, -GROUP_NOTE_EVERY) < GROUP_NOTE_EVERY:
            return
        self._group_noted[chat_id] = now
        t = self.guide.renderers[self.guide.default_locale].t
        outbox.put(self.store.outbox, chat_id, outbox.Text(t.text("tg.private_only")))

    def _apologise(self, update: Update) -> None:
        chat = update.effective_chat
        if chat is not None and chat.type == ChatType.PRIVATE:
            t = self.guide.renderers[self.guide.default_locale].t
            outbox.put(self.store.outbox, chat.id, outbox.Text(t.text("tg.error")))
