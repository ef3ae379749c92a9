"""Helper mode that fits families (issue 11, point 4): a grandchild, a child or a neighbour types
for the e-KTP's owner; the owner is named as the typist would ("Nenek"), the typist is "Anda",
and the operators' card says who is typing only when the resident said so."""

from __future__ import annotations

from bot.desk.cards import ticket_card
from bot.engine import Conversation, Engine, Input
from bot.engine.effects import Say
from bot.store.records import Ticket


def press(guide, engine: Engine, conv: Conversation, label_part: str) -> tuple[Conversation, str]:
    renderer = guide.renderers["id"]
    number = next(i for i, b in enumerate(conv.buttons, 1) if label_part in renderer.label(b.label))
    step = engine.step(conv, Input.pressed(number))
    say = next(e for e in step.effects if isinstance(e, Say))
    return step.conversation, renderer.say(say, step.conversation).text


def welcome(guide, engine: Engine, *labels: str) -> Conversation:
    conv = engine.step(None, Input.commanded("start")).conversation
    conv, _ = press(guide, engine, conv, "Mulai")
    for label in labels:
        conv, _ = press(guide, engine, conv, label)
    return conv


def shown(guide, engine: Engine, conv: Conversation, state: str) -> str:
    step = engine.prompt(conv.evolve(state=state))
    return guide.renderers["id"].say(step.effects[-1], step.conversation).text


def test_a_grandchild_helping_grandma_reads_nenek(guide, engine) -> None:
    conv = welcome(guide, engine, "Membantu orang lain", "Kakek atau nenek", "Nenek")
    assert conv.state == "welcome_ready" and dict(conv.facts) == {"role": "helper", "honorific": "nenek"}
    assert "Apakah Nenek sudah punya e-KTP" in shown(guide, engine, conv, "req_ektp")
    assert "Selamat! IKD Nenek sudah aktif" in shown(guide, engine, conv, "done_home")
    assert "Ibu Anda" not in shown(guide, engine, conv, "req_phone")


def test_a_neighbour_reads_bapak_ibu_yang_dibantu(guide, engine) -> None:
    conv = welcome(guide, engine, "Membantu orang lain", "Tetangga")
    assert conv.state == "welcome_ready"
    assert "Apakah Bapak/Ibu yang dibantu sudah punya e-KTP" in shown(guide, engine, conv, "req_ektp")


def test_a_child_helping_a_parent_still_reads_ibu_anda(guide, engine) -> None:
    conv = welcome(guide, engine, "Membantu orang lain", "Bapak atau ibu saya", "Ibu saya")
    assert "Apakah Ibu Anda sudah punya e-KTP" in shown(guide, engine, conv, "req_ektp")


def test_the_clarifying_question_addresses_the_typist(guide, engine) -> None:
    helper = welcome(guide, engine, "Membantu orang lain", "Bapak atau ibu saya", "Bapak saya")
    renderer = guide.renderers["id"]
    params = renderer.params(helper)
    assert renderer.t.text("sys.clarify", **params).startswith("Maaf, maksud Anda yang mana?")
    assert renderer.t.text("desk.queue_position", **params, position=2).startswith("Nomor antrean Anda")
    self_typing = welcome(guide, engine, "Untuk diri sendiri", "Bapak")
    assert renderer.t.text("sys.clarify", **renderer.params(self_typing)).startswith("Maaf, maksud Bapak yang mana?")


def _card(guide, engine, facts: dict[str, str]) -> str:
    ticket = Ticket(id=7, chat_id=1, status="open", reason="asked", state="req_ektp", milestone="requirements",
                    attempts=0, operator_id=None, operator_name=None, opened_at=0.0, taken_at=None,
                    first_reply_at=None, closed_at=None, outcome=None, operators_reminded_at=None,
                    resident_told_at=None)
    return ticket_card(guide.renderers["id"], engine.flow, ticket, "Siti", facts, [], 60.0)


def test_the_operators_card_says_who_types_only_when_known(guide, engine) -> None:
    assert "untuk diri sendiri" not in _card(guide, engine, {})
    assert "belum ditanya" in _card(guide, engine, {})
    assert "untuk diri sendiri" in _card(guide, engine, {"role": "self", "honorific": "ibu"})
    card = _card(guide, engine, {"role": "helper", "honorific": "nenek"})
    assert "Nenek" in card and "pendamping" in card
