"""The desk's decisions, on any transport: open, take, relay, note, finish, end, leave.

Implements the guide's Desk protocol (escalate / relay / resident_left / erase, called inside
the guide's transaction) and the operators' actions. How operators are reached is an
OperatorChannel: the Telegram forum group in production, a silent one in simulate. Messages for
the resident are rendered here and, when the guide runs with an outbox, queued there in the same
transaction; they are also returned, which is what simulate prints.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot import outbox
from bot.desk import cards, review, visits
from bot.desk.channel import Operator, OperatorChannel
from bot.desk.port import Guidance
from bot.desk.routing import Routing
from bot.desk.views import DeskViews
from bot.engine import Conversation, Input
from bot.engine.conversation import UNCOPIED_MEDIA
from bot.engine.effects import Escalate, Relay
from bot.flow.model import Flow
from bot.followup.outcomes import record_outcome
from bot.places import Kecamatan
from bot.redaction import redact
from bot.region import Region
from bot.render import OutgoingMessage, Renderer
from bot.store import Store
from bot.vocabulary import OperatorAct, Reason

MEDIA_PASS_ON_WINDOW = 600.0  # a photo sent up to 10 minutes before asking for a person goes along
# A resident waiting for a person who writes hears their place and the honest wait, but not on
# every line: once, then again only after this many seconds.
QUEUE_ANSWER_EVERY = 180.0
# What a resident sends as a picture or a file may show their KTP: the topic is told to delete it.
MAY_SHOW_KTP = ("photo", "document")


class DeskService:
    """The desk: the guide's Desk port (bot/desk/port.py) and the operators' actions."""

    def __init__(self, channel: OperatorChannel, region: Region, store: Store, flow: Flow,
                 renderers: dict[str, Renderer], default_locale: str, *, postbox: outbox.Postbox = outbox.NOWHERE,
                 routing: Routing | None = None):
        self.channel = channel
        self.region = region
        self.store = store
        self.flow = flow
        self.renderers = renderers
        self.default_locale = default_locale
        self.postbox = postbox  # where the resident's messages are queued (nowhere: simulate prints them)
        self.routing = routing  # kecamatan groups (None: one group, or none at all)
        self.guidance: Guidance | None = None  # wired by bot/assembly.py
        self.views = DeskViews(store, flow, region, routing, self._renderer)

    def clock(self) -> float:
        """The store's clock: ticket times and "now" must come from the same place."""
        return self.store.clock()

    def _tell_guide(self, resident: int, act: OperatorAct) -> tuple[OutgoingMessage, ...]:
        """What an operator did, as an input to the guide (inside the desk's transaction)."""
        assert self.guidance is not None, "bot.assembly wires the guide to the desk"
        return self.guidance.handle(resident, Input.by_operator(act)).messages

    def _renderer(self, chat_id: int | None = None) -> Renderer:
        stored = self.store.residents.load(chat_id) if chat_id is not None else None
        return self.renderers[stored.locale if stored else self.default_locale]

    # ----- the guide's Desk protocol (inside the guide's transaction) ---------------------
    def escalate(self, chat_id: int, effect: Escalate, conv: Conversation) -> None:
        store = self.store
        if store.tickets.active_for(chat_id) is not None:
            return
        attempts = sum(n for _, n in conv.failures) + conv.misunderstandings
        group = self.routing.group_for(conv.fact("kecamatan")) if self.routing else None
        ticket_id = store.tickets.open(chat_id, reason=effect.reason, state=effect.state, milestone=effect.milestone,
                                      attempts=attempts, group_id=group)
        store.transcripts.record_event(chat_id, "ticket_opened", state=effect.state, milestone=effect.milestone,
                                       detail=effect.reason)
        store.tickets.audit(ticket_id, "opened", detail=effect.reason)
        ticket = store.tickets.get(ticket_id)
        assert ticket is not None
        renderer, flow = self._renderer(chat_id), self.flow
        name = store.residents.first_name(chat_id)
        place = self.region.places.get(conv.fact("kecamatan"))
        title = cards.topic_title(renderer, flow, name, ticket, place.name if place else None)
        card = cards.ticket_card(renderer, flow, ticket, name, dict(conv.facts), store.transcripts.of(chat_id, 12),
                                 self.clock())
        if effect.visit is not None:  # a home-visit request says so first (bot/desk/visits.py)
            card = visits.record(store, ticket, effect.visit, renderer, self.region) + card
        self.channel.ticket_opened(store, ticket, title, card)
        media = store.residents.last_media(chat_id)
        if media and media.get("message_id") and self.clock() - media.get("at", 0) <= MEDIA_PASS_ON_WINDOW:
            # The copy carries the masked caption, never the original (older rows have none).
            self._media_to_topic(store, chat_id, int(media["message_id"]), str(media.get("kind", "")),
                                 caption=media.get("caption", ""))

    @property
    def copies_media(self) -> bool:
        return self.channel.copies_media

    def relay(self, chat_id: int, effect: Relay, message_ref: int | None = None,
              delete_after: bool = False) -> list[OutgoingMessage]:
        """Pass what the resident sent to the topic (``effect.text`` is already masked; with media
        it is the caption the copy carries). A resident still in the queue hears their place
        (returned, and posted)."""
        store = self.store
        if effect.media in UNCOPIED_MEDIA:
            # Said, not copied: the operator learns a number (masked) or a place was shared.
            text = self._renderer(chat_id).t.text(f"desk.shared.{effect.media}", text=effect.text)
            store.transcripts.add(chat_id, "in", "relay", text)
            self.channel.to_topic(store, chat_id, text)
        elif effect.media and message_ref is not None:
            store.transcripts.add(chat_id, "in", f"media:{effect.media}", effect.text)
            self._media_to_topic(store, chat_id, message_ref, effect.media, caption=effect.text,
                                 delete_after=delete_after)
        elif effect.text:
            store.transcripts.add(chat_id, "in", "relay", effect.text)
            self.channel.to_topic(store, chat_id, effect.text)
        return self._queue_answer(store, chat_id)

    def _media_to_topic(self, store: Store, chat_id: int, message_id: int, kind: str, caption: str = "",
                        delete_after: bool = False) -> None:
        self.channel.media_to_topic(store, chat_id, chat_id, message_id, caption=caption, delete_after=delete_after)
        if kind in MAY_SHOW_KTP:
            self.channel.to_topic(store, chat_id, self._renderer(chat_id).t.text("desk.media_may_show_ktp"))

    def _queue_answer(self, store: Store, chat_id: int) -> list[OutgoingMessage]:
        ticket = store.tickets.active_for(chat_id)
        if ticket is None or ticket.status != "open":
            return []  # a person has joined: the resident talks to them, not to the queue
        told = ticket.resident_told_at
        if told is not None and self.clock() - told < QUEUE_ANSWER_EVERY:
            return []
        store.tickets.reminded(ticket.id, resident=True)
        extra = self.expectation(chat_id, self._renderer(chat_id))
        return [self._to_resident(chat_id, "desk.queue_answer", extra=extra)]
    def erase(self, chat_id: int) -> tuple[str, ...]:
        """/hapusdata (inside the guide's transaction, before the rows go): the open ticket is
        closed and the resident's topic deleted in the operators' group. What was there."""
        store = self.store
        removed: list[str] = []
        ticket = store.tickets.active_for(chat_id)
        if ticket is not None:
            store.tickets.close(ticket.id, "erased")
            store.tickets.audit(ticket.id, "erased")
            removed.append("ticket")
        topic = store.tickets.topic_for(chat_id)
        if topic is not None:
            removed.append("topic")
        if topic is not None or ticket is not None:
            # Operators see the topic vanish: a line in the group says why (no personal data).
            note = self._renderer(chat_id).t.text("desk.erased", id=ticket.id) if ticket is not None else ""
            self.channel.resident_erased(store, chat_id, topic[0] if topic else None, note)
        return tuple(removed)

    def resident_left(self, chat_id: int) -> None:
        store = self.store
        ticket = store.tickets.active_for(chat_id)
        if ticket is None:
            return
        store.tickets.close(ticket.id, "left")
        store.tickets.audit(ticket.id, "resident_left")
        store.transcripts.record_event(chat_id, "ticket_left")
        self.channel.ticket_closed(store, chat_id, self._renderer(chat_id).t.text("desk.resident_left"))

    def expectation(self, chat_id: int, renderer: Renderer) -> str:
        return self.views.expectation(chat_id, renderer)

    # ----- operators' actions --------------------------------------------------------------
    def take(self, resident: int, operator: Operator) -> list[OutgoingMessage]:
        store = self.store
        with store.transaction():
            ticket = store.tickets.active_for(resident)
            if ticket is None:
                return []
            if ticket.status == "taken" and ticket.operator_id == operator.id:
                return []
            store.tickets.take(ticket.id, operator.id, operator.name)
            store.tickets.audit(ticket.id, "taken", actor_id=operator.id, actor_name=operator.name)
            self.channel.to_topic(store, resident, self._renderer(resident).t.text("desk.taken", name=operator.name))
            return [self._to_resident(resident, "desk.joined", name=operator.name)]

    def operator_says(self, resident: int, operator: Operator, text: str) -> list[OutgoingMessage]:
        store = self.store
        with store.transaction():
            joined = self._operator_replies(resident, operator, "replied")
            if joined is None:
                return []
            store.transcripts.add(resident, "out", "operator", redact(text).text)
            return joined + [self._to_resident(resident, "desk.from_operator", raw=True, name=operator.name, text=text)]

    def operator_media(self, resident: int, operator: Operator, from_chat: int, message_id: int) -> bool:
        store = self.store
        with store.transaction():
            if self._operator_replies(resident, operator, "replied_media") is None:
                return False
            self.postbox.post(resident, outbox.Copy(from_chat, message_id))
            return True

    def _operator_replies(self, resident: int, operator: Operator, action: str) -> list[OutgoingMessage] | None:
        """An operator answers: the first answer takes the ticket (the resident is told who
        joined). None when the resident has no open ticket."""
        store = self.store
        ticket = store.tickets.active_for(resident)
        if ticket is None:
            return None
        joined = [] if ticket.status == "taken" else self.take(resident, operator)
        store.tickets.replied(ticket.id)
        store.tickets.audit(ticket.id, action, actor_id=operator.id, actor_name=operator.name)
        return joined

    def follow_up(self, resident: int, operator: Operator, text: str) -> list[OutgoingMessage]:
        """An operator writes to a resident whose ticket is closed: a follow-up ticket opens,
        taken by that operator, the resident is back with a person, and the line reaches them.
        Empty when the resident is gone (erased their data)."""
        store = self.store
        with store.transaction():
            stored = store.residents.load(resident)
            if stored is None:
                return []
            conv = stored.conversation
            ticket_id = store.tickets.open(resident, reason=Reason.FOLLOWUP, state=conv.state,
                                          milestone=self.flow.states[conv.state].milestone, attempts=0,
                                          group_id=store.tickets.topic_group(resident) or None)
            store.tickets.audit(ticket_id, "followup", actor_id=operator.id, actor_name=operator.name)
            store.transcripts.record_event(resident, "ticket_followup", state=conv.state)
            self._tell_guide(resident, OperatorAct.FOLLOWED_UP)
            self.channel.to_topic(store, resident, self._renderer(resident).t.text(
                "desk.followup_opened", id=str(ticket_id), name=operator.name))
            return self.operator_says(resident, operator, text)

    def send_store_link(self, resident: int, operator: Operator) -> bool:
        """/toko: the official app's store page, sent to the resident as the operator's message
        (one tap instead of spelling a link; never an APK). False without an open ticket."""
        store = self.store
        link = self.region.contacts.get("play_store")
        with store.transaction():
            ticket = store.tickets.active_for(resident)
            if ticket is None or link is None:
                return False
            text = self._renderer(resident).t.text("desk.store_link", link=link.value)
            self.operator_says(resident, operator, text)
            store.tickets.audit(ticket.id, "store_link", actor_id=operator.id, actor_name=operator.name)
            return True

    def refuse_secret_request(self, resident: int, operator: Operator, text: str) -> None:
        """An operator line asking for a PIN, OTP, code or password: not relayed, audited."""
        store = self.store
        with store.transaction():
            ticket = store.tickets.active_for(resident)
            store.tickets.audit(ticket.id if ticket else None, "blocked_secret_request", actor_id=operator.id,
                        actor_name=operator.name, detail=redact(text).text)
            store.transcripts.record_event(resident, "operator_secret_request_blocked")

    def note(self, resident: int, operator: Operator, text: str) -> None:
        store = self.store
        with store.transaction():
            ticket = store.tickets.active_for(resident)
            store.tickets.audit(ticket.id if ticket else None, "note", actor_id=operator.id, actor_name=operator.name)
            store.transcripts.add(resident, "note", "operator_note", redact(text).text)

    def finish(self, resident: int, operator: Operator) -> list[OutgoingMessage]:
        """The resident goes back to the guide, on the step they were on, and is told so."""
        return self._close(resident, operator, "returned")

    def end(self, resident: int, operator: Operator) -> list[OutgoingMessage]:
        return self._close(resident, operator, "ended")

    def _close(self, resident: int, operator: Operator, outcome: str) -> list[OutgoingMessage]:
        store = self.store
        with store.transaction():
            ticket = store.tickets.active_for(resident)
            if ticket is None:
                return []
            store.tickets.close(ticket.id, outcome)
            store.tickets.audit(ticket.id, outcome, actor_id=operator.id, actor_name=operator.name)
            store.transcripts.record_event(resident, f"ticket_{outcome}")
            renderer = self._renderer(resident)
            # The closing line carries the outcome buttons (bot/desk/review.py).
            self.channel.ticket_closed(store, resident, renderer.t.text(f"desk.closed.{outcome}", name=operator.name)
                                       + "\n" + renderer.t.text("desk.res.ask"),
                                       review.resolution_buttons(renderer, ticket.id))
            # One tap: did the help help? (before the guide's step, which stays last)
            stored = store.residents.load(resident)
            params = renderer.params(stored.conversation if stored else None)
            self.postbox.post(resident, outbox.RatingQuestion(
                ticket.id, renderer.t.text("desk.rate_ask", **params), renderer.t.text("desk.rate_up"),
                renderer.t.text("desk.rate_down")))
            act = OperatorAct.FINISHED if outcome == "returned" else OperatorAct.ENDED
            return list(self._tell_guide(resident, act))

    def resolve(self, ticket_id: int, resident: int, operator: Operator, resolution: str) -> bool:
        """The operator's choice of how the ticket ended (any time after it closed; the last wins)."""
        store = self.store
        with store.transaction():
            ticket = store.tickets.get(ticket_id)
            if ticket is None or ticket.chat_id != resident or resolution not in review.RESOLUTIONS:
                return False
            store.tickets.set_resolution(ticket_id, resolution)
            store.tickets.audit(ticket_id, "resolution", actor_id=operator.id, actor_name=operator.name,
                                detail=resolution)
            record_outcome(store, resident, ticket.milestone, resolution)
            return True

    def rate(self, resident: int, ticket_id: int, value: str) -> OutgoingMessage | None:
        """The resident's 👍/👎 on a finished ticket of theirs; thanked once, later taps ignored."""
        store = self.store
        with store.transaction():
            if value not in review.RATINGS or not store.tickets.rate(ticket_id, resident, review.RATINGS[value]):
                return None
            store.tickets.audit(ticket_id, "rated", detail=value)
            return self._to_resident(resident, "desk.rated")

    def move(self, resident: int, operator: Operator, kecamatan: Kecamatan) -> str | None:
        """/pindah: the ticket goes to the group serving ``kecamatan``; the resident is told, the
        old topic says where it went and closes, the new group gets the card with the last lines.
        None when moved; otherwise the reason for the operator (msgid)."""
        store = self.store
        if self.routing is None:
            return "desk.move_no_groups"
        with store.transaction():
            ticket = store.tickets.active_for(resident)
            if ticket is None:
                return "desk.no_ticket"
            target = self.routing.group_for(kecamatan.id)
            old = ticket.group_id or self.routing.main
            if target == old:
                return "desk.move_same_group"
            renderer, flow = self._renderer(resident), self.flow
            store.tickets.set_group(ticket.id, target)
            store.tickets.audit(ticket.id, "moved", actor_id=operator.id, actor_name=operator.name, detail=kecamatan.id)
            self.channel.ticket_moved(store, resident, old, renderer.t.text("desk.moved_out", kecamatan=kecamatan.name,
                                                                            name=operator.name))
            moved = store.tickets.get(ticket.id)
            assert moved is not None
            name = store.residents.first_name(resident)
            stored = store.residents.load(resident)
            facts = dict(stored.conversation.facts) if stored else {}
            title = cards.topic_title(renderer, flow, name, moved, kecamatan.name)
            card = renderer.t.text("desk.moved_in", name=operator.name) + "\n" + visits.card_lines(
                store, moved, renderer, self.region) + cards.ticket_card(
                renderer, flow, moved, name, facts, store.transcripts.of(resident, 12), self.clock())
            self.channel.ticket_opened(store, moved, title, card)
            self._to_resident(resident, "desk.moved_resident", kecamatan=kecamatan.name)
            return None

    # ----- service levels -----------------------------------------------------------------
    def check_service_levels(self, remind_after_minutes: float) -> int:
        """Remind operators of unanswered tickets (in office hours) and tell long-waiting
        residents, honestly, what happens next. Returns how many reminders went out."""
        store, now = self.store, self.clock()
        limit = remind_after_minutes * 60
        open_now = self.region.is_open(datetime.fromtimestamp(now, UTC))
        sent = 0
        with store.transaction():
            for ticket in store.tickets.active():
                if ticket.first_reply_at is not None or now - ticket.opened_at < limit:
                    continue
                if open_now and (ticket.operators_reminded_at is None or now - ticket.operators_reminded_at >= limit):
                    minutes = str(round((now - ticket.opened_at) / 60))
                    reminder = self._renderer(ticket.chat_id).t.text("desk.remind_operators", minutes=minutes)
                    self.channel.to_topic(store, ticket.chat_id, reminder)
                    store.tickets.reminded(ticket.id, operators=True)
                    sent += 1
                told = ticket.resident_told_at
                if told is None or now - told >= 3 * limit:
                    extra = self.expectation(ticket.chat_id, self._renderer(ticket.chat_id))
                    self._to_resident(ticket.chat_id, "desk.still_waiting_long", extra=extra)
                    store.tickets.reminded(ticket.id, resident=True)
                    sent += 1
        return sent

    # ----- helpers -------------------------------------------------------------------------
    def _to_resident(self, resident: int, msgid: str, raw: bool = False, extra: str = "",
                     **params: str) -> OutgoingMessage:
        """A desk message for the resident, with their current keyboard kept."""
        renderer = self._renderer(resident)
        stored = self.store.residents.load(resident)
        conv = stored.conversation if stored else None
        text = renderer.t.text(msgid, **{**renderer.params(conv), **params}) + (f"\n\n{extra}" if extra else "")
        message = OutgoingMessage(text, renderer.rows(conv.buttons) if conv else ())
        self.postbox.post(resident, outbox.Text(message.text, message.rows))
        if not raw:
            self.store.transcripts.add(resident, "out", "desk", text)
        return message
