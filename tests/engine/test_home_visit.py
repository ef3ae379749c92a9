"""The home-visit request in the guide itself (pure engine): offered at the office step with a
button, hedged, asked step by step (kelurahan, address), and handed to the desk as a ticket of
its own kind with the address, which leaves the conversation then."""

from __future__ import annotations

from bot.assembly import build_guide
from bot.engine import Input
from bot.engine.effects import Escalate, Say
from tests.journeys import button_path


def _shown(guide, step) -> tuple[str, list[str]]:
    renderer = guide.renderers["id"]
    said = [renderer.say(e, step.conversation) for e in step.effects if isinstance(e, Say)]
    labels = [label for s in said[-1:] for row in s.buttons
              for label in (row if isinstance(row, tuple) else (row,))]
    return "\n".join(s.text for s in said), labels


def test_the_office_step_offers_a_home_visit_and_the_request_carries_kelurahan_and_address() -> None:
    guide = build_guide(locale="id", ask_place=True)
    engine = guide.engines["id"]
    path = button_path(build_guide(locale="id").engines["id"], "officer_visit")
    # The kecamatan was answered before (Curug): not asked again on the way.
    conv = engine.step(None, Input.commanded("start")).conversation.with_facts({"kecamatan": "curug"})
    for number in path:
        conv = engine.step(conv, Input.pressed(number)).conversation
    conv = engine.step(conv, Input.pressed(1)).conversation  # "Tempat & jam" -> where the office is
    assert conv.state == "visit_where"
    text, buttons = _shown(guide, engine.step(conv, Input.commanded("ulangi")))
    assert "🏠 Tidak bisa ke kantor" in buttons
    offer = engine.step(conv, Input.pressed(buttons.index("🏠 Tidak bisa ke kantor") + 1))
    text, buttons = _shown(guide, offer)
    assert offer.conversation.state == "pb_home_visit"
    assert "datang ke rumah" in text and "belum pasti" in text and buttons[:2] == ["✅ Ya, minta petugas",
                                                                                  "🏢 Saya ke kantor saja"]
    asked = engine.step(offer.conversation, Input.pressed(1))
    assert "kelurahan" in _shown(guide, asked)[0]
    # Sukawana is in Serang and in Curug: the resident's kecamatan (Curug) decides.
    addressed = engine.step(asked.conversation, Input.typed("sukawana"))
    assert "alamat" in _shown(guide, addressed)[0].lower()
    done = engine.step(addressed.conversation, Input.typed("Gg. Melati dekat mushola, rumah cat hijau"))
    escalate = next(e for e in done.effects if isinstance(e, Escalate))
    assert escalate.reason == "home_visit"
    assert escalate.visit == ("curug", "Sukawana", "Gg. Melati dekat mushola, rumah cat hijau")
    assert done.conversation.handoff and done.conversation.fact("hv_address") is None  # not kept in the chat state
    assert "kunjungan rumah" in _shown(guide, done)[0]


def test_the_office_choice_declines_and_an_unknown_kelurahan_still_reaches_a_person() -> None:
    guide = build_guide(locale="id", ask_place=True)
    engine = guide.engines["id"]
    conv = engine.step(None, Input.commanded("start")).conversation
    offer = engine.step(conv, Input.typed("bapak saya sakit stroke tidak bisa keluar rumah"))
    assert offer.conversation.state == "pb_home_visit"
    declined = engine.step(offer.conversation, Input.pressed(2))
    assert declined.conversation.state == "pb_office" and not declined.conversation.handoff
    asked = engine.step(offer.conversation, Input.pressed(1))
    unknown = engine.step(asked.conversation, Input.pressed(1))  # "🤷 Tidak tahu"
    sent = engine.step(unknown.conversation, Input.typed("dekat pasar rau"))
    # Neither the kelurahan nor the kecamatan is known: the kecamatan question comes first ...
    assert sent.conversation.overlay == "kecamatan" and not any(isinstance(e, Escalate) for e in sent.effects)
    routed = engine.step(sent.conversation, Input.typed("walantaka"))
    escalate = next(e for e in routed.effects if isinstance(e, Escalate))
    assert escalate.visit == ("walantaka", "unknown", "dekat pasar rau")  # ... and the address is not lost


def test_without_operators_the_address_is_not_kept_and_the_office_contacts_are_given() -> None:
    guide = build_guide(locale="id", handoff_available=False)
    engine = guide.engines["id"]
    conv = engine.step(None, Input.commanded("start")).conversation
    offer = engine.step(conv, Input.typed("nenek sudah tua ga kuat ke disdukcapil"))
    asked = engine.step(offer.conversation, Input.pressed(1))
    addressed = engine.step(asked.conversation, Input.typed("kel. cipocok jaya"))
    done = engine.step(addressed.conversation, Input.typed("belakang masjid agung, rumah pagar biru"))
    assert not any(isinstance(e, Escalate) for e in done.effects) and not done.conversation.handoff
    assert "masjid agung" not in str(done.conversation.facts)
    assert guide.renderers["id"].t.text("sys.no_operators")[:30] in _shown(guide, done)[0]
