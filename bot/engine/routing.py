"""Reading a typed message into what the guide does (part of the pure engine; no I/O).

The understanding (bot.understanding) gives a button, a sure meaning, or the likeliest meanings.
Here that becomes an action:

- a button's label: that button's event;
- a request for a person, when sure: the handoff; when the reader is not sure: a person offered
  with a button, the guide going on otherwise;
- a scam report: the plain warning;
- a problem ("lupa pin", "wajah gagal terus"): if the current step handles it itself (its
  ``intents:`` name it, and not as progress), the step's own event; otherwise a detour to the
  problem's troubleshooting state, remembering the step to come back to (a "Kembali ke langkah
  saya" button in the help row while away);
- any other meaning: the step's event for it, or a question when the step has none;
- not sure: a short question with buttons for the two or three likeliest meanings, plus a person.

A newcomer's very first message is acted on too: the guide introduces itself and, if the
message asked for a person, named a problem, a scam or a question, answers it at once.
"""

from __future__ import annotations

from bot.engine import texts
from bot.engine.conversation import Conversation, Input, ShownButton
from bot.engine.effects import Escalate, Say
from bot.engine.host import EngineHost
from bot.engine.step import Step
from bot.flow.model import Line, State
from bot.redaction import redact
from bot.understanding import MARGIN, SURE, Reading
from bot.understanding.examples import ProblemSpec
from bot.vocabulary import CHIT_CHAT, FAQ, GLOBAL_INTENTS, PROBLEM, Event, Intent, Overlay, chat_event, faq_event

SCAM_INTENT = Intent.SCAM
RETURN = Event.KEMBALI_LANGKAH  # event of the "back to my step" button shown during a detour


class Routing(EngineHost):
    """Mixed into Engine: the reading path. Uses the engine's flow, understanding and helpers."""

    def _expected(self, conv: Conversation) -> tuple[str, ...]:
        """What the current step expects: its intents weigh more in the reading (a prior)."""
        return () if conv.overlay else tuple(self.flow.states[conv.state].intents)

    def _read(self, conv: Conversation, text: str) -> Reading:
        # Read the masked text: a phone number or an address never enters the reading (whose
        # words are kept in the transcript), and means nothing to the reader anyway.
        masked = redact(text).text
        return self.understanding.read(masked, [b.label for b in conv.buttons], self._expected(conv))

    def _act(self, conv: Conversation, reading: Reading, inp: Input) -> Step:
        if reading.label:
            return self._event(conv, next(b.event for b in conv.buttons if b.label == reading.label), reading, inp.at)
        if reading.intent == SCAM_INTENT:
            return self._scam_warning(conv, reading)
        if reading.intent is None:
            if reading.candidates[:1] == ("help",):
                return self._offer_person(conv, reading)
            if reading.candidates:
                event = self._agreed_event(conv, reading)
                return self._event(conv, event, reading, inp.at) if event else self._clarify(conv, reading)
            return self._misunderstood(conv, texts.NOT_UNDERSTOOD, reading)
        event = self._intent_event(conv, reading.intent)
        if event is None:
            return self._clarify(conv, reading)  # a clear meaning this step has no answer for: ask
        return self._event(conv, event, reading, inp.at)

    def _agreed_event(self, conv: Conversation, reading: Reading) -> str | None:
        """Unsure between meanings that do the same thing here ("sudah siap": yes or done, both
        "next"): the event, when together they are as sure as one clear meaning would be."""
        weight: dict[str, float] = {}
        for name, p in zip(reading.candidates, reading.likelihoods, strict=True):
            if name == SCAM_INTENT or name == Intent.HELP:
                return None
            event = self._intent_event(conv, name) or f"?{name}"  # no answer here: still a rival
            weight[event] = weight.get(event, 0.0) + p
        weights = sorted(weight.values(), reverse=True)
        rest = max(weights[1:] + [1.0 - sum(reading.likelihoods)])  # the other events, or meanings unlisted
        best = max(weight, key=weight.__getitem__)
        return best if not best.startswith("?") and weights[0] >= SURE and weights[0] >= MARGIN * rest else None

    def _intent_event(self, conv: Conversation, intent: str) -> str | None:
        if intent in GLOBAL_INTENTS:
            return GLOBAL_INTENTS[intent]
        if intent in CHIT_CHAT:
            return chat_event(intent)
        topic = next((t for t in self.flow.faq if intent in t.intents), None)
        if topic:
            return faq_event(topic.name)
        problem = self.understanding.problem(intent)
        if problem is not None:
            return self._problem_event(conv, problem)
        if conv.overlay:
            return None
        state = self.flow.states[conv.state]
        for candidate in (intent, self.understanding.fallback(intent)):
            if candidate and candidate in state.intents:
                return state.intents[candidate]
        return None

    def _problem_event(self, conv: Conversation, problem: ProblemSpec) -> str:
        """The step's own event for a problem, or a detour to the problem's state."""
        if conv.overlay:
            return PROBLEM + problem.name
        state = self.flow.states[conv.state]
        own = next((state.intents[n] for n in (problem.name,) + problem.also if n in state.intents), None)
        if problem.state == conv.state:
            own = own or state.intents.get("failed")  # "QR tidak valid" said at the QR step: it failed
            return own or Event.ULANGI
        # A problem is never progress: "nik ditolak" where the step maps it like "done" is a detour.
        progress = {state.intents.get("done"), state.intents.get("yes")}
        if own is None or own in progress or self._only_asks_again(state, own, problem):
            return PROBLEM + problem.name
        return own

    def _only_asks_again(self, state: State, event: str, problem: ProblemSpec) -> bool:
        """True when the step's event leads to a menu that would route this very problem to its
        state: the resident already said which, so the menu is skipped."""
        target = next((t.target for t in state.transitions if t.event == event), None)
        menu = self.flow.states.get(target) if target else None
        if menu is None:
            return False
        for name in (problem.name,) + problem.also:
            if name in menu.intents and any(t.target == problem.state for t in menu.transitions
                                            if t.event == menu.intents[name]):
                return True
        return False

    def _detour(self, conv: Conversation, name: str, reading: Reading) -> Step:
        problem = self.understanding.problem(name)
        if problem is None or problem.state not in self.flow.states:
            return self._offer_person(conv, reading)  # no help written for it yet: a person can
        if problem.state == conv.state:
            return self._show(conv.evolve(overlay=None))
        back_to = conv.detour or conv.state
        moved = self._move(conv, problem.state).evolve(detour=back_to)
        return self._show(moved, remind=True)

    def _return(self, conv: Conversation) -> Step:
        if not conv.detour:
            return self._show(conv.evolve(overlay=None))
        return self._show(self._move(conv, conv.detour), remind=True)

    def _return_row(self, conv: Conversation) -> tuple[ShownButton, ...]:
        if conv.detour and conv.detour != conv.state:
            return (ShownButton(texts.RETURN_TO_STEP, RETURN, True),)
        return ()

    def _offer_person(self, conv: Conversation, reading: Reading) -> Step:
        """The reader thinks a person may be wanted but is not sure: offer one, go on otherwise."""
        buttons = (ShownButton(texts.PERSON_YES, Event.BANTUAN, True),
                   ShownButton(texts.CONTINUE_GUIDE, Event.LANJUT, True))
        offered = conv.evolve(buttons=buttons, overlay=None, paused=False)
        return Step(offered, (Say((Line(texts.OFFER_PERSON),), buttons, self._progress(conv)),), understood=False,
                    reading=reading)

    def _clarify(self, conv: Conversation, reading: Reading) -> Step:
        """Ask with buttons for the likeliest meanings (and a person), never a bare "which?"."""
        state = self.flow.states[conv.state]
        count = conv.misunderstandings + 1
        if count >= state.stuck.misunderstandings:
            return self._misunderstood(conv, texts.UNSURE, reading)
        choices: list[ShownButton] = []
        for name in reading.candidates or (reading.intent,):
            choice = self._choice(conv, name)
            if choice and choice.event not in {c.event for c in choices}:
                choices.append(choice)
        if len(choices) < 2 and not conv.overlay:
            choices += [ShownButton(b.label, b.event) for b in state.buttons
                        if b.event not in {c.event for c in choices}]
        # The step's own buttons keep the order the resident saw them in; other meanings follow.
        order = [b.event for b in state.buttons]
        choices.sort(key=lambda c: order.index(c.event) if c.event in order else len(order))
        buttons = tuple(choices[:3]) + self._help_row(conv)
        asking = conv.evolve(misunderstandings=count, buttons=buttons, overlay=None)
        return Step(asking, (Say((Line(texts.CLARIFY),), buttons, self._progress(conv)),), understood=False,
                    reading=reading)

    def _choice(self, conv: Conversation, name: str | None) -> ShownButton | None:
        """The button that means ``name`` here: the step's own, a problem's, or an FAQ topic's."""
        if not name or name in GLOBAL_INTENTS or name in CHIT_CHAT or name == SCAM_INTENT:
            return None
        state = self.flow.states[conv.state]
        event = self._intent_event(conv.evolve(overlay=None), name)
        if event is None:
            return None
        own = next((b for b in state.buttons if b.event == event), None)
        if own:
            return ShownButton(own.label, own.event)
        if event.startswith(PROBLEM):
            problem = self.understanding.problem(name)  # the problem _intent_event found for name
            return ShownButton(problem.label, event) if problem else None
        topic = self.flow.faq_topic(event[len(FAQ):]) if event.startswith(FAQ) else None
        return ShownButton(topic.label, event) if topic else None

    def _newcomer(self, conv: Conversation, inp: Input) -> Step:
        """A first message: the introduction, and an answer when it asked for something."""
        welcome = self._show(conv, remind=True)
        if inp.kind != "text" or not inp.text.strip():
            return welcome
        acted = self._interpret(conv, inp)
        after = acted.conversation
        asked = (any(isinstance(e, Escalate) for e in acted.effects)
                 or (after is not None and (after.detour or after.overlay in (Overlay.SCAM, Overlay.FAQ))))
        if not asked:
            return welcome
        intro = Say(self.flow.states[self.flow.start].say)
        return Step(after, (intro,) + acted.effects, acted.understood, acted.reading)
