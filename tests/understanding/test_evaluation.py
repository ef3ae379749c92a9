"""The held-out evaluation (tests/understanding/eval.csv, never trained on) stays at the figures
reached; the set itself stays honest (big, long messages, disjoint from the examples)."""

from __future__ import annotations

import io

import pytest

from bot.commands.evaluate import Outcome, Row, default_path, evaluate, figures, load_rows, outcome, per_label, run_eval
from bot.understanding.text import normalise

# Reached on this set (teman-ikd eval); CI fails below. Issue 10's bar is 0.90 / < 2 %.
OVERALL, FROM_START, AT_STEP = 0.94, 0.95, 0.93
FALSE_HANDOFFS, FALSE_SCAM = 0.0, 0.0


@pytest.fixture(scope="module")
def rows():
    return load_rows(default_path())


@pytest.fixture(scope="module")
def outcomes(engine, rows):
    return evaluate(engine, rows)


def test_the_set_is_big_long_and_from_start_and_at_steps(engine, rows) -> None:
    assert len(rows) >= 200
    assert sum(len(r.text) > 60 for r in rows) * 2 >= len(rows)
    assert sum(r.state in ("start", "new") for r in rows) >= 50
    assert {r.state for r in rows} - {"start", "new"} <= set(engine.flow.states)
    expected_states = {r.expect[6:] for r in rows if r.expect.startswith("state:")}
    assert expected_states <= set(engine.flow.states)
    kinds = {r.expect.split(":")[0] for r in rows}
    assert {"state", "handoff", "scam", "faq", "secret"} <= kinds


def test_no_held_out_message_is_a_training_example(engine, rows) -> None:
    trained = {normalise(t) or t for t, _ in engine.understanding.examples.labelled()}
    assert [r.text for r in rows if (normalise(r.text) or r.text.strip()) in trained] == []


def test_figures_stay_at_what_was_reached(outcomes) -> None:
    f = figures(outcomes)
    misses = [f"{o.row.text!r}@{o.row.state}: {o.row.expect} got {o.got}" for o in outcomes if not o.right]
    assert f.overall >= OVERALL, misses
    assert f.from_start >= FROM_START, misses
    assert f.at_step >= AT_STEP, misses
    assert f.false_handoffs <= FALSE_HANDOFFS and f.false_scam <= FALSE_SCAM


def test_every_explicit_request_for_a_person_hands_over(outcomes) -> None:
    asked = [o for o in outcomes if o.row.expect == "handoff"]
    assert len(asked) >= 15
    assert [o.row.text for o in asked if o.got != "handoff"] == []


def test_every_scam_report_is_warned_about(outcomes) -> None:
    reports = [o for o in outcomes if o.row.expect == "scam"]
    assert len(reports) >= 15
    assert sum(o.got == "scam" for o in reports) / len(reports) >= 0.95, [o.row.text for o in reports
                                                                          if o.got != "scam"]


def test_no_kind_of_outcome_is_left_behind(outcomes) -> None:
    """Each kind of answer (a step, a person, a warning, each FAQ, a kind reply...) is mostly right."""
    table: dict[str, list[int]] = {}
    for o in outcomes:
        kind = "state" if o.row.expect.startswith("state:") else o.row.expect
        table.setdefault(kind, [0, 0])
        table[kind][0] += o.right
        table[kind][1] += 1
    weak = {k: f"{r}/{t}" for k, (r, t) in table.items() if t >= 3 and r / t < 0.8}
    assert weak == {}
    assert per_label(outcomes)["handoff"][0] == per_label(outcomes)["handoff"][1]


def test_the_judge_can_fail(engine) -> None:
    wrong = Row(0, "verifikasi wajah gagal terus", "face_take", "state:visit_intro")
    right = Row(0, "verifikasi wajah gagal terus", "face_take", "state:face_failed")
    assert not Outcome(wrong, outcome(engine, wrong)).right
    assert Outcome(right, outcome(engine, right)).right


def test_eval_prints_figures_per_label_and_every_miss(engine) -> None:
    out = io.StringIO()
    run_eval(engine, default_path(), out)
    text = out.getvalue()
    assert "overall" in text and "false handoffs" in text and "state:face_failed" in text
