"""What an operator did reaches the engine as an input, like a resident's (issue 16): finished,
ended, followed up. It is not the resident's turn: no turn is counted and the reminders' count
stays, so no "came back after a reminder" is recorded for something the resident did not do."""

from __future__ import annotations

from bot.engine import Conversation, Engine, Input, texts
from bot.engine.effects import Say
from bot.vocabulary import Event, OperatorAct


def waiting(engine: Engine) -> Conversation:
    conv = engine.step(None, Input.commanded("start")).conversation
    assert conv is not None
    step = engine.step(conv, Input.commanded("bantuan"))
    assert step.conversation is not None and step.conversation.handoff
    return step.conversation.evolve(reminded=2)  # reminded twice while waiting for a person


def test_finished_shows_the_residents_step_again_after_saying_so(engine: Engine) -> None:
    conv = waiting(engine)
    step = engine.step(conv, Input.by_operator(OperatorAct.FINISHED))
    assert step.conversation is not None and not step.conversation.handoff and not step.conversation.paused
    assert step.conversation.state == conv.state
    say = step.effects[0]
    assert isinstance(say, Say) and say.lines[0].msgid == texts.OPERATOR_FINISHED
    assert say.lines[1:] == engine.flow.states[conv.state].say


def test_ended_lets_the_guide_rest_where_the_resident_was(engine: Engine) -> None:
    conv = waiting(engine)
    step = engine.step(conv, Input.by_operator(OperatorAct.ENDED))
    assert step.conversation is not None and step.conversation.paused and not step.conversation.handoff
    say = step.effects[0]
    assert isinstance(say, Say) and [line.msgid for line in say.lines] == [texts.OPERATOR_ENDED, texts.PAUSED]


def test_a_follow_up_puts_the_resident_with_a_person_one_tap_from_the_guide(engine: Engine) -> None:
    conv = waiting(engine)
    closed = engine.step(conv, Input.by_operator(OperatorAct.ENDED)).conversation
    assert closed is not None
    step = engine.step(closed, Input.by_operator(OperatorAct.FOLLOWED_UP))
    assert step.effects == ()  # the operator's own line is the message
    assert step.conversation is not None and step.conversation.handoff and not step.conversation.paused
    assert [b.event for b in step.conversation.buttons] == [Event.PANDUAN]


def test_an_operators_input_is_not_the_residents_turn(engine: Engine) -> None:
    conv = waiting(engine)
    for act in OperatorAct:
        after = engine.step(conv, Input.by_operator(act)).conversation
        assert after is not None and (after.turns, after.reminded) == (conv.turns, 2)
    assert engine.step(None, Input.by_operator(OperatorAct.FINISHED)).conversation is None
