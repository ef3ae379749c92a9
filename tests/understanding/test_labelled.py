"""The labelled set of resident messages: big enough, covers every intent and step, read right."""

from __future__ import annotations

import pytest

from bot.assembly import build_guide, load_lexicon
from tests.understanding.report import evaluate, load_rows, per_intent


@pytest.fixture(scope="module")
def engine():
    return build_guide(None).engines["id"]


@pytest.fixture(scope="module")
def outcomes(engine):
    return evaluate(engine)


def test_the_set_is_large_and_covers_every_intent_and_every_step(engine) -> None:
    rows = load_rows()
    assert len(rows) >= 400
    lexicon, _ = load_lexicon("id")
    assert set(lexicon) <= {r.expect for r in rows}, "an intent has no labelled message"
    assert set(engine.flow.states) <= {r.state for r in rows}, "a step has no labelled message"
    assert {r.expect for r in rows} <= set(lexicon) | {b.label for s in engine.flow.states.values() for b in s.buttons}
    assert len({r.text.lower() for r in rows}) >= 0.95 * len(rows)


def test_overall_accuracy_is_at_least_95_percent(outcomes) -> None:
    right = sum(o.right for o in outcomes)
    wrong = [f"{o.row.text!r}@{o.row.state}: {o.got}" for o in outcomes if not o.right]
    assert right / len(outcomes) >= 0.95, wrong


def test_every_request_for_a_person_is_read_as_help(outcomes) -> None:
    help_rows = [o for o in outcomes if o.row.expect == "help"]
    assert len(help_rows) >= 30
    assert [o.row.text for o in help_rows if o.reading.intent != "help"] == []


def test_no_intent_is_left_behind(outcomes) -> None:
    weak = {k: f"{r}/{t}" for k, (r, t) in per_intent(outcomes).items() if t >= 3 and r / t < 0.8}
    assert weak == {}


def test_the_judge_can_fail(engine) -> None:
    from tests.understanding.report import Row, judge

    assert not judge(engine, Row(0, "gagal terus", "done", "face_take")).right
    assert judge(engine, Row(0, "sudah terpasang", "done", "inst_install")).right  # the label, same event
