"""The desk's decisions, on any transport: open, take, relay, note, finish, end, leave.

Implements the guide's Desk protocol (escalate / relay / resident_left / erase, called inside
the guide's transaction) and the operators' actions. How operators are reached is an
OperatorChannel: the Telegram forum group in production, a silent one in simulate. Messages for
the resident are rendered here and, when the guide runs with an outbox, queued there in the same
transaction; they are also returned, which is what simulate prints.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Protocol

from bot.desk import cards, review, visits
from bot.engine import Conversation
from bot.desk.routing import Routing
from bot.engine.conversation import UNCOPIED_MEDIA
from bot.engine.effects import Escalate, Relay
from bot.flow.model import Line
from bot.places import Kecamatan
from bot.redaction import redact
from bot.followup.outcomes import record_outcome
from bot.region import Region
from bot.render import OutgoingMessage
from bot.store import Store, Ticket

if TYPE_CHECKING:
    from bot.guide import Guide

MEDIA_PASS_ON_WINDOW = 600.0  # a photo sent up to 10 minutes before asking for a person goes along
# A resident waiting for a person who writes hears their place and the honest wait, but not on
# every line: once, then again only after this many seconds.
QUEUE_ANSWER_EVERY = 180.0
# What a resident sends as a picture or a file may show their KTP: the topic is told to delete it.
MAY_SHOW_KTP = ("photo", "document")
TYPICAL_WAIT_SAMPLES = 3  # first answers today needed before the resident is told the usual wait


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
    def ticket_closed(self, store: Store, resident: int, text: str, buttons: list | None = None) -> None: ...
    def ticket_moved(self, store: Store, resident: int, old_group: int, text: str) -> None: ...
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

    def ticket_closed(self, store: Store, resident: int, text: str, buttons: list | None = None) -> None:
        pass

    def ticket_moved(self, store: Store, resident: int, old_group: int, text: str) -> None:
        pass

    def resident_erased(self, store: Store, resident: int, topic_id: int | None, note: str = "") -> None:
        pass

    copies_media = False  # nothing is copied, so a message to delete is deleted by the guide


class DeskService:
    def __init__(self, channel: OperatorChannel, region: Region, routing: Routing | None = None):
        self.channel = channel
        self.region = region
        self.routing = routing  # kecamatan groups (None: one group, or none at all)
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
        group = self.routing.group_for(conv.fact("kecamatan")) if self.routing else None
        ticket_id = store.open_ticket(chat_id, reason=effect.reason, state=effect.state, milestone=effect.milestone,
                                      attempts=attempts, group_id=group)
        store.record_event(chat_id, "ticket_opened", state=effect.state, milestone=effect.milestone, detail=effect.reason)
        store.audit(ticket_id, "opened", detail=effect.reason)
        ticket = store.ticket(ticket_id)
        assert ticket is not None
        renderer, flow = self._renderer(chat_id), self._guide.flow
        name = store.first_name(chat_id)
        place = self.region.places.get(conv.fact("kecamatan"))
        title = cards.topic_title(renderer, flow, name, ticket, place.name if place else None)
        card = cards.ticket_card(renderer, flow, ticket, name, dict(conv.facts), store.transcript(chat_id, 12), self.clock())
        if effect.visit is not None:  # a home-visit request says so first (bot/desk/visits.py)
            card = visits.record(store, ticket, effect.visit, renderer, self.region) + card
        self.channel.ticket_opened(store, ticket, title, card)
        media = store.last_media(chat_id)
        if media and media.get("message_id") and self.clock() - media.get("at", 0) <= MEDIA_PASS_ON_WINDOW:
            # The copy carries the masked caption, never the original (older rows have none).
            self._media_to_topic(store, chat_id, int(media["message_id"]), str(media.get("kind", "")),
                                 caption=media.get("caption", ""))

    @property
    def copies_media(self) -> bool:
        return self.channel.copies_media

    def relay(self, store: Store, chat_id: int, effect: Relay, message_ref: int | None = None,
              delete_after: bool = False) -> list[OutgoingMessage]:
        """Pass what the resident sent to the topic (``effect.text`` is already masked; with media
        it is the caption the copy carries). A resident still in the queue hears their place
        (returned, and queued when the guide has an outbox)."""
        if effect.media in UNCOPIED_MEDIA:
            # Said, not copied: the operator learns a number (masked) or a place was shared.
            text = self._renderer(chat_id).t.text(f"desk.shared.{effect.media}", text=effect.text)
            store.add_transcript(chat_id, "in", "relay", text)
            self.channel.to_topic(store, chat_id, text)
        elif effect.media and message_ref is not None:
            store.add_transcript(chat_id, "in", f"media:{effect.media}", effect.text)
            self._media_to_topic(store, chat_id, message_ref, effect.media, caption=effect.text, delete_after=delete_after)
        elif effect.text:
            store.add_transcript(chat_id, "in", "relay", effect.text)
            self.channel.to_topic(store, chat_id, effect.text)
        return self._queue_answer(store, chat_id)

    def _media_to_topic(self, store: Store, chat_id: int, message_id: int, kind: str, caption: str = "",
                        delete_after: bool = False) -> None:
        self.channel.media_to_topic(store, chat_id, chat_id, message_id, caption=caption, delete_after=delete_after)
        if kind in MAY_SHOW_KTP:
            self.channel.to_topic(store, chat_id, self._renderer(chat_id).t.text("desk.media_may_show_ktp"))

    def _queue_answer(self, store: Store, chat_id: int) -> list[OutgoingMessage]:
        ticket = store.active_ticket(chat_id)
        if ticket is None or ticket.status != "open":
            return []  # a person has joined: the resident talks to them, not to the queue
        told = ticket.resident_told_at
        if told is not None and self.clock() - told < QUEUE_ANSWER_EVERY:
            return []
        store.ticket_reminded(ticket.id, resident=True)
        extra = self.expectation(chat_id, self._renderer(chat_id))
        return [self._to_resident(chat_id, "desk.queue_answer", extra=extra)]
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
            own = self._guide.store.active_ticket(chat_id)
            group = own.group_id if own is not None and self.routing is not None else None
            waiting = [k for k in self._guide.store.active_tickets(group) if k.status == "open"]
            position = next((i for i, k in enumerate(waiting, 1) if k.chat_id == chat_id), len(waiting) or 1)
            text = renderer.t.text("desk.queue_position", **params, position=position)
            # How long the first answer took today, when there is enough to say (never a guess).
            since = cards.start_of_day(now, self.region.timezone)
            replies = [k.first_reply_at - k.opened_at for k in self._guide.store.tickets_since(since, group)
                       if k.first_reply_at is not None]
            if len(replies) >= TYPICAL_WAIT_SAMPLES:
                minutes = max(1, round(statistics.median(replies) / 60))
                text += " " + renderer.t.text("desk.typical_wait", minutes=str(minutes))
            return text
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

    def follow_up(self, resident: int, operator: Operator, text: str) -> list[OutgoingMessage]:
        """An operator writes to a resident whose ticket is closed: a follow-up ticket opens,
        taken by that operator, the resident is back with a person, and the line reaches them.
        Empty when the resident is gone (erased their data)."""
        store = self._guide.store
        with store.transaction():
            stored = store.load(resident)
            if stored is None:
                return []
            conv = stored.conversation
            ticket_id = store.open_ticket(resident, reason="followup", state=conv.state,
                                          milestone=self._guide.flow.states[conv.state].milestone, attempts=0,
                                          group_id=store.topic_group(resident) or None)
            store.audit(ticket_id, "followup", actor_id=operator.id, actor_name=operator.name)
            store.record_event(resident, "ticket_followup", state=conv.state)
            self._guide.reopen_handoff(resident)
            self.channel.to_topic(store, resident, self._renderer(resident).t.text(
                "desk.followup_opened", id=str(ticket_id), name=operator.name))
            return self.operator_says(resident, operator, text)

    def send_store_link(self, resident: int, operator: Operator) -> bool:
        """/toko: the official app's store page, sent to the resident as the operator's message
        (one tap instead of spelling a link; never an APK). False without an open ticket."""
        store = self._guide.store
        link = self.region.contacts.get("play_store")
        with store.transaction():
            if store.active_ticket(resident) is None or link is None:
                return False
            text = self._renderer(resident).t.text("desk.store_link", link=link.value)
            self.operator_says(resident, operator, text)
            store.audit(store.active_ticket(resident).id, "store_link", actor_id=operator.id, actor_name=operator.name)
            return True

    def refuse_secret_request(self, resident: int, operator: Operator, text: str) -> None:
        """An operator line asking for a PIN, OTP, code or password: not relayed, audited."""
        store = self._guide.store
        with store.transaction():
            ticket = store.active_ticket(resident)
            store.audit(ticket.id if ticket else None, "blocked_secret_request", actor_id=operator.id,
                        actor_name=operator.name, detail=redact(text).text)
            store.record_event(resident, "operator_secret_request_blocked")

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
            # The closing line carries the outcome buttons (bot/desk/review.py).
            self.channel.ticket_closed(store, resident, renderer.t.text(f"desk.closed.{outcome}", name=operator.name)
                                       + "\n" + renderer.t.text("desk.res.ask"),
                                       review.resolution_buttons(renderer, ticket.id))
            if self._guide.outbox:  # one tap: did the help help? (before the guide's step, which stays last)
                stored = store.load(resident)
                params = renderer.params(stored.conversation if stored else None)
                store.enqueue(resident, {"kind": "desk_rate", "ticket": ticket.id,
                                         "text": renderer.t.text("desk.rate_ask", **params),
                                         "up": renderer.t.text("desk.rate_up"), "down": renderer.t.text("desk.rate_down")})
            if outcome == "returned":
                reply = self._guide.resume_after_handoff(resident, lead=(Line("desk.returned"),))
            else:
                reply = self._guide.end_after_handoff(resident, lead=(Line("desk.ended"),))
            return list(reply.messages) if reply else []

    def resolve(self, ticket_id: int, resident: int, operator: Operator, resolution: str) -> bool:
        """The operator's choice of how the ticket ended (any time after it closed; the last wins)."""
        store = self._guide.store
        with store.transaction():
            ticket = store.ticket(ticket_id)
            if ticket is None or ticket.chat_id != resident or resolution not in review.RESOLUTIONS:
                return False
            store.set_resolution(ticket_id, resolution)
            store.audit(ticket_id, "resolution", actor_id=operator.id, actor_name=operator.name, detail=resolution)
            record_outcome(store, resident, ticket.milestone, resolution)
            return True

    def rate(self, resident: int, ticket_id: int, value: str) -> OutgoingMessage | None:
        """The resident's 👍/👎 on a finished ticket of theirs; thanked once, later taps ignored."""
        store = self._guide.store
        with store.transaction():
            if value not in review.RATINGS or not store.rate_ticket(ticket_id, resident, review.RATINGS[value]):
                return None
            store.audit(ticket_id, "rated", detail=value)
            return self._to_resident(resident, "desk.rated")

    def history(self, resident: int) -> str:
        store = self._guide.store
        tickets = store.tickets_of(resident)
        notes = {k.id: store.notes_between(resident, k.opened_at, k.closed_at) for k in tickets}
        return review.history_text(self._renderer(), self._guide.flow, tickets, notes, self.region.timezone)

    def _scope(self, group: int | None) -> int | None:
        """The group whose tickets a group sees: its own, or (Disdukcapil group) the city's."""
        if group is None or self.routing is None or self.routing.city_wide(group):
            return None
        return group

    def queue(self, group: int | None = None) -> str:
        store = self._guide.store
        tickets = store.active_tickets(self._scope(group))
        return cards.queue_text(self._renderer(), tickets, {k.chat_id: store.first_name(k.chat_id) for k in tickets}, self.clock())

    def statistics(self, group: int | None = None) -> str:
        since = cards.start_of_day(self.clock(), self.region.timezone)
        tickets = self._guide.store.tickets_since(since, self._scope(group))
        return cards.stats_text(self._renderer(), tickets) + "\n" + review.review_text(self._renderer(), tickets)

    def move(self, resident: int, operator: Operator, kecamatan: Kecamatan) -> str | None:
        """/pindah: the ticket goes to the group serving ``kecamatan``; the resident is told, the
        old topic says where it went and closes, the new group gets the card with the last lines.
        None when moved; otherwise the reason for the operator (msgid)."""
        store = self._guide.store
        if self.routing is None:
            return "desk.move_no_groups"
        with store.transaction():
            ticket = store.active_ticket(resident)
            if ticket is None:
                return "desk.no_ticket"
            target = self.routing.group_for(kecamatan.id)
            old = ticket.group_id or self.routing.main
            if target == old:
                return "desk.move_same_group"
            renderer, flow = self._renderer(resident), self._guide.flow
            store.set_ticket_group(ticket.id, target)
            store.audit(ticket.id, "moved", actor_id=operator.id, actor_name=operator.name, detail=kecamatan.id)
            self.channel.ticket_moved(store, resident, old, renderer.t.text("desk.moved_out", kecamatan=kecamatan.name,
                                                                            name=operator.name))
            moved = store.ticket(ticket.id)
            assert moved is not None
            name = store.first_name(resident)
            stored = store.load(resident)
            facts = dict(stored.conversation.facts) if stored else {}
            title = cards.topic_title(renderer, flow, name, moved, kecamatan.name)
            card = renderer.t.text("desk.moved_in", name=operator.name) + "\n" + visits.card_lines(
                store, moved, renderer, self.region) + cards.ticket_card(
                renderer, flow, moved, name, facts, store.transcript(resident, 12), self.clock())
            self.channel.ticket_opened(store, moved, title, card)
            self._to_resident(resident, "desk.moved_resident", kecamatan=kecamatan.name)
            return None

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
