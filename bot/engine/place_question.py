"""The engine's question "which kecamatan do you live in?" (pure; mixed into Engine).

Asked once, where tickets are routed to kecamatan groups: before a handoff (so the ticket opens
in the right group) and before the office visit (to name the nearest office). Six buttons and
"Tidak tahu"; a typed kecamatan or kelurahan is resolved by bot/places.py. The answer is the
conversation's ``kecamatan`` fact.
"""

from __future__ import annotations

from dataclasses import replace

from bot import places
from bot.engine import texts
from bot.engine.conversation import Conversation, ShownButton
from bot.engine.effects import Say
from bot.engine.host import EngineHost
from bot.engine.step import Step
from bot.flow.model import Line
from bot.vocabulary import ESCALATE_AFTER, KECAMATAN, Overlay

# The kecamatan is asked before this milestone (to name the nearest office) and before a handoff
# (to route the ticket); the fact below remembers what to do once it is answered.
PLACE_MILESTONE = "officer_visit"
KECAMATAN_THEN = "kecamatan_then"


class PlaceQuestion(EngineHost):
    def _needs_kecamatan(self, conv: Conversation) -> bool:
        return (self.ask_place and bool(self.region and self.region.places.kecamatan)
                and conv.fact("kecamatan") is None)

    def _visit_entry(self) -> str | None:
        milestone = self.flow.milestones.get(PLACE_MILESTONE)
        return milestone.entry if milestone else None

    def _ask_kecamatan(self, conv: Conversation, then: str, lead: tuple[Line, ...] = ()) -> Step:
        """Which kecamatan: one button each and "Tidak tahu"; ``then`` is what happens after."""
        assert self.region is not None
        buttons = tuple(ShownButton(texts.KEC_BUTTON + k.id, KECAMATAN + k.id) for k in self.region.places.kecamatan)
        buttons += (ShownButton(texts.KEC_UNKNOWN, KECAMATAN + places.UNKNOWN),)
        asking = conv.with_facts({KECAMATAN_THEN: then}).evolve(overlay=Overlay.KECAMATAN, paused=False,
                                                                buttons=buttons)
        return Step(asking, (Say(lead + (Line(texts.KEC_ASK),), buttons),))

    def _without_question(self, conv: Conversation, kecamatan: str) -> Conversation:
        facts = {k: v for k, v in conv.facts if k != KECAMATAN_THEN}
        facts["kecamatan"] = kecamatan
        return conv.evolve(facts=tuple(sorted(facts.items())), overlay=None)

    def _kecamatan_chosen(self, conv: Conversation, kecamatan: str) -> Step:
        assert self.region is not None
        then = conv.fact(KECAMATAN_THEN) or "show"
        place = self.region.places.get(kecamatan)
        conv = self._without_question(conv, place.id if place else places.UNKNOWN)
        lead = ((Line(texts.KEC_NEAREST, (("kecamatan", place.name), ("office", place.office))),) if place
                else (Line(texts.KEC_NEAREST_UNKNOWN),))
        if then.startswith(ESCALATE_AFTER):
            # The person is asked for at once; the nearest office comes first in the same message.
            step = self._escalate(conv, then[len(ESCALATE_AFTER):])
            return Step(step.conversation, tuple(replace(e, lines=lead + e.lines) if isinstance(e, Say) else e
                                                 for e in step.effects))
        return self._show(conv, lead=lead, remind=True)

