"""What operators do in the forum group: commands, replies in topics, card buttons.

Only members of the operators' group (asked with getChatMember, cached briefly, updated at once
by chat_member updates) or people on the allow-list may act. When getChatMember fails, it is
asked again; then what was known before is used; if nothing was, the operator is told in the
topic that the message was not passed on (never a silent drop). Messages in the group that belong
to no ticket are left alone;
residents never get operator powers because they never write in this group.
"""

from __future__ import annotations

import asyncio
import logging
import time

from telegram import Bot, CallbackQuery, Message, Update
from telegram.error import BadRequest

from bot import outbox
from bot.desk import sending, visits
from bot.desk.safeguards import asks_for_secret
from bot.desk.service import DeskService, Operator
from bot.desk.telegram import MEMBER_CACHE_SECONDS, OPERATOR_STATUSES, OperatorGroupError
from bot.redaction import redact
from bot.render import Renderer
from bot.store import Store, Ticket
from bot.vocabulary import (
    GROUP_COMMANDS,
    TICKET_COMMANDS,
    CardAction,
    CardButton,
    CommandLine,
    DeskCommand,
    NoteLine,
    OutcomeButton,
    parse_callback,
    parse_command,
)

log = logging.getLogger(__name__)
MEMBER_TRIES = 3  # getChatMember calls before membership counts as unknown
MEMBER_RETRY_DELAY = 0.5  # seconds before the second call (doubling)
UNVERIFIED = Operator(0, "")  # authorise(): Telegram could not say whether this is an operator
# The ticket card's buttons (bot/vocabulary.py CardButton) and the command each means.
CARD_ACTIONS = {CardAction.TAKE: DeskCommand.AMBIL, CardAction.FINISH: DeskCommand.SELESAI,
                CardAction.END: DeskCommand.TUTUP}


class ForumDesk:
    def __init__(self, service: DeskService, bot: Bot, store: Store, group_id: int, renderer: Renderer,
                 allow: frozenset[int] = frozenset()):
        self.service = service
        self.bot = bot
        self.store = store
        self.group_id = group_id
        self.renderer = renderer
        self.allow = allow
        self._members: dict[int, tuple[bool, float]] = {}

    # ----- setup ---------------------------------------------------------------------------
    async def verify(self) -> None:
        """At start: the group must be a forum where the bot may manage topics."""
        try:
            chat = await self.bot.get_chat(self.group_id)
        except Exception as exc:  # noqa: BLE001 -- whatever the cause, start-up stops with one clear line
            raise OperatorGroupError(f"TEMAN_IKD_OPERATOR_CHAT {self.group_id}: the bot cannot open this chat "
                                     f"({type(exc).__name__}); add the bot to the group first") from None
        if not getattr(chat, "is_forum", False):
            raise OperatorGroupError(f"TEMAN_IKD_OPERATOR_CHAT {self.group_id}: the group is not a forum; "
                                     "turn on Topics in the group's settings")
        me = await self.bot.get_me()
        member = await self.bot.get_chat_member(self.group_id, me.id)
        if member.status != "administrator" or not getattr(member, "can_manage_topics", False):
            raise OperatorGroupError(f"TEMAN_IKD_OPERATOR_CHAT {self.group_id}: make the bot an administrator "
                                     "with the right to manage topics")

    async def is_operator(self, user_id: int) -> bool | None:
        """Whether ``user_id`` may act as an operator; None if Telegram could not say and nothing
        was known before (the caller tells the operator instead of dropping the message)."""
        if user_id in self.allow:
            return True
        cached = self._members.get(user_id)
        now = time.monotonic()
        if cached and now - cached[1] < MEMBER_CACHE_SECONDS:
            return cached[0]
        delay = MEMBER_RETRY_DELAY
        for attempt in range(MEMBER_TRIES):
            try:
                member = await self.bot.get_chat_member(self.group_id, user_id)
            except BadRequest:  # Telegram knows no such member: no powers
                allowed = False
                break
            except Exception as exc:  # noqa: BLE001 -- network trouble, a timeout, a 5xx: ask again, briefly
                if attempt + 1 < MEMBER_TRIES:
                    await asyncio.sleep(delay)
                    delay *= 2
                    continue
                if cached:
                    log.warning("getChatMember for %s failed (%s); using what was known %.0f s ago", user_id,
                                type(exc).__name__, now - cached[1])
                    return cached[0]
                log.warning("getChatMember for %s failed %d times (%s); membership unknown", user_id, MEMBER_TRIES,
                            type(exc).__name__)
                return None
            allowed = member.status in OPERATOR_STATUSES
            break
        self._members[user_id] = (allowed, time.monotonic())
        return allowed

    def member_changed(self, user_id: int, status: str) -> None:
        """A chat_member update for the group: powers follow at once, not after the cache expires."""
        self._members[user_id] = (status in OPERATOR_STATUSES, time.monotonic())

    # ----- updates from the group ---------------------------------------------------------
    async def authorise(self, update: Update) -> Operator | None:
        """The acting operator, None for anyone without operator powers, or UNVERIFIED when
        Telegram could not say (the only await)."""
        user = update.effective_user
        if user is None or user.is_bot:
            return None
        allowed = await self.is_operator(user.id)
        if allowed is None:
            return UNVERIFIED
        return Operator(user.id, user.first_name or str(user.id)) if allowed else None

    def handle(self, update: Update, operator: Operator | None) -> None:
        """Synchronous, so the adapter can run it in one transaction with the update's id."""
        if operator is UNVERIFIED:
            self._unverified(update)
            return
        if update.callback_query is not None:
            self._callback(update, operator)
        elif update.message is not None:
            self._message(update.message, operator)

    def _message(self, message: Message, operator: Operator | None) -> None:
        """A message in the group, in order: whose it is, a group command, the resident's topic,
        a ticket command or note, else a line (or file) for the resident."""
        thread = message.message_thread_id if message.is_topic_message else None
        # "// ..." is an internal note (said on the card); it is no command "/".
        line = parse_command(message.text or "")
        command = line.name if isinstance(line, CommandLine) else None
        if command is None and thread is None:
            return  # chatter in the General topic: not ours
        if operator is None:
            if command in TICKET_COMMANDS | GROUP_COMMANDS:
                self._reply(thread, self.renderer.t.text("desk.not_operator"))
            return
        if command in GROUP_COMMANDS:
            self._group_command(DeskCommand(command), thread)
            return
        resident = self.store.tickets.resident_of_topic(thread, self.group_id) if thread else None
        if resident is None:
            if command in TICKET_COMMANDS:
                self._reply(thread, self.renderer.t.text("desk.no_ticket"))
            return
        if isinstance(line, NoteLine):
            self._note(resident, operator, thread, line.text)
        elif isinstance(line, CommandLine):
            if line.name in TICKET_COMMANDS:  # another bot command typed in a topic is not for the resident
                self._ticket_command(DeskCommand(line.name), line.argument, resident, operator, thread)
        else:
            self._operator_line(message, resident, operator, thread)

    def _group_command(self, command: DeskCommand, thread: int | None) -> None:
        """/antrian, /statistik, /kunjungan, /laporan: answered anywhere in the group."""
        views = self.service.views
        match command:
            case DeskCommand.ANTRIAN:
                self._reply(thread, views.queue(self.group_id))
            case DeskCommand.STATISTIK:
                self._reply(thread, views.statistics(self.group_id))
            case DeskCommand.KUNJUNGAN:  # open home-visit requests (bot/desk/visits.py)
                routing = self.service.routing
                city = routing is None or routing.city_wide(self.group_id)
                self._reply(thread, visits.open_list(self.store, None if city else self.group_id, self.renderer,
                                                     self.service.region))
            case DeskCommand.LAPORAN:  # the supervisors' chart and three lines (bot/followup/laporan.py)
                outbox.put(self.store.outbox, self.group_id, outbox.GroupReport(thread))

    def _ticket_command(self, command: DeskCommand, argument: str, resident: int, operator: Operator,
                        thread: int | None) -> None:
        """A command in a resident's topic (bot/vocabulary.py TICKET_COMMANDS)."""
        match command:
            case DeskCommand.CATATAN:
                self._note(resident, operator, thread, argument)
            case DeskCommand.AMBIL | DeskCommand.SELESAI | DeskCommand.TUTUP:
                self._act(command, resident, operator, thread)
            case DeskCommand.PINDAH:
                self._move(resident, operator, thread, argument)
            case DeskCommand.KIRIM:  # a step of the guide, or the store page (bot/desk/sending.py)
                self._send_step(resident, operator, thread, argument)
            case DeskCommand.TOKO:
                if not self.service.send_store_link(resident, operator):
                    self._reply(thread, self.renderer.t.text("desk.no_ticket"))
            case DeskCommand.RIWAYAT:
                self._reply(thread, self.service.views.history(resident))

    def _note(self, resident: int, operator: Operator, thread: int | None, note: str) -> None:
        """``// text`` or ``/catatan text``: kept with the ticket, confirmed in the topic."""
        if note:
            self.service.note(resident, operator, note)
            self._reply(thread, self.renderer.t.text("desk.note_saved"))

    def _operator_line(self, message: Message, resident: int, operator: Operator, thread: int | None) -> None:
        """What an operator writes or sends in a resident's topic: for the resident, unless it
        asks for or holds a secret; after the ticket closed it opens a follow-up ticket."""
        t = self.renderer.t
        words = message.text or message.caption or ""
        if words and asks_for_secret(words):
            self.service.refuse_secret_request(resident, operator, words)
            self._reply(thread, t.text("desk.secret_request_blocked"))
            return
        if words and redact(words).has_secret:
            # A NIK, PIN or code typed by an operator would sit raw in the outbox and the
            # resident's chat: not sent, the operator told, audited (masked).
            self.service.refuse_secret_request(resident, operator, words)
            self._reply(thread, t.text("desk.secret_value_blocked"))
            return
        if self.store.tickets.active_for(resident) is None:
            # Writing to a resident after the ticket closed is a follow-up: a new ticket opens.
            if not message.text or not self.service.follow_up(resident, operator, message.text):
                self._reply(thread, t.text("desk.no_ticket"))
        elif message.text:
            self.service.operator_says(resident, operator, message.text)
        elif message.effective_attachment is not None:
            self.service.operator_media(resident, operator, self.group_id, message.message_id)

    def _callback(self, update: Update, operator: Operator | None) -> None:
        query = update.callback_query
        assert query is not None
        outbox.put(self.store.outbox, self.group_id, outbox.AnswerCallback(query.id))
        # Callback data is written by the client: only what bot/vocabulary.py builds is read;
        # anything else (forged, foreign, a resident's button) is answered and ignored by design.
        button = parse_callback(query.data or "")
        if isinstance(button, OutcomeButton):
            self._resolution(query, operator, button.ticket, button.outcome)
            return
        if not isinstance(button, CardButton):
            return
        ticket = self.store.tickets.get(button.ticket)
        if ticket is None or ticket.status == "closed":
            return
        thread = self._card_thread(query, ticket)
        if thread is None or self.store.tickets.resident_of_topic(thread, self.group_id) != ticket.chat_id:
            return
        if operator is None:
            return
        self._act(CARD_ACTIONS[button.action], ticket.chat_id, operator, thread)

    def _card_thread(self, query: CallbackQuery, ticket: Ticket) -> int | None:
        """The topic a button was pressed in. A message older than 48 hours reaches the bot as an
        InaccessibleMessage (no thread, no text): a card from Friday pressed on Monday still acts,
        in the topic this group keeps for the ticket's resident."""
        message = query.message
        if isinstance(message, Message) and not _too_old(message):
            return message.message_thread_id if message.is_topic_message else None
        topic = self.store.tickets.topic_for(ticket.chat_id)
        return topic[0] if topic and ticket.group_id == self.group_id else None

    def _resolution(self, query: CallbackQuery, operator: Operator | None, ticket_id: int, resolution: str) -> None:
        """An outcome button under a closing message: stored, and shown in place of the buttons
        (below the closing message when that is too old for the bot to read)."""
        ticket = self.store.tickets.get(ticket_id)
        if operator is None or ticket is None:
            return
        thread = self._card_thread(query, ticket)
        resident = self.store.tickets.resident_of_topic(thread, self.group_id) if thread else None
        if resident is None or not self.service.resolve(ticket_id, resident, operator, resolution):
            return
        t = self.renderer.t
        chosen = t.text("desk.res.chosen", outcome=t.text(f"desk.res.{resolution}"), name=operator.name)
        message = query.message
        if isinstance(message, Message) and not _too_old(message):
            text = (message.text or "").split("\n")[0] + "\n" + chosen
            outbox.put(self.store.outbox, self.group_id, outbox.OutcomeShown(message.message_id, text))
        else:
            self._reply(thread, chosen)

    def _unverified(self, update: Update) -> None:
        """Telegram could not confirm the sender's membership: nothing is done, and the sender is
        told in the topic so the message is not silently lost."""
        query, message = update.callback_query, update.message
        if query is not None:
            outbox.put(self.store.outbox, self.group_id, outbox.AnswerCallback(query.id))
            message = query.message if isinstance(query.message, Message) else None
        if message is None:
            return
        thread = message.message_thread_id if message.is_topic_message else None
        if thread is None and not isinstance(parse_command(message.text or ""), CommandLine) and query is None:
            return  # chatter in the General topic: not ours either way
        self._reply(thread, self.renderer.t.text("desk.not_relayed"))

    def _act(self, command: DeskCommand, resident: int, operator: Operator, thread: int | None) -> None:
        if self.store.tickets.active_for(resident) is None:
            self._reply(thread, self.renderer.t.text("desk.no_ticket"))
            return
        if command == DeskCommand.AMBIL:
            self.service.take(resident, operator)
        elif command == DeskCommand.SELESAI:
            self.service.finish(resident, operator)
        else:
            self.service.end(resident, operator)

    def _move(self, resident: int, operator: Operator, thread: int | None, argument: str) -> None:
        places = self.service.region.places
        target = places.find(argument) if argument else None
        if target is None:
            names = ", ".join(k.name for k in places.kecamatan)
            self._reply(thread, self.renderer.t.text("desk.move_which", names=names))
            return
        problem = self.service.move(resident, operator, target)
        if problem is not None:
            self._reply(thread, self.renderer.t.text(problem, kecamatan=target.name))

    def _send_step(self, resident: int, operator: Operator, thread: int | None, argument: str) -> None:
        t, flow = self.renderer.t, self.service.flow
        if argument.strip().lower() == sending.STORE:
            if not self.service.send_store_link(resident, operator):
                self._reply(thread, t.text("desk.no_ticket"))
            return
        step = sending.find_step(flow, self.renderer, argument)
        if step is None:
            self._reply(thread, t.text("desk.step_which", names=sending.choices(flow, self.renderer)))
            return
        text, title = sending.step_message(self.service, resident, step)
        if not self.service.operator_says(resident, operator, text):
            self._reply(thread, t.text("desk.no_ticket"))
            return
        self._reply(thread, t.text("desk.step_sent", step=title))

    def _reply(self, thread: int | None, text: str) -> None:
        # Its own kind: an answer in a topic that was closed reopens the topic (ForumSender.reply).
        outbox.put(self.store.outbox, self.group_id, outbox.GroupReply(text, thread))


def _too_old(message: Message) -> bool:
    """Telegram's InaccessibleMessage is a message with date 0; the inbox's stored update can
    come back from python-telegram-bot as a plain Message dated the epoch."""
    return message.date.timestamp() == 0
