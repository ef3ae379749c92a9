"""The dialog engine: ``step(snapshot, input) -> Step(new snapshot, effects)``, nothing else.

Order of handling, each a short method below:
0. what an operator did (finished, ended, followed up) is handled on its own (handoff.py);
1. a secret in what was written (a text, a caption, a command's argument) is masked and deleted
   before anything else looks at it;
2. commands (/start, /bantuan, ...); the answer to /hapusdata's question, even during a handoff;
3. while a person has the conversation (handoff), the guide stays silent and relays;
4. a paused conversation resumes on any input;
5. the input becomes an event (button, typed label, intent) or a misunderstanding;
6. global events, overlay events (FAQ, stuck offer, erase), then the flow's own transitions.

The parts it is made of, each a mixin with one job: showing a step (showing.py), a person's turn
(handoff.py), reading a typed message (routing.py), reminders (reminders.py), the kecamatan
question (place_question.py) and the home visit (home_visit.py); host.py names what they share.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.conditions import ConditionContext
from bot.engine import texts
from bot.engine.conversation import Conversation, Input, ShownButton
from bot.engine.effects import DeleteInput, Effect, EraseData, Relay, Say
from bot.engine.handoff import Handoff
from bot.engine.home_visit import ASK_ADDRESS, ASK_KELURAHAN, KELURAHAN_UNKNOWN, HomeVisit
from bot.engine.machine import FlowMachine
from bot.engine.place_question import KECAMATAN_THEN, PLACE_MILESTONE, PlaceQuestion
from bot.engine.reminders import Reminders
from bot.engine.routing import GLOBAL_INTENTS, PROBLEM, RETURN, SCAM_INTENT, Routing
from bot.engine.showing import Showing
from bot.engine.step import Step, _read_as
from bot.flow.model import Flow, Line
from bot.redaction import redact
from bot.region import Region
from bot.understanding import Reading, Understanding
from bot.vocabulary import (
    COMMAND_EVENTS,
    FAQ,
    KECAMATAN,
    VISIT,
    Command,
    Event,
    Intent,
    Overlay,
    chat_event,
    problem_event,
)

COMMANDS = COMMAND_EVENTS  # a command a resident types, as the event it fires
MAX_TEXT = 2000  # longer texts are not read: no resident answer to a step is that long


class Engine(Showing, Handoff, Reminders, Routing, PlaceQuestion, HomeVisit):
    """Pure: holds the flow, the machine, the region facts and the understanding; no I/O."""

    def __init__(self, flow: Flow, understanding: Understanding, region: Region | None = None,
                 handoff_available: bool = True, ask_place: bool = False):
        self.flow = flow
        self.machine = FlowMachine(flow)
        self.understanding = understanding
        self.region = region
        self.handoff_available = handoff_available
        # Ask the resident's kecamatan (before the office visit and a handoff): on where tickets
        # are routed to kecamatan groups; with one group it would only delay the person.
        self.ask_place = ask_place

    # ----- public -------------------------------------------------------------------------
    def needs_region(self) -> Region:
        """The region file, for what cannot work without one (reports, checks, the dashboard):
        the assembled guide always has one; only the pure engine's own tests leave it out."""
        if self.region is None:
            raise RuntimeError("built without a region file; bot.assembly.build_guide always loads one")
        return self.region

    def start(self) -> Conversation:
        return Conversation(state=self.flow.start)

    def step(self, conversation: Conversation | None, inp: Input) -> Step:
        if inp.kind == "operator":
            return self._operator(conversation, inp)
        conv = conversation or self.start()
        conv = conv.evolve(turns=conv.turns + 1)
        if conv.reminded and inp.kind != "timeout":
            conv = conv.evolve(reminded=0)  # the resident is back: the reminders start over
        if inp.kind in ("text", "media", "command") and inp.written:
            secret = self._secret(conv, inp)
            if secret:
                return secret
        if conv.handoff and conv.overlay == Overlay.ERASE and inp.kind in ("button", "text"):
            erase = self._erase_answer(conv, inp)
            if erase:
                return erase
        if inp.kind == "command":
            return self._command(conv, inp, fresh=conversation is None)
        if inp.kind == "timeout":
            return self._timeout(conversation, inp.at)
        if conversation is None:
            # Whatever a newcomer sends first, the guide introduces itself, and answers a request.
            return self._newcomer(conv, inp)
        if conv.handoff:
            return self._during_handoff(conv, inp)
        if conv.paused:
            return self._show(conv.evolve(paused=False), lead=(Line(texts.RESUMED),))
        return self._interpret(conv, inp)

    def prompt(self, conv: Conversation, lead: tuple[Line, ...] = ()) -> Step:
        """The current step shown again, nothing else changed but the menus closed (how teman-ikd
        check and the evaluation show a step)."""
        return self._show(conv.evolve(handoff=False, overlay=None, paused=False), lead=lead)

    # ----- stages -------------------------------------------------------------------------
    def _secret(self, conv: Conversation, inp: Input) -> Step | None:
        found = redact(inp.written[:4096])
        if not found.has_secret:
            return None
        effects: list[Effect] = [DeleteInput(found.secrets)]
        if conv.handoff:
            # The operator still learns that something was sent, masked, never raw (a photo
            # goes without its caption's secret).
            effects.append(Relay(text=found.text, media=inp.media if inp.kind == "media" else ""))
            return Step(conv, tuple(effects) + (Say((Line(texts.SECRET_DELETED),)),))
        if conv.overlay in (ASK_KELURAHAN, ASK_ADDRESS) and inp.kind == "text":
            # A NIK typed into the home-visit address: deleted, and the rest (masked) still answers.
            typed = self._home_visit_typed(conv, found.text)
            return Step(typed.conversation, tuple(effects) + (Say((Line(texts.SECRET_DELETED),)),) + typed.effects)
        # "Someone asked for my code: 123456" is both a secret and a scam report: warn about both.
        reading = self._read(conv, found.text)
        if reading.intent == SCAM_INTENT:
            shown = self._scam_warning(conv, reading, lead=(Line(texts.SECRET_DELETED),))
        else:
            shown = self._show(conv, lead=(Line(texts.SECRET_DELETED),))
        return Step(shown.conversation, tuple(effects) + shown.effects, reading=shown.reading)

    def _command(self, conv: Conversation, inp: Input, fresh: bool) -> Step:
        name = inp.command
        if name == Command.START:
            return self._start(conv, inp.argument, fresh)
        if name == Command.HAPUSDATA:
            return self._overlay(conv, Overlay.ERASE)
        if conv.handoff and name in COMMANDS:
            if name == Command.BANTUAN:
                return self._still_waiting(conv)
            return self._during_handoff(conv, inp)
        if name in COMMANDS:
            return self._event(conv.evolve(paused=False), COMMANDS[name], Reading(), inp.at)
        shown = self._show(conv, lead=(Line(texts.UNKNOWN_COMMAND),))
        return replace(shown, understood=False)

    def _start(self, conv: Conversation, argument: str, fresh: bool) -> Step:
        milestone = self.flow.milestones.get(argument.lower()) if argument else None
        if milestone and conv.handoff:
            # A QR code scanned while waiting for a person: keep the ticket, say so.
            return self._still_waiting(conv)
        if milestone:
            moved = self._move(conv.evolve(paused=False), milestone.entry)
            return self._show(moved, remind=True)
        if fresh:
            return self._show(conv, remind=True)
        if conv.handoff:
            return self._still_waiting(conv)
        return self._show(conv.evolve(paused=False, overlay=None), lead=(Line(texts.WELCOME_BACK),))

    def _interpret(self, conv: Conversation, inp: Input) -> Step:
        if inp.kind == "button":
            event = self._button_event(conv, inp)
            if event is None:
                return self._misunderstood(conv, texts.BUTTON_EXPIRED, Reading())
            return self._event(conv, event, Reading(label=conv.buttons[inp.button - 1].label, score=100.0), inp.at)
        if inp.kind == "media":
            return self._media(conv, inp.media)
        text = inp.text.strip()
        if not text:
            return self._misunderstood(conv, texts.NOT_UNDERSTOOD, Reading())
        if len(text) > MAX_TEXT:
            return self._misunderstood(conv, texts.TOO_LONG, Reading())
        if conv.overlay == Overlay.KECAMATAN:
            place = self.region.places.find(text) if self.region else None
            if place is not None:  # a kecamatan or kelurahan typed instead of pressed
                return self._kecamatan_chosen(conv, place.id)
        if conv.overlay in (ASK_KELURAHAN, ASK_ADDRESS) and not self._is_label(conv, text):
            return self._home_visit_typed(conv, text)
        reading = self._read(conv, text)
        if conv.overlay == Overlay.KECAMATAN:
            return self._kecamatan_reply(conv, reading, inp)
        return self._act(conv, reading, inp)

    def _kecamatan_reply(self, conv: Conversation, reading: Reading, inp: Input) -> Step:
        """Only a place, a button or a way out (a person, back, repeat) answers the kecamatan question."""
        event: str | None
        if reading.label:
            event = next(b.event for b in conv.buttons if b.label == reading.label)
        else:
            event = GLOBAL_INTENTS.get(reading.intent or "")
        if event and (event.startswith(KECAMATAN) or event in GLOBAL_INTENTS.values()):
            return self._event(conv, event, reading, inp.at)
        asked = self._ask_kecamatan(conv, conv.fact(KECAMATAN_THEN) or "show", lead=(Line(texts.KEC_NOT_FOUND),))
        return Step(asked.conversation, asked.effects, understood=False, reading=reading)

    # ----- events -------------------------------------------------------------------------
    def _button_event(self, conv: Conversation, inp: Input) -> str | None:
        if 1 <= inp.button <= len(conv.buttons):
            return conv.buttons[inp.button - 1].event
        return None

    def _event(self, conv: Conversation, event: str, reading: Reading, at: datetime) -> Step:
        if conv.misunderstandings:
            conv = conv.evolve(misunderstandings=0)
        handler = {
            Event.BANTUAN: lambda: self._escalate(conv, self._escalation_reason(conv, reading)),
            Event.ULANGI: lambda: self._explain_again(conv, confused=False),
            Event.KEMBALI: lambda: self._back(conv),
            Event.MULAI: lambda: self._show(self.start(), remind=True),
            Event.BERHENTI: lambda: self._pause(conv),
            Event.PENGINGAT_STOP: lambda: self._stop_reminders(conv),
            Event.RENCANA_KUNJUNGAN: lambda: self._plan_visit(conv, at),
            Event.KUNJUNGAN_RUMAH: lambda: self._ask_kelurahan(conv),
            KELURAHAN_UNKNOWN: lambda: self._kelurahan_unknown(conv),
            Event.TANYA: lambda: self._overlay(conv, Overlay.FAQ),
            Event.LANJUT: lambda: self._show(conv.evolve(overlay=None)),
            Event.HAPUS_YA: lambda: Step(None, (EraseData(), Say((Line(texts.ERASED),)))),
            Event.HAPUS_TIDAK: lambda: self._show(conv.evolve(overlay=None), lead=(Line(texts.ERASE_CANCELLED),)),
            chat_event(Intent.THANKS): lambda: self._show(conv, lead=(Line(texts.THANKS),)),
            chat_event(Intent.GREETING): lambda: self._show(conv, lead=(Line(texts.GREETING),)),
            chat_event(Intent.CONFUSED): lambda: self._explain_again(conv, confused=True),
            RETURN: lambda: self._return(conv),
        }.get(event)
        if handler:
            return _read_as(handler(), reading)
        if event.startswith(FAQ):
            return _read_as(self._faq_answer(conv, event[len(FAQ):]), reading)
        if event.startswith(VISIT) and conv.overlay == Overlay.VISIT:
            return _read_as(self._visit_chosen(conv, event[len(VISIT):]), reading)
        if event.startswith(PROBLEM):
            return _read_as(self._detour(conv, event[len(PROBLEM):], reading), reading)
        if event.startswith(KECAMATAN) and conv.overlay == Overlay.KECAMATAN:
            return _read_as(self._kecamatan_chosen(conv, event[len(KECAMATAN):]), reading)
        return _read_as(self._transition(conv, event, reading, at), reading)

    def _transition(self, conv: Conversation, event: str, reading: Reading, at: datetime) -> Step:
        state = self.flow.states[conv.state]
        ctx = ConditionContext(dict(conv.facts), at, self.region)
        fired = self.machine.fire(conv.state, event, ctx)
        if fired is None:
            return self._misunderstood(conv, texts.NOT_UNDERSTOOD, reading)
        moved = self._move(conv.with_facts(fired.sets) if fired.sets else conv, fired.target)
        if fired.failure:
            count = conv.failure_count(state.milestone) + 1
            if count >= state.stuck.failures:
                return self._overlay(moved.with_failures(state.milestone, 0), Overlay.STUCK)
            moved = moved.with_failures(state.milestone, count)
        if (self._needs_kecamatan(moved) and moved.state == self._visit_entry()
                and self.flow.states[conv.state].milestone != PLACE_MILESTONE):
            return self._ask_kecamatan(moved, "show")  # to name the nearest office
        return self._show(moved, remind=True)

    def _move(self, conv: Conversation, target: str) -> Conversation:
        """To ``target``, remembered for Back; any overlay menu closes."""
        history = (conv.history + (conv.state,))[-Conversation.HISTORY_LIMIT:] if target != conv.state else conv.history
        detour = None if target == conv.detour else conv.detour  # back at the step left for a problem
        return conv.evolve(state=target, history=history, misunderstandings=0, overlay=None, explained=0,
                           detour=detour)

    def _back(self, conv: Conversation) -> Step:
        if conv.overlay:
            return self._show(conv.evolve(overlay=None))
        if not conv.history:
            return self._show(conv, lead=(Line(texts.NO_BACK),))
        return self._show(conv.evolve(state=conv.history[-1], history=conv.history[:-1]))

    def _pause(self, conv: Conversation, lead: tuple[Line, ...] = ()) -> Step:
        paused = conv.evolve(paused=True, overlay=None)
        buttons = (ShownButton(texts.RESUME, Event.LANJUT), ShownButton(texts.PERSON, Event.BANTUAN, True))
        return Step(paused.evolve(buttons=buttons), (Say(lead + (Line(texts.PAUSED),), buttons),))

    def _explain_again(self, conv: Conversation, confused: bool) -> Step:
        """"ulangi" repeats the step once, "gimana caranya" needs no repeat: the next ask gets the
        step's simpler wording (say_simple), and asking once more offers a person."""
        if conv.overlay:  # "ulangi" over a menu (FAQ, the stuck offer's "Coba lagi"): the step again
            return self._show(conv.evolve(overlay=None, explained=0))
        state = self.flow.states[conv.state]
        asked = conv.explained + 1
        simple_at = 1 if confused else 2
        if asked < simple_at:
            return self._show(conv.evolve(explained=asked))
        if asked == simple_at and state.say_simple:
            return self._show(conv.evolve(explained=asked), lead=(Line(texts.CONFUSED),), simple=True)
        return self._overlay(conv.evolve(explained=0), Overlay.STUCK)

    def _misunderstood(self, conv: Conversation, msgid: str, reading: Reading) -> Step:
        state = self.flow.states[conv.state]
        count = conv.misunderstandings + 1
        if count >= state.stuck.misunderstandings:
            step = self._overlay(conv.evolve(misunderstandings=0), Overlay.STUCK, lead=(Line(msgid),))
        else:
            step = self._show(conv.evolve(misunderstandings=count), lead=(Line(msgid),))
        return replace(step, understood=False, reading=reading)

    def _media(self, conv: Conversation, kind: str) -> Step:
        # A kind-specific answer; it counts as a misunderstanding, so a second one offers a person.
        msgid = texts.MEDIA.get(kind, texts.MEDIA_OTHER)
        return self._misunderstood(conv, msgid, Reading(matched=(f"media:{kind}",)))

    def _scam_warning(self, conv: Conversation, reading: Reading, lead: tuple[Line, ...] = ()) -> Step:
        """Calls, APKs, links, payments, someone asking for a code: warn plainly, offer a person,
        and a way to the victim's steps for whoever already gave the code or installed the file."""
        buttons = (ShownButton(texts.PERSON_YES, Event.BANTUAN),
                   ShownButton(texts.SCAM_VICTIM, problem_event("scam_victim")),
                   ShownButton(texts.CONTINUE_GUIDE, Event.LANJUT, True))
        warned = conv.evolve(overlay=Overlay.SCAM, paused=False, misunderstandings=0, buttons=buttons)
        return Step(warned, (Say(lead + (Line(texts.SCAM_WARNING),), buttons, self._progress(conv)),),
                    reading=reading)
