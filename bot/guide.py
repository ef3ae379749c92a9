"""The shell around the engine: one resident input in, one transaction, the rendered reply out.

``Guide.handle`` loads the snapshot, asks the pure engine for a step, renders what it says,
and stores the new snapshot, the redacted transcript and (for Telegram, through the postbox) the
outgoing messages in the same transaction. The CLI, simulate and the Telegram adapter all go
through here, so they behave the same. What an operator did reaches the guide the same way: an
``Input.by_operator`` the desk hands to ``handle`` (bot/desk/port.py's Guidance); the desk is
asked to open tickets and relay through that port, never reached around it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from babel.lists import format_list

from bot import outbox
from bot.desk.port import Desk
from bot.engine import Conversation, Engine, Input, Step
from bot.engine.conversation import UNCOPIED_MEDIA
from bot.engine.effects import DeleteInput, Effect, EndHandoff, EraseData, Escalate, Relay, Remind, Say
from bot.followup import journey, schedule
from bot.followup.journey import REMINDERS_FACT
from bot.redaction import redact
from bot.render import OutgoingMessage, Renderer
from bot.store import KEEP, Keep, Store


@dataclass(frozen=True)
class Reply:
    """What came of one input, in the terms a resident (and simulate) cares about."""

    messages: tuple[OutgoingMessage, ...]
    state: str | None
    milestone: str | None
    handoff: bool
    understood: bool
    input_deleted: bool
    effects: tuple[Effect, ...] = ()


NOTHING = Reply((), None, None, False, True, False)


@dataclass
class _Outcome:
    """What carrying out one step has produced so far."""

    lines: list[tuple]  # transcript lines not yet written
    messages: list[OutgoingMessage] = field(default_factory=list)
    erased: str = ""  # what /hapusdata removed: said at the start of the next message


class Guide:
    def __init__(self, engines: dict[str, Engine], renderers: dict[str, Renderer], store: Store, desk: Desk, *,
                 default_locale: str = "id", postbox: outbox.Postbox = outbox.NOWHERE):
        self.engines = engines
        self.renderers = renderers
        self.store = store
        self.default_locale = default_locale
        self.desk = desk
        self.postbox = postbox  # where messages are queued for sending (nowhere: the caller shows the Reply)
        # (locale, office, hour) -> when a reminder due in that hour may go: a moment, or a rule
        self._hours: dict[tuple[str, bool, int], float | Literal["as_due", "per_moment"]] = {}

    @property
    def flow(self):
        return self.engines[self.default_locale].flow

    def handle(self, chat_id: int, inp: Input, *, message_ref: int | None = None, locale: str | None = None,
               first_name: str | None = None) -> Reply:
        """Handle one input of the resident (or of the clock: a reminder is due), in one transaction."""
        with self.store.transaction():
            stored = self.store.residents.load(chat_id)
            if stored is None and inp.kind == "operator":
                return NOTHING  # the resident erased their data meanwhile: nobody to hand back
            loc = stored.locale if stored else (locale if locale in self.engines else self.default_locale)
            engine = self.engines[loc]
            step = engine.step(stored.conversation if stored else None, inp)
            # A name is typed by the resident too (a NIK as first name): it becomes a topic title.
            name = redact(first_name).text if first_name is not None else (stored.first_name if stored else None)
            reply = self._apply(chat_id, inp, step, loc, message_ref, name, stored.conversation if stored else None)
            if (step.conversation is not None and inp.kind == "media" and message_ref is not None and not step.handoff
                    and not step.input_deleted and inp.media not in UNCOPIED_MEDIA):
                # Kept so that a photo of an error screen can go to the operator if asked for
                # (with its caption masked: the copy carries that instead of the original).
                self.store.residents.set_last_media(chat_id, message_ref, inp.media, redact(inp.text[:1024]).text)
            return reply

    def send_due_reminders(self, limit: int = 100) -> int:
        """Remind residents who went quiet mid-journey, as the region's schedule says (at most
        its length per quiet spell; the engine decides, the guide only finds who is due)."""
        sent = 0
        now = self.store.clock()
        moment = datetime.fromtimestamp(now, UTC)
        for chat_id in self.store.residents.due_reminders(now, limit):
            later = self._not_now(chat_id, moment)
            if later is not None:  # the sweep came late (past 19.00, or into a holiday): wait for the day
                with self.store.transaction():
                    self.store.residents.set_reminder(chat_id, later)
                continue
            # The store's clock is the shell's clock: the engine reads "today" from the input.
            reply = self.handle(chat_id, Input.timed_out(moment))
            sent += bool(reply.messages)
        return sent  # reminders that went out (a paused or finished resident's turn sends none)

    # ----- applying a step ----------------------------------------------------------------
    def _apply(self, chat_id: int, inp: Input, step: Step, locale: str, message_ref: int | None,
               first_name: str | None = None, before: Conversation | None = None) -> Reply:
        """Save the step, record its journey events, carry out its effects, keep the transcript."""
        conv = step.conversation
        timeout = inp.kind == "timeout"
        # Saved first, so the desk sees the resident (and their name) when it opens a ticket.
        milestone = self._save(chat_id, step, locale, first_name, timeout) if conv is not None else None
        self._record_journey(chat_id, before, step, timeout)
        # What an operator did is no line of the resident's (the desk keeps its own record).
        out = _Outcome([self._input_line(chat_id, inp, step)] if inp.kind != "operator" else [])
        if conv is not None and any(isinstance(e, Escalate) for e in step.effects):
            self.store.transcripts.add_many(out.lines)  # the operator's card shows the resident's last words
            out.lines = []
            for effect in step.effects:
                if isinstance(effect, Escalate):
                    self.desk.escalate(chat_id, effect, conv)
        self._carry_out(chat_id, step, self.renderers[locale], message_ref, timeout, out)
        if out.lines:
            self.store.transcripts.add_many(out.lines)
        return Reply(tuple(out.messages), conv.state if conv else None, milestone, step.handoff,
                     step.understood, step.input_deleted, step.effects)

    def _save(self, chat_id: int, step: Step, locale: str, first_name: str | None, timeout: bool) -> str:
        """Store the new snapshot with its reminder; the milestone reached."""
        conv = step.conversation
        assert conv is not None
        milestone = self.flow.states[conv.state].milestone
        self.store.residents.save(chat_id, conv, locale=locale, milestone=milestone,
                        remind_at=self._reminder(step, conv, locale, timeout), first_name=first_name)
        return milestone

    def _reminder(self, step: Step, conv: Conversation, locale: str, timeout: bool) -> float | Keep | None:
        """When the resident is reminded next: as the step says, never (reminders off, or the
        last one just went: none until the resident acts again), or as it was (KEEP)."""
        remind = next((e for e in step.effects if isinstance(e, Remind)), None)
        if remind is not None:
            return self._remind_at(remind, locale)
        if conv.fact(REMINDERS_FACT) == "off" or timeout:
            return None
        return KEEP

    def _carry_out(self, chat_id: int, step: Step, renderer: Renderer, message_ref: int | None, timeout: bool,
                   out: _Outcome) -> None:
        """The step's effects in order: say, delete, relay, leave the queue, erase."""
        escalating = any(isinstance(e, Escalate) for e in step.effects)
        # A photo with a secret in its caption, sent during a handoff: the desk copies it to the
        # operators (caption masked) and only then deletes it, or the copy would find nothing.
        delete_after_copy = (self.desk.copies_media and step.input_deleted
                             and any(isinstance(e, Relay) and e.media for e in step.effects))
        for effect in step.effects:
            if isinstance(effect, Say):
                self._say(chat_id, renderer.say(effect, step.conversation), step.conversation, renderer,
                          escalating, timeout, out)
            elif isinstance(effect, DeleteInput):
                if message_ref is not None and not delete_after_copy:
                    self.postbox.post(chat_id, outbox.Delete(message_ref))
            elif isinstance(effect, Relay):
                # The desk may answer a resident still in the queue (already in the outbox).
                out.messages.extend(self.desk.relay(chat_id, effect, message_ref,
                                                    delete_after=delete_after_copy))
            elif isinstance(effect, EndHandoff):
                self.desk.resident_left(chat_id)
            elif isinstance(effect, EraseData):
                # The operators' side first (ticket closed, topic deleted), then every row.
                desk_removed = self.desk.erase(chat_id)
                out.erased = _erased_summary(renderer, self.store.erase_resident(chat_id), desk_removed)
                out.lines = []

    def _say(self, chat_id: int, message: OutgoingMessage, conv: Conversation | None, renderer: Renderer,
             escalating: bool, timeout: bool, out: _Outcome) -> None:
        if escalating:
            # Tell the resident what to expect now: queue place, or when people are back.
            message = OutgoingMessage(f"{message.text}\n\n{self.desk.expectation(chat_id, renderer)}", message.rows)
        if out.erased:
            message = OutgoingMessage(f"{out.erased}\n\n{message.text}", message.rows)
            out.erased = ""
        out.messages.append(message)
        if conv is not None:  # after /hapusdata nothing about the resident is kept
            out.lines.append((chat_id, "out", "say", message.text, conv.state, None, ()))
        # A reminder (bulk) may wait while residents who talk are answered.
        self.postbox.post(chat_id, outbox.Text(message.text, message.rows, bulk=timeout))

    def _not_now(self, chat_id: int, moment: datetime) -> float | None:
        """When a due reminder may go, if not at ``moment`` (None: now is fine)."""
        stored = self.store.residents.load(chat_id)
        region = self.engines[stored.locale].region if stored else None
        if stored is None or region is None:
            return None
        office = self.flow.states[stored.conversation.state].milestone in region.reminders.office_milestones
        visit = stored.conversation.fact("visit_day")
        allowed = schedule.allowed(moment, region, region.reminders, office and not visit)
        return None if allowed <= moment else allowed.timestamp()

    def _remind_at(self, remind: Remind, locale: str) -> float:
        """The schedule's moment, moved to one the region allows (day, no holiday, office hours)."""
        now = self.store.clock()
        due = now + remind.after.total_seconds()
        region = self.engines[locale].region
        if region is None:
            return due
        if remind.day is not None:  # the morning of the planned office visit, if still ahead
            morning = schedule.morning_of(remind.day, region, region.reminders).timestamp()
            if morning > now:
                return morning
        # A whole hour usually has one answer (send as due, or move to the same later moment):
        # it is kept per hour, so a step does not redo the calendar work.
        key = (locale, remind.office, int(due // 3600))
        known = self._hours.get(key)
        if known is None:
            if len(self._hours) > 10_000:
                self._hours.clear()
            start = key[2] * 3600.0
            ends = [schedule.allowed(datetime.fromtimestamp(t, UTC), region, region.reminders,
                                     remind.office).timestamp() for t in (start, start + 3599.0)]
            known = self._hours[key] = ("as_due" if ends == [start, start + 3599.0]
                                        else ends[0] if ends[0] == ends[1] else "per_moment")
        if known == "as_due":
            return due
        if known != "per_moment":
            return known
        moment = schedule.allowed(datetime.fromtimestamp(due, UTC), region, region.reminders, remind.office)
        return moment.timestamp()

    def _record_journey(self, chat_id: int, before: Conversation | None, step: Step, timeout: bool) -> None:
        """The anonymous journey events of this step (bot/followup/journey.py), in its transaction."""
        found = journey.events(self.flow, before, step.conversation, step.effects, timeout)
        if not found:
            return
        place = step.conversation or before
        kecamatan = place.fact("kecamatan") if place is not None else None
        for event in found:
            if event.kind == "deleted":
                self.store.journey.add(None, "deleted", event.step, kecamatan)  # counted, linked to nobody
            elif event.kind == "milestone":
                if event.step is not None:
                    # No conversation before: nothing reached yet (erasing a resident erases their rows).
                    self.store.journey.reach_milestone(chat_id, event.step, kecamatan, event.detail,
                                                       first=before is None)
            elif event.kind == "activated":
                if not self.store.journey.has(chat_id, "activated"):
                    self.store.journey.add(chat_id, "activated", event.step, kecamatan, event.detail)
            else:
                self.store.journey.add(chat_id, event.kind, event.step, kecamatan, event.detail)

    @staticmethod
    def _input_line(chat_id: int, inp: Input, step: Step) -> tuple:
        """The transcript line for what the resident sent (redacted; with what was understood)."""
        reading = step.reading
        if inp.kind == "text":
            text, kind = redact(inp.text[:4096]).text, "text"
        elif inp.kind == "button":
            text, kind = str(inp.button), "button"
        elif inp.kind == "command":
            text, kind = redact(inp.written[:4096]).text, "command"
        else:
            caption = redact(inp.text[:1024]).text if inp.text else ""
            text, kind = f"{inp.media} {caption}".strip(), inp.kind
        return (chat_id, "in", kind, text, step.conversation.state if step.conversation else None,
                (reading.intent or reading.label) if reading else None, reading.matched if reading else ())


def _erased_summary(renderer: Renderer, counts: dict[str, int], desk_removed: tuple[str, ...]) -> str:
    """What /hapusdata removed, in one sentence ("Yang saya hapus: a, b, dan c.")."""
    t = renderer.t
    items = []
    if counts.get("conversations"):
        items.append(t.text("sys.erased_item.progress"))
    if counts.get("transcript"):
        items.append(t.text("sys.erased_item.messages", count=counts["transcript"]))
    if counts.get("tickets") or "ticket" in desk_removed:
        items.append(t.text("sys.erased_item.ticket"))
    if "topic" in desk_removed:
        items.append(t.text("sys.erased_item.topic"))
    if not items:
        return ""
    return t.text("sys.erased_summary", items=format_list(items, locale=t.locale))


def reply_json(reply: Reply) -> dict[str, Any]:
    """The simulate protocol's view of a reply."""
    return {
        "replies": [{"text": m.text, "buttons": m.buttons} for m in reply.messages],
        "state": reply.state, "milestone": reply.milestone, "handoff": reply.handoff,
        "understood": reply.understood, "input_deleted": reply.input_deleted,
    }
