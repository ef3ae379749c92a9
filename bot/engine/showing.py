"""How the engine shows a step (pure; mixed into Engine): the step's lines or its simpler
wording, its buttons and the help row, the small menus over a step (the stuck offer, the erase
question, the questions menu and its answers) and the "Langkah 3 dari 8" progress.

It decides what is shown, as ``Say`` effects and the buttons kept in the conversation; which
words those msgids become is the renderer's business (bot/render.py).
"""

from __future__ import annotations

from bot.engine import texts
from bot.engine.conversation import Conversation, ShownButton
from bot.engine.effects import Effect, Say
from bot.engine.host import EngineHost
from bot.engine.reminders import REMINDERS_FACT, remind_first
from bot.engine.step import Step
from bot.flow.model import Line
from bot.understanding import Reading
from bot.vocabulary import Event, Overlay, faq_event


class Showing(EngineHost):
    def _show(self, conv: Conversation, lead: tuple[Line, ...] = (), remind: bool = False,
              extra: tuple[Effect, ...] = (), simple: bool = False) -> Step:
        """Show the current step: its lines (or its simpler wording) after ``lead``, its buttons
        and the help row."""
        state = self.flow.states[conv.state]
        buttons = tuple(ShownButton(b.label, b.event) for b in state.buttons) + self._help_row(conv)
        shown = conv.evolve(buttons=buttons, overlay=None)
        effects: list[Effect] = list(extra)
        effects.append(Say(lead + (state.say_simple if simple else state.say), buttons, self._progress(conv)))
        if remind and state.milestone != "activated" and conv.fact(REMINDERS_FACT) != "off":
            effects.append(remind_first(self._plan(), conv, state.milestone))
        return Step(shown, tuple(effects))

    def _overlay(self, conv: Conversation, overlay: str, lead: tuple[Line, ...] = ()) -> Step:
        buttons: tuple[ShownButton, ...]
        if overlay == Overlay.STUCK:
            lines = lead + (Line(texts.STUCK_OFFER),)
            buttons = (ShownButton(texts.PERSON_YES, Event.BANTUAN), ShownButton(texts.TRY_AGAIN, Event.ULANGI))
        elif overlay == Overlay.ERASE:
            lines = lead + (Line(texts.ERASE_CONFIRM),)
            buttons = (ShownButton(texts.ERASE_YES, Event.HAPUS_YA), ShownButton(texts.ERASE_NO, Event.HAPUS_TIDAK))
        else:
            lines = lead + (Line(texts.FAQ_MENU),)
            buttons = tuple(ShownButton(t.label, faq_event(t.name)) for t in self.flow.faq) + self._faq_row()
        shown = conv.evolve(overlay=overlay, paused=False, buttons=buttons)
        return Step(shown, (Say(lines, buttons, self._progress(conv)),))

    def _faq_row(self) -> tuple[ShownButton, ...]:
        return (ShownButton(texts.CONTINUE_GUIDE, Event.LANJUT, True), ShownButton(texts.PERSON, Event.BANTUAN, True))

    def _faq_answer(self, conv: Conversation, name: str) -> Step:
        topic = self.flow.faq_topic(name)
        if topic is None:
            return self._misunderstood(conv, texts.BUTTON_EXPIRED, Reading())
        buttons = (tuple(ShownButton(t.label, faq_event(t.name)) for t in self.flow.faq if t.name != name)
                   + self._faq_row())
        shown = conv.evolve(overlay=Overlay.FAQ, buttons=buttons)
        return Step(shown, (Say(topic.answer, buttons),))

    def _help_row(self, conv: Conversation) -> tuple[ShownButton, ...]:
        first = (ShownButton(texts.BACK, Event.KEMBALI, True) if conv.history
                 else ShownButton(texts.FAQ, Event.TANYA, True))
        return self._return_row(conv) + (first, ShownButton(texts.PERSON, Event.BANTUAN, True))

    def _progress(self, conv: Conversation) -> tuple[int, int] | None:
        milestone = self.flow.milestones.get(self.flow.states[conv.state].milestone)
        if milestone and milestone.step:
            return (milestone.step, self.flow.total_steps)
        return None
