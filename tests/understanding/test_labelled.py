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


def test_no_other_phrase_can_swallow_a_word_for_a_person() -> None:
    """The longest phrase wins, so "sudah dibantu petugas" as `done` would hide "bisa dibantu
    petugas?" (a request for a person). Only help, and scam reports about fake officers, may
    contain the words for a person."""
    lexicon, _ = load_lexicon("id")
    person = {"petugas", "operator", "admin", "pegawai", "staf"}
    offending = [(intent, phrase) for intent, phrases in lexicon.items() if intent not in ("help", "scam")
                 for phrase in phrases if person & set(phrase.lower().split())]
    assert offending == []


def test_the_held_out_set_reads_every_request_for_a_person_as_help(engine) -> None:
    from tests.understanding.report import HOLDOUT

    outcomes = evaluate(engine, load_rows(HOLDOUT))
    assert [o.row.text for o in outcomes if o.row.expect == "help" and o.reading.intent != "help"] == []
    assert sum(o.right for o in outcomes) / len(outcomes) >= 0.9
