"""The engine over the real content: happy paths, troubleshooting, a person from every state,
back/repeat/pause/resume, deep links, stuck policy, secrets, overlays."""

from __future__ import annotations

import pytest

from bot.assembly import load_lexicon
from bot.engine import Conversation, Engine, Input
from bot.engine.effects import DeleteInput, Escalate, Say
from bot.flow.model import MILESTONES
from tests.journeys import button_path, typed_answer


def milestone(engine: Engine, conv: Conversation) -> str:
    return engine.flow.states[conv.state].milestone


def test_activated_by_buttons_only(engine: Engine) -> None:
    conv = engine.step(None, Input.commanded("start")).conversation
    path = button_path(engine)
    for number in path:
        step = engine.step(conv, Input.pressed(number))
        assert step.understood and step.effects
        conv = step.conversation
    assert milestone(engine, conv) == "activated"
    # The milestones passed on the way are the journey's, in order.
    assert 15 <= len(path) <= 45


def test_activated_by_typing_only(guide, engine: Engine) -> None:
    lexicon, _ = load_lexicon("id")
    renderer = guide.renderers["id"]
    conv = engine.step(None, Input.typed("halo")).conversation
    for number in button_path(engine):
        label = renderer.label(conv.buttons[number - 1].label)
        text = typed_answer(engine, lexicon, conv, number, label)
        expected = engine.step(conv, Input.pressed(number)).conversation
        step = engine.step(conv, Input.typed(text))
        assert step.understood, f"{conv.state}: {text!r} was not understood"
        assert step.conversation.state == expected.state, f"{conv.state}: typing {text!r}"
        conv = step.conversation
    assert milestone(engine, conv) == "activated"


def test_every_state_has_a_person_one_tap_away_and_escalates(engine: Engine) -> None:
    for name in engine.flow.states:
        conv = engine.prompt(Conversation(state=name)).conversation
        person = [i for i, b in enumerate(conv.buttons, start=1) if b.event == "bantuan"]
        assert person, name
        step = engine.step(conv, Input.pressed(person[0]))
        assert step.handoff and any(isinstance(e, Escalate) for e in step.effects), name
        assert step.conversation.state == name  # the resident keeps their place


def test_every_state_can_still_reach_activated(engine: Engine) -> None:
    from bot.flow.graph import cannot_reach

    assert cannot_reach(engine.flow, "activated") == []


def test_every_troubleshooting_branch_is_reachable_by_buttons(engine: Engine) -> None:
    first = engine.step(None, Input.commanded("start")).conversation
    # Keyed by state and facts: some branches open only for an iPhone (or a helper, ...).
    visited, frontier = {(first.state, first.facts)}, [first]
    while frontier:
        conv = frontier.pop()
        for number, button in enumerate(conv.buttons, start=1):
            if button.help_row:
                continue
            nxt = engine.step(conv, Input.pressed(number)).conversation
            if nxt is not None and not nxt.overlay and (nxt.state, nxt.facts) not in visited:
                visited.add((nxt.state, nxt.facts))
                frontier.append(nxt)
    assert {state for state, _ in visited} == set(engine.flow.states)


def test_back_repeat_pause_resume(engine: Engine) -> None:
    conv = engine.step(None, Input.commanded("start")).conversation
    path = button_path(engine)
    for number in path[:3]:
        conv = engine.step(conv, Input.pressed(number)).conversation
    here = conv.state
    repeat = engine.step(conv, Input.commanded("ulangi"))
    assert repeat.conversation.state == here
    back = engine.step(conv, Input.typed("kembali"))
    assert back.conversation.state == conv.history[-1]
    paused = engine.step(conv, Input.commanded("berhenti")).conversation
    assert paused.paused and paused.state == here
    resumed = engine.step(paused, Input.typed("sdh"))
    assert not resumed.conversation.paused and resumed.conversation.state == here
    again = engine.step(conv, Input.commanded("start"))
    assert again.conversation.state == here  # /start on a known resident resumes


def test_restart_goes_to_the_beginning(engine: Engine) -> None:
    conv = engine.step(None, Input.commanded("start")).conversation
    conv = engine.step(conv, Input.pressed(button_path(engine)[0])).conversation
    restarted = engine.step(conv, Input.commanded("mulai")).conversation
    assert restarted.state == engine.flow.start and restarted.history == ()


@pytest.mark.parametrize("name", MILESTONES)
def test_deep_link_to_each_milestone(engine: Engine, name: str) -> None:
    fresh = engine.step(None, Input.commanded("start", name)).conversation
    assert fresh.state == engine.flow.milestones[name].entry
    busy = engine.step(Conversation(state=engine.flow.start), Input.commanded("start", name)).conversation
    assert busy.state == engine.flow.milestones[name].entry


def test_unknown_deep_link_falls_back_to_the_welcome(engine: Engine) -> None:
    assert engine.step(None, Input.commanded("start", "hack<script>")).conversation.state == engine.flow.start


def test_two_misunderstandings_offer_a_person(engine: Engine) -> None:
    conv = engine.step(None, Input.commanded("start")).conversation
    first = engine.step(conv, Input.typed("qwerty zxcv"))
    assert not first.understood and first.conversation.overlay is None
    second = engine.step(first.conversation, Input.typed("asdf hjkl"))
    assert not second.understood and second.conversation.overlay == "stuck"
    events = [b.event for b in second.conversation.buttons]
    assert "bantuan" in events and "ulangi" in events


def test_repeated_failures_offer_a_person(engine: Engine) -> None:
    # Find a failure transition and take it until the stuck policy trips.
    for state in engine.flow.states.values():
        failing = [t for t in state.transitions if t.failure]
        if not failing:
            continue
        conv = engine.prompt(Conversation(state=state.name)).conversation
        number = next(i for i, b in enumerate(conv.buttons, 1) if b.event == failing[0].event)
        for _ in range(state.stuck.failures):
            step = engine.step(conv, Input.pressed(number))
            if step.conversation.overlay == "stuck":
                return
            # go back to the failing step the way a resident would ("coba lagi")
            conv = engine.prompt(Conversation(state=state.name, failures=step.conversation.failures)).conversation
        pytest.fail(f"stuck policy never tripped at {state.name}")
    pytest.fail("no failure transitions in the content")


def test_typed_secret_is_deleted_and_warned(engine: Engine) -> None:
    conv = engine.step(None, Input.commanded("start")).conversation
    step = engine.step(conv, Input.typed("ini pin saya 482913"))
    assert any(isinstance(e, DeleteInput) for e in step.effects)
    assert step.conversation.state == conv.state
    say = next(e for e in step.effects if isinstance(e, Say))
    assert say.lines[0].msgid == "sys.secret_deleted"


@pytest.mark.parametrize("kind", ["voice", "photo", "sticker", "video", "document", "location", "contact"])
def test_media_get_a_specific_answer_and_the_buttons_again(engine: Engine, kind: str) -> None:
    conv = engine.step(None, Input.commanded("start")).conversation
    step = engine.step(conv, Input.sent(kind))
    say = next(e for e in step.effects if isinstance(e, Say))
    assert say.lines[0].msgid.startswith("sys.media.")
    assert say.buttons == step.conversation.buttons and step.conversation.buttons


def test_forged_button_numbers_are_refused_kindly(engine: Engine) -> None:
    conv = engine.step(None, Input.commanded("start")).conversation
    for number in (0, -1, 99):
        step = engine.step(conv, Input.pressed(number))
        assert not step.understood and step.conversation.state == conv.state


def test_faq_from_anywhere_and_back(engine: Engine) -> None:
    conv = engine.step(None, Input.commanded("start")).conversation
    for number in button_path(engine)[:5]:
        conv = engine.step(conv, Input.pressed(number)).conversation
    asked = engine.step(conv, Input.typed("apakah ini gratis?"))
    assert asked.understood and asked.conversation.overlay == "faq"
    back = next(i for i, b in enumerate(asked.conversation.buttons, 1) if b.event == "lanjut")
    resumed = engine.step(asked.conversation, Input.pressed(back)).conversation
    assert resumed.state == conv.state and resumed.overlay is None


def test_help_words_always_reach_a_person(engine: Engine) -> None:
    conv = engine.step(None, Input.commanded("start")).conversation
    for text in ("mau bicara dengan petugas", "tolong hubungkan ke petugas", "/bantuan"):
        inp = Input.commanded("bantuan") if text.startswith("/") else Input.typed(text)
        assert engine.step(conv, inp).handoff, text


def test_handoff_silences_the_guide_and_the_resident_can_leave(engine: Engine) -> None:
    conv = engine.step(None, Input.commanded("start")).conversation
    waiting = engine.step(conv, Input.commanded("bantuan")).conversation
    relayed = engine.step(waiting, Input.typed("sdh pak"))
    assert not any(isinstance(e, Say) for e in relayed.effects) and relayed.handoff
    leave = next(i for i, b in enumerate(waiting.buttons, 1) if b.event == "panduan")
    back = engine.step(waiting, Input.pressed(leave))
    assert not back.handoff and back.conversation.state == conv.state


def test_erase_data_after_confirming(engine: Engine) -> None:
    conv = engine.step(None, Input.commanded("start")).conversation
    asked = engine.step(conv, Input.commanded("hapusdata")).conversation
    yes = next(i for i, b in enumerate(asked.buttons, 1) if b.event == "hapus_ya")
    assert engine.step(asked, Input.pressed(yes)).conversation is None


def test_engine_step_does_not_depend_on_number_of_conversations(engine: Engine) -> None:
    # The machine holds no per-conversation models: stepping many snapshots adds none.
    before = len(engine.machine.machine.models)
    conv = engine.step(None, Input.commanded("start")).conversation
    for _ in range(200):
        engine.step(conv, Input.typed("halo"))
    assert len(engine.machine.machine.models) == before == 1


def test_a_scam_report_escalates_with_its_reason(engine: Engine) -> None:
    conv = engine.step(None, Input.commanded("start")).conversation
    warned = engine.step(conv, Input.typed("ada yang telepon ngaku petugas minta kode"))
    assert warned.conversation.overlay == "scam"
    person = next(i for i, b in enumerate(warned.conversation.buttons, 1) if b.event == "bantuan")
    step = engine.step(warned.conversation, Input.pressed(person))
    escalation = next(e for e in step.effects if isinstance(e, Escalate))
    assert escalation.reason == "scam" and step.handoff


def test_a_conversation_copy_changes_only_what_was_asked_and_refuses_unknown_fields() -> None:
    from dataclasses import replace

    conv = Conversation(state="face_take", history=("a",), facts=(("role", "helper"),), turns=3)
    copy = conv.evolve(state="face_retry", turns=4)
    expected = replace(conv, state="face_retry", turns=4)
    assert copy == expected and hash(copy) == hash(expected)
    assert conv.state == "face_take" and conv.turns == 3  # the original is untouched
    with pytest.raises(TypeError):
        conv.evolve(stat="typo")
