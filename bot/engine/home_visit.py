"""The engine's home-visit request (jemput bola) for a resident who cannot travel (pure; mixed into Engine).

Offered where it matters: the office-visit step's "🏠 Tidak bisa ke kantor" and, typed from any
step ("ibu saya sudah tidak bisa jalan ke kantor"), the problem ``cannot_travel``; both lead to
the flow state ``pb_home_visit`` (dialogs/flow/home_visit.yaml), which asks consent and says the
service is not certain (the region file's claim ``home_visit``). Consent fires ``kunjungan_rumah``:
1. the kelurahan, typed (resolved to its kecamatan by bot/places.py) or "Tidak tahu";
2. a short address, typed (redacted: a NIK or phone number in it is masked);
3. a ticket of reason ``home_visit`` opens (Escalate with the visit), routed by the kecamatan.
The address stays in the conversation only between steps 2 and 3: the Escalate effect carries
it to the desk, which stores it where /hapusdata and the retention purge reach it.
"""

from __future__ import annotations

from bot import places
from bot.engine import texts
from bot.engine.conversation import Conversation, ShownButton
from bot.engine.effects import Say
from bot.engine.host import EngineHost
from bot.engine.step import Step
from bot.flow.model import Line
from bot.redaction import redact
from bot.vocabulary import KELURAHAN, Event, Reason

HOME_VISIT_EVENT = Event.KUNJUNGAN_RUMAH  # the consent button of pb_home_visit
HOME_VISIT_REASON = Reason.HOME_VISIT  # the ticket's reason (cards, /kunjungan)
ASK_KELURAHAN, ASK_ADDRESS = "hv_kelurahan", "hv_address"  # overlays while asking
KELURAHAN_FACT, ADDRESS_FACT = "hv_kelurahan", "hv_address"
KELURAHAN_UNKNOWN = KELURAHAN + places.UNKNOWN
MAX_ADDRESS = 300  # characters kept: a short address, not a letter
MIN_ADDRESS = 4


class HomeVisit(EngineHost):
    def _ask_kelurahan(self, conv: Conversation, lead: tuple[Line, ...] = ()) -> Step:
        buttons = (ShownButton(texts.KEC_UNKNOWN, KELURAHAN_UNKNOWN), ShownButton(texts.PERSON, Event.BANTUAN, True))
        asking = conv.evolve(overlay=ASK_KELURAHAN, paused=False, buttons=buttons)
        return Step(asking, (Say(lead + (Line(texts.HV_KELURAHAN_ASK),), buttons),))

    def _ask_address(self, conv: Conversation, lead: tuple[Line, ...] = ()) -> Step:
        buttons = (ShownButton(texts.PERSON, Event.BANTUAN, True),)
        asking = conv.evolve(overlay=ASK_ADDRESS, paused=False, buttons=buttons)
        return Step(asking, (Say(lead + (Line(texts.HV_ADDRESS_ASK),), buttons),))

    def _home_visit_typed(self, conv: Conversation, text: str) -> Step:
        """A typed answer to the kelurahan or address question."""
        if conv.overlay == ASK_KELURAHAN:
            assert self.region is not None
            known = self.region.places.get(conv.fact("kecamatan"))
            found = self.region.places.find_kelurahan(text, within=known) or self.region.places.find_kelurahan(text)
            if found is None:
                return self._ask_kelurahan(conv, lead=(Line(texts.HV_KELURAHAN_NOT_FOUND),))
            kecamatan, kelurahan = found
            return self._ask_address(conv.with_facts({KELURAHAN_FACT: kelurahan, "kecamatan": kecamatan.id}))
        address = redact(text[:MAX_ADDRESS]).text.strip()
        if len(address) < MIN_ADDRESS:
            return self._ask_address(conv)
        return self._escalate(conv.with_facts({ADDRESS_FACT: address}), HOME_VISIT_REASON)

    def _is_label(self, conv: Conversation, text: str) -> bool:
        """A button's label typed (or a way out: a person, back): read as usual, not as a place."""
        reading = self.understanding.read(text, [b.label for b in conv.buttons])
        return bool(reading.label) or reading.intent in ("help", "back", "restart", "pause")

    def _kelurahan_unknown(self, conv: Conversation) -> Step:
        return self._ask_address(conv.with_facts({KELURAHAN_FACT: places.UNKNOWN}))

    def _take_visit(self, conv: Conversation) -> tuple[Conversation, tuple[str, str, str] | None]:
        """The visit's (kecamatan, kelurahan, address) out of the conversation, for the ticket."""
        address = conv.fact(ADDRESS_FACT)
        visit = None if address is None else (conv.fact("kecamatan") or places.UNKNOWN,
                                              conv.fact(KELURAHAN_FACT) or places.UNKNOWN, address)
        kept = tuple((k, v) for k, v in conv.facts if k not in (ADDRESS_FACT, KELURAHAN_FACT))
        return conv.evolve(facts=kept), visit
