"""The engine around a person's turn (pure; mixed into Engine): asking for a person, the
resident's inputs while one has the conversation, and what an operator did.

- ``_escalate``: the ticket is asked for (an ``Escalate`` effect for the desk), after the
  kecamatan question where tickets are routed to kecamatan groups; the office contacts instead
  when no operators are configured;
- while a person has the conversation the guide stays silent: what the resident writes or sends
  is relayed; "back to the guide" leaves the queue; /hapusdata's question is still the guide's;
- an operator finished (back on the resident's step), ended (the guide rests) or wrote again
  after the ticket closed (with a person again): an input (kind "operator") like a resident's,
  sent by the desk through the guide (bot/desk/port.py).
Opening tickets and reaching operators is the desk's business (bot/desk/), never done here.
"""

from __future__ import annotations

from bot import places
from bot.engine import texts
from bot.engine.conversation import Conversation, Input, ShownButton
from bot.engine.effects import EndHandoff, EraseData, Escalate, Relay, Say
from bot.engine.host import EngineHost
from bot.engine.step import Step
from bot.flow.model import Line
from bot.redaction import redact
from bot.understanding import Reading
from bot.vocabulary import ESCALATE_AFTER, Event, OperatorAct, Overlay, Reason, content_reason


class Handoff(EngineHost):
    def _operator(self, conv: Conversation | None, inp: Input) -> Step:
        """What an operator did: finished (the resident is back on their step, told so), ended
        (the guide rests where the resident was) or wrote again after the ticket closed (with a
        person again, one tap from the guide; the operator's line is the message, so the guide
        says nothing of its own). Not the resident's turn: no turn counted, reminders as they were."""
        if conv is None:
            return Step(None, ())  # nobody to act on (the guide does not ask: bot/guide.py)
        if inp.act == OperatorAct.FINISHED:
            return self._show(conv.evolve(handoff=False, overlay=None, paused=False),
                              lead=(Line(texts.OPERATOR_FINISHED),))
        if inp.act == OperatorAct.ENDED:
            return self._pause(conv.evolve(handoff=False, overlay=None), lead=(Line(texts.OPERATOR_ENDED),))
        buttons = (ShownButton(texts.BACK_TO_GUIDE, Event.PANDUAN),)
        return Step(conv.evolve(handoff=True, overlay=None, paused=False, buttons=buttons), ())

    def _escalate(self, conv: Conversation, reason: str) -> Step:
        state = self.flow.states[conv.state]
        if not self.handoff_available:  # the office contacts instead (a home visit's address is not kept)
            return self._show(self._take_visit(conv)[0].evolve(overlay=None), lead=(Line(texts.NO_OPERATORS),))
        if reason != Reason.SCAM and self._needs_kecamatan(conv):
            # Asked once, so the ticket reaches the operators of the resident's kecamatan. A scam
            # report goes straight through: it is urgent, and any operator can help.
            if conv.overlay != Overlay.KECAMATAN:
                return self._ask_kecamatan(conv, ESCALATE_AFTER + reason)
            conv = self._without_question(conv, places.UNKNOWN)  # asked for a person again: go on
        conv, visit = self._take_visit(conv)  # a home visit's address leaves the conversation here
        buttons = (ShownButton(texts.BACK_TO_GUIDE, Event.PANDUAN),)
        waiting = conv.evolve(handoff=True, overlay=None, paused=False, buttons=buttons)
        said = Line(texts.HV_SENT if visit else texts.ESCALATED)
        return Step(waiting, (Escalate(reason, state.name, state.milestone, visit), Say((said,), buttons)))

    def _escalation_reason(self, conv: Conversation, reading: Reading) -> str:
        """Why a person is asked for: the stuck offer, a scam report, the content, or the resident."""
        if conv.overlay in (Overlay.STUCK, Overlay.SCAM):
            return conv.overlay
        pressed = next((b for b in conv.buttons if b.label == reading.label), None)
        if pressed is not None and pressed.event == Event.BANTUAN and not pressed.help_row and not conv.overlay:
            return content_reason(conv.state)
        return Reason.ASKED

    def _still_waiting(self, conv: Conversation) -> Step:
        return Step(conv, (Say((Line(texts.STILL_WAITING),), conv.buttons),))

    def _during_handoff(self, conv: Conversation, inp: Input) -> Step:
        event = self._button_event(conv, inp) if inp.kind == "button" else None
        if inp.kind == "text":
            reading = self.understanding.read(inp.text, [b.label for b in conv.buttons])
            if reading.label:
                event = next(b.event for b in conv.buttons if b.label == reading.label)
        if event == Event.PANDUAN:
            return self._show(conv.evolve(handoff=False), lead=(Line(texts.HANDOFF_LEFT),),
                              extra=(EndHandoff(),))
        if inp.kind == "media":
            return Step(conv, (Relay(media=inp.media, text=redact(inp.text[:4096]).text),))
        if inp.kind == "text":
            return Step(conv, (Relay(text=redact(inp.text[:4096]).text),))
        return Step(conv, ())

    def _erase_answer(self, conv: Conversation, inp: Input) -> Step | None:
        """/hapusdata's question answered while a person has the conversation: the guide
        answers it itself (it is never relayed); anything else is relayed as usual."""
        if inp.kind == "button":
            event = self._button_event(conv, inp)
        else:
            label = self.understanding.read(inp.text, [b.label for b in conv.buttons]).label
            event = next((b.event for b in conv.buttons if b.label == label), None) if label else None
        if event == Event.HAPUS_YA:
            return Step(None, (EraseData(), Say((Line(texts.ERASED),))))
        if event == Event.HAPUS_TIDAK:
            buttons = (ShownButton(texts.BACK_TO_GUIDE, Event.PANDUAN),)
            return Step(conv.evolve(overlay=None, buttons=buttons),
                        (Say((Line(texts.ERASE_CANCELLED),), buttons),))
        return None
