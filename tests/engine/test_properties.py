"""Properties of the dialog engine over any sequence of inputs (hypothesis).

For whatever a resident does (typed text, a button number including forged ones, media,
commands including /start <milestone>, /kembali, /ulangi, /berhenti):
* the conversation stays valid: a known state, known overlay, buttons shown, bounded history;
* a person is always one step away: a button whose event is "bantuan" is shown, except while a
  person already has the conversation (handoff) and in the /hapusdata confirmation, by design;
* back returns to the previous state in history (or stays, from an overlay or at the start);
  repeat keeps the state. Neither jumps to an unrelated branch.
"""

from __future__ import annotations

import functools

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bot.assembly import build_guide
from bot.engine import Conversation, Engine, Input
from bot.engine.conversation import MEDIA_KINDS
from bot.engine.effects import EraseData

OVERLAYS = {None, "faq", "stuck", "erase", "scam"}
WORDS = ["ya", "tidak", "sudah", "belum", "bantuan", "kembali", "ulangi", "halo", "terima kasih", "bingung",
         "PIN 123456", "NIK 3604123456789012", "", "   ", "😀", "\u200b", "apa itu IKD", "berapa biaya", "berhenti"]


@functools.cache
def engine(handoff: bool) -> Engine:
    return build_guide(None, handoff_available=handoff).engines["id"]


def inputs(milestones: list[str]) -> st.SearchStrategy[Input]:
    return st.one_of(
        st.integers(min_value=-3, max_value=14).map(Input.pressed),
        st.sampled_from(WORDS).map(Input.typed),
        st.text(max_size=40).map(Input.typed),
        st.sampled_from(MEDIA_KINDS).map(Input.sent),
        st.sampled_from(["kembali", "ulangi", "berhenti", "bantuan", "tanya", "mulai", "hapusdata", "start",
                         "terbang"]).map(Input.commanded),
        st.sampled_from(milestones + ["", "nonexistent", "FACE_CHECK"]).map(lambda m: Input.commanded("start", m)),
        st.just(Input.timed_out()),
    )


def check_valid(eng: Engine, conv: Conversation) -> None:
    assert conv.state in eng.flow.states
    assert conv.overlay in OVERLAYS
    assert conv.buttons, "no buttons shown"
    assert all(s in eng.flow.states for s in conv.history)
    assert len(conv.history) <= Conversation.HISTORY_LIMIT
    assert conv.misunderstandings >= 0


def person_reachable(conv: Conversation) -> bool:
    if conv.handoff or conv.overlay == "erase":
        return True  # already with a person / the erase confirmation is yes-or-no by design
    return any(b.event == "bantuan" for b in conv.buttons)


def is_back(conv: Conversation, inp: Input) -> bool:
    if inp.kind == "command":
        return inp.command == "kembali"
    return (inp.kind == "button" and 1 <= inp.button <= len(conv.buttons)
            and conv.buttons[inp.button - 1].event == "kembali")


def is_repeat(conv: Conversation, inp: Input) -> bool:
    if inp.kind == "command":
        return inp.command == "ulangi"
    return (inp.kind == "button" and 1 <= inp.button <= len(conv.buttons)
            and conv.buttons[inp.button - 1].event == "ulangi")


@pytest.mark.parametrize("handoff", [True, False])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_sequence_keeps_the_conversation_valid_and_a_person_near(handoff: bool, data) -> None:
    eng = engine(handoff)
    steps = data.draw(st.lists(inputs(sorted(eng.flow.milestones)), min_size=1, max_size=30))
    conv: Conversation | None = None
    for inp in steps:
        before = conv
        step = eng.step(conv, inp)
        conv = step.conversation
        if conv is None:  # only /hapusdata erases; a reminder for nobody is nothing
            erased = any(isinstance(e, EraseData) for e in step.effects)
            assert erased or (before is None and inp.kind == "timeout"), "conversation vanished"
            continue
        check_valid(eng, conv)
        assert person_reachable(conv), f"no person within reach in {conv.state} (overlay {conv.overlay})"
        if before is None or before.handoff or before.paused or (inp.kind == "text" and step.input_deleted):
            continue
        if is_back(before, inp):
            if before.overlay or not before.history:
                assert conv.state == before.state
            else:
                assert conv.state == before.history[-1]
                assert conv.history == before.history[:-1]
        if is_repeat(before, inp):
            assert conv.state == before.state
            assert conv.history == before.history
