"""The desk's decisions, on any transport: open, take, relay, note, finish, end, leave.

Implements the guide's Desk protocol (escalate / relay / resident_left / erase, called inside
the guide's transaction) and the operators' actions. How operators are reached is an
OperatorChannel: the Telegram forum group in production, a silent one in simulate. Messages for
the resident are rendered here and, when the guide runs with an outbox, queued there in the same
transaction; they are also returned, which is what simulate prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Protocol

from bot.desk import cards
from bot.engine import Conversation
from bot.engine.conversation import UNCOPIED_MEDIA
from bot.engine.effects import Escalate, Relay
from bot.flow.model import Line
from bot.redaction import redact
from bot.region import Region
from bot.render import OutgoingMessage
from bot.store import Store, Ticket

if TYPE_CHECKING:
    from bot.guide import Guide

MEDIA_PASS_ON_WINDOW = 600.0  # a photo sent up to 10 minutes before asking for a person goes along


@dataclass(frozen=True)
class Operator:
    id: int
    name: str


class OperatorChannel(Protocol):
    """How the desk reaches operators (all calls happen inside a store transaction)."""

    def ticket_opened(self, store: Store, ticket: Ticket, title: str, card: str) -> None: ...
    def to_topic(self, store: Store, resident: int, text: str) -> None: ...
    def media_to_topic(self, store: Store, resident: int, from_chat: int, message_id: int, caption: str | None = None,
                       delete_after: bool = False) -> None: ...
    def ticket_closed(self, store: Store, resident: int, text: str) -> None: ...
    def resident_erased(self, store: Store, resident: int, topic_id: int | None, note: str = "") -> None: ...

    @property
    def copies_media(self) -> bool: ...


class SilentChannel:
    """No operators' group (simulate, tests of the resident side): tickets still exist."""

    def ticket_opened(self, store: Store, ticket: Ticket, title: str, card: str) -> None:
        pass

    def to_topic(self, store: Store, resident: int, text: str) -> None:
        pass

    def media_to_topic(self, store: Store, resident: int, from_chat: int, message_id: int, caption: str | None = None,
                       delete_after: bool = False) -> None:
        pass

    def ticket_closed(self, store: Store, resident: int, text: str) -> None:
        pass

    def resident_erased(self, store: Store, resident: int, topic_id: int | None, note: str = "") -> None:
        pass

    copies_media = False  # nothing is copied, so a message to delete is deleted by the guide


class DeskService:
    def __init__(self, channel: OperatorChannel, region: Region):
        self.channel = channel
        self.region = region
        self.guide: Guide | None = None

    def clock(self) -> float:
        """The store's clock: ticket times and "now" must come from the same place."""
        return self._guide.store.clock()

    def attach(self, guide: "Guide") -> None:
        self.guide = guide

    @property
    def _guide(self) -> "Guide":
        assert self.guide is not None, "DeskService.attach(guide) was not called"
        return self.guide

    def _renderer(self, chat_id: int | None = None):
        g = self._guide
        stored = g.store.load(chat_id) if chat_id is not None else None
        return g.renderers[stored.locale if stored else g.default_locale]

    # ----- the guide's Desk protocol (inside the guide's transaction) ---------------------
    def escalate(self, store: Store, chat_id: int, effect: Escalate, conv: Conversation) -> None:
        if store.active_ticket(chat_id) is not None:
            return
        attempts = sum(n for _, n in conv.failures) + conv.misunderstandings
        ticket_id = store.open_ticket(chat_id, reason=effect.reason, state=effect.state, milestone=effect.milestone,
                                      attempts=attempts)
        store.record_event(chat_id, "ticket_opened", state=effect.state, milestone=effect.milestone, detail=effect.reason)
        store.audit(ticket_id, "opened", detail=effect.reason)
        ticket = store.ticket(ticket_id)
        assert ticket is not None
        renderer, flow = self._renderer(chat_id), self._guide.flow
        name = store.first_name(chat_id)
        title = cards.topic_title(renderer, flow, name, ticket)
        card = cards.ticket_card(renderer, flow, ticket, name, dict(conv.facts), store.transcript(chat_id, 12), self.clock())
        self.channel.ticket_opened(store, ticket, title, card)
        media = store.last_media(chat_id)
        if media and media.get("message_id") and self.clock() - media.get("at", 0) <= MEDIA_PASS_ON_WINDOW:
            # The copy carries the masked caption, never the original (older rows have none).
            self.channel.media_to_topic(store, chat_id, chat_id, int(media["message_id"]), caption=media.get("caption", ""))

    @property
    def copies_media(self) -> bool:
        return self.channel.copies_media

    def relay(self, store: Store, chat_id: int, effect: Relay, message_ref: int | None = None,
              delete_after: bool = False) -> None:
        """``effect.text`` is already masked; with media it is the caption the copy carries."""
        if effect.media in UNCOPIED_MEDIA:
            # Said, not copied: the operator learns a number (masked) or a place was shared.
            text = self._renderer(chat_id).t.text(f"desk.shared.{effect.media}", text=effect.text)
            store.add_transcript(chat_id, "in", "relay", text)
            self.channel.to_topic(store, chat_id, text)
        elif effect.media and message_ref is not None:
            store.add_transcript(chat_id, "in", f"media:{effect.media}", effect.text)
            self.channel.media_to_topic(store, chat_id, chat_id, message_ref, caption=effect.text,
                                        delete_after=delete_after)
        elif effect.text:
            store.add_transcript(chat_id, "in", "relay", effect.text)
            self.channel.to_topic(store, chat_id, effect.text)

    def erase(self, store: Store, chat_id: int) -> tuple[str, ...]:
        """/hapusdata (inside the guide's transaction, before the rows go): the open ticket is
        closed and the resident's topic deleted in the operators' group. What was there."""
        removed: list[str] = []
        ticket = store.active_ticket(chat_id)
        if ticket is not None:
            store.close_ticket(ticket.id, "erased")
            store.audit(ticket.id, "erased")
            removed.append("ticket")
        topic = store.topic_for(chat_id)
        if topic is not None:
            removed.append("topic")
        if topic is not None or ticket is not None:
            # Operators see the topic vanish: a line in the group says why (no personal data).
            note = self._renderer(chat_id).t.text("desk.erased", id=ticket.id) if ticket is not None else ""
            self.channel.resident_erased(store, chat_id, topic[0] if topic else None, note)
        return tuple(removed)

    def resident_left(self, store: Store, chat_id: int) -> None:
        ticket = store.active_ticket(chat_id)
        if ticket is None:
            return
        store.close_ticket(ticket.id, "left")
        store.audit(ticket.id, "resident_left")
        store.record_event(chat_id, "ticket_left")
        self.channel.ticket_closed(store, chat_id, self._renderer(chat_id).t.text("desk.resident_left"))

    def expectation(self, chat_id: int, renderer) -> str:
        """What the resident may expect now: their place in the queue, or when people are back."""
        now = self.clock()
        moment = datetime.fromtimestamp(now, timezone.utc)
        stored = self._guide.store.load(chat_id)
        params = renderer.params(stored.conversation if stored else None)
        if self.region.is_open(moment):
            waiting = [k for k in self._guide.store.active_tickets() if k.status == "open"]
            position = next((i for i, k in enumerate(waiting, 1) if k.chat_id == chat_id), len(waiting) or 1)
            return renderer.t.text("desk.queue_position", **params, position=position)
        opening = self.region.next_opening(moment)
        when = renderer.t.moment(opening, self.region.timezone) + " " + self.region.timezone_label
        return renderer.t.text("desk.after_hours", **params, when=when)

    # ----- operators' actions --------------------------------------------------------------
    def take(self, resident: int, operator: Operator) -> list[OutgoingMessage]:
        store = self._guide.store
        with store.transaction():
            ticket = store.active_ticket(resident)
            if ticket is None:
                return []
            if ticket.status == "taken" and ticket.operator_id == operator.id:
                return []
            store.take_ticket(ticket.id, operator.id, operator.name)
            store.audit(ticket.id, "taken", actor_id=operator.id, actor_name=operator.name)
            self.channel.to_topic(store, resident, self._renderer(resident).t.text("desk.taken", name=operator.name))
            return [self._to_resident(resident, "desk.joined", name=operator.name)]

    def operator_says(self, resident: int, operator: Operator, text: str) -> list[OutgoingMessage]:
        store = self._guide.store
        with store.transaction():
            joined = self._operator_replies(resident, operator, "replied")
            if joined is None:
                return []
            store.add_transcript(resident, "out", "operator", redact(text).text)
            return joined + [self._to_resident(resident, "desk.from_operator", raw=True, name=operator.name, text=text)]

    def operator_media(self, resident: int, operator: Operator, from_chat: int, message_id: int) -> bool:
        store = self._guide.store
        with store.transaction():
            if self._operator_replies(resident, operator, "replied_media") is None:
                return False
            if self._guide.outbox:
                store.enqueue(resident, {"kind": "copy", "from_chat": from_chat, "message_id": message_id})
            return True

    def _operator_replies(self, resident: int, operator: Operator, action: str) -> list[OutgoingMessage] | None:
        """An operator answers: the first answer takes the ticket (the resident is told who
        joined). None when the resident has no open ticket."""
        store = self._guide.store
        ticket = store.active_ticket(resident)
        if ticket is None:
            return None
        joined = [] if ticket.status == "taken" else self.take(resident, operator)
        store.ticket_replied(ticket.id)
        store.audit(ticket.id, action, actor_id=operator.id, actor_name=operator.name)
        return joined

    def note(self, resident: int, operator: Operator, text: str) -> None:
        store = self._guide.store
        with store.transaction():
            ticket = store.active_ticket(resident)
            store.audit(ticket.id if ticket else None, "note", actor_id=operator.id, actor_name=operator.name)
            store.add_transcript(resident, "note", "operator_note", redact(text).text)

    def finish(self, resident: int, operator: Operator) -> list[OutgoingMessage]:
        """The resident goes back to the guide, on the step they were on, and is told so."""
        return self._close(resident, operator, "returned")

    def end(self, resident: int, operator: Operator) -> list[OutgoingMessage]:
        return self._close(resident, operator, "ended")

    def _close(self, resident: int, operator: Operator, outcome: str) -> list[OutgoingMessage]:
        store = self._guide.store
        with store.transaction():
            ticket = store.active_ticket(resident)
            if ticket is None:
                return []
            store.close_ticket(ticket.id, outcome)
            store.audit(ticket.id, outcome, actor_id=operator.id, actor_name=operator.name)
            store.record_event(resident, f"ticket_{outcome}")
            renderer = self._renderer(resident)
            self.channel.ticket_closed(store, resident, renderer.t.text(f"desk.closed.{outcome}", name=operator.name))
            if outcome == "returned":
                reply = self._guide.resume_after_handoff(resident, lead=(Line("desk.returned"),))
            else:
                reply = self._guide.end_after_handoff(resident, lead=(Line("desk.ended"),))
            return list(reply.messages) if reply else []

    def queue(self) -> str:
        store = self._guide.store
        tickets = store.active_tickets()
        return cards.queue_text(self._renderer(), tickets, {k.chat_id: store.first_name(k.chat_id) for k in tickets}, self.clock())

    def statistics(self) -> str:
        since = cards.start_of_day(self.clock(), self.region.timezone)
        return cards.stats_text(self._renderer(), self._guide.store.tickets_since(since))

    # ----- service levels -----------------------------------------------------------------
    def check_service_levels(self, remind_after_minutes: float) -> int:
        """Remind operators of unanswered tickets (in office hours) and tell long-waiting
        residents, honestly, what happens next. Returns how many reminders went out."""
        store, now = self._guide.store, self.clock()
        limit = remind_after_minutes * 60
        open_now = self.region.is_open(datetime.fromtimestamp(now, timezone.utc))
        sent = 0
        with store.transaction():
            for ticket in store.active_tickets():
                if ticket.first_reply_at is not None or now - ticket.opened_at < limit:
                    continue
                if open_now and (ticket.operators_reminded_at is None or now - ticket.operators_reminded_at >= limit):
                    minutes = str(round((now - ticket.opened_at) / 60))
                    self.channel.to_topic(store, ticket.chat_id,
                                          self._renderer(ticket.chat_id).t.text("desk.remind_operators", minutes=minutes))
                    store.ticket_reminded(ticket.id, operators=True)
                    sent += 1
                told = ticket.resident_told_at
                if told is None or now - told >= 3 * limit:
                    extra = self.expectation(ticket.chat_id, self._renderer(ticket.chat_id))
                    self._to_resident(ticket.chat_id, "desk.still_waiting_long", extra=extra)
                    store.ticket_reminded(ticket.id, resident=True)
                    sent += 1
        return sent

    # ----- helpers -------------------------------------------------------------------------
    def _to_resident(self, resident: int, msgid: str, raw: bool = False, extra: str = "", **params: str) -> OutgoingMessage:
        """A desk message for the resident, with their current keyboard kept."""
        g = self._guide
        renderer = self._renderer(resident)
        stored = g.store.load(resident)
        conv = stored.conversation if stored else None
        text = renderer.t.text(msgid, **{**renderer.params(conv), **params}) + (f"\n\n{extra}" if extra else "")
        message = OutgoingMessage(text, renderer.rows(conv.buttons) if conv else ())
        if g.outbox:
            g.store.enqueue(resident, {"kind": "message", "text": message.text, "rows": [list(r) for r in message.rows]})
        if not raw:
            g.store.add_transcript(resident, "out", "desk", text)
        return message
