"""Loading dialogs/: good data loads; every kind of broken data is reported with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.flow import DialogError, load_flow
from bot.paths import dialogs_dir
from tests.conftest import make_mini_dialogs, write


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    return make_mini_dialogs(tmp_path / "dialogs")


def problems_of(root: Path, **kwargs) -> list[str]:
    with pytest.raises(DialogError) as caught:
        load_flow(root, **kwargs)
    return [str(p) for p in caught.value.problems]


def test_mini_flow_loads(mini: Path) -> None:
    flow = load_flow(mini)
    assert flow.start == "s_welcome"
    assert flow.milestones["face_check"].entry == "s_face_check"
    assert flow.states["s_set_pin"].milestone == "set_pin"


def test_bad_yaml_names_file_and_line(mini: Path) -> None:
    write(mini / "flow" / "face_check.yaml",
          "milestone: face_check\nentry: s_face_check\nstates:\n  s_face_check: [unclosed\n")
    found = problems_of(mini)
    assert any(p.startswith("dialogs/flow/face_check.yaml:") and "bad YAML" in p for p in found), found


def test_duplicate_trigger_is_reported_with_both_lines(mini: Path) -> None:
    write(mini / "flow" / "set_pin.yaml", """\
        milestone: set_pin
        entry: s_set_pin
        states:
          s_set_pin:
            say: [msg.set_pin]
            on:
              next: s_activated
              next: s_welcome
        """)
    found = problems_of(mini)
    assert any("dialogs/flow/set_pin.yaml:8" in p and "duplicate key 'next'" in p and "line 7" in p
               for p in found), found


def test_unknown_state_condition_and_unreachable_state(mini: Path) -> None:
    write(mini / "flow" / "set_pin.yaml", """\
        milestone: set_pin
        entry: s_set_pin
        states:
          s_set_pin:
            say: [msg.set_pin]
            on:
              next: {to: s_nowhere}
              other: {to: s_activated, if: moon_is_full}
          s_orphan:
            say: [msg.orphan]
            on:
              next: s_activated
        """)
    found = problems_of(mini)
    assert any("set_pin.yaml:7" in p and "unknown state 's_nowhere'" in p for p in found), found
    assert any("set_pin.yaml:8" in p and "unknown condition 'moon_is_full'" in p for p in found), found
    assert any("set_pin.yaml:9" in p and "'s_orphan' is unreachable" in p for p in found), found


def test_dead_end_is_reported(mini: Path) -> None:
    text = (mini / "flow" / "activated.yaml").read_text()
    write(mini / "flow" / "activated.yaml", text.replace("    on:\n      next: s_account_problems\n", "    on: {}\n"))
    found = problems_of(mini)
    assert any("activated.yaml" in p and "dead end" in p for p in found), found


def test_missing_msgids_and_unknown_intents(mini: Path) -> None:
    flow_ids = load_flow(mini).msgids()
    found = problems_of(mini, known_msgids=flow_ids - {"msg.face_check"}, known_intents={"no"})
    assert any("face_check.yaml" in p and "'msg.face_check' is missing" in p for p in found), found
    assert any("unknown intent 'yes'" in p for p in found), found


def test_schema_errors_point_at_the_line(mini: Path) -> None:
    write(mini / "flow" / "install_app.yaml", """\
        milestone: install_app
        entry: s_install_app
        states:
          s_install_app:
            say: [msg.install_app]
            colour: blue
            on:
              next: s_fill_form
        """)
    found = problems_of(mini)
    assert any("install_app.yaml:4" in p and "unknown key" in p and "colour" in p for p in found), found


def test_global_events_cannot_be_redefined_and_buttons_need_transitions(mini: Path) -> None:
    write(mini / "flow" / "install_app.yaml", """\
        milestone: install_app
        entry: s_install_app
        states:
          s_install_app:
            say: [msg.install_app]
            buttons:
              - {label: btn.x, event: fly}
            on:
              next: s_fill_form
              bantuan: s_welcome
        """)
    found = problems_of(mini)
    assert any("'bantuan' is global" in p for p in found), found
    assert any("fires 'fly', which has no transition" in p for p in found), found


def test_unknown_milestone_and_missing_file(mini: Path) -> None:
    (mini / "flow" / "email_setup.yaml").unlink()
    text = (mini / "flow" / "face_check.yaml").read_text().replace("milestone: face_check", "milestone: selfie")
    write(mini / "flow" / "face_check.yaml", text)
    found = problems_of(mini)
    assert any("unknown milestone 'selfie'" in p for p in found), found
    assert any("'email_setup' has no flow file" in p for p in found), found


def test_real_dialogs_load() -> None:
    flow = load_flow(dialogs_dir())
    assert {s.milestone for s in flow.states.values()} == set(flow.milestones)


def test_an_event_the_engine_owns_is_refused_with_its_line(mini: Path) -> None:
    write(mini / "flow" / "install_app.yaml", """\
        milestone: install_app
        entry: s_install_app
        states:
          s_install_app:
            say: [msg.install_app]
            on:
              next: s_fill_form
              lanjut: s_welcome
        """)
    found = problems_of(mini)
    assert any(p.startswith("dialogs/flow/install_app.yaml:8") and "'lanjut' is the engine's own" in p
               for p in found), found


def test_an_unknown_intent_is_reported_at_its_own_line(mini: Path) -> None:
    write(mini / "flow" / "install_app.yaml", """\
        milestone: install_app
        entry: s_install_app
        states:
          s_install_app:
            say: [msg.install_app]
            intents:
              "yes": next
              terbang: next
            on:
              next: s_fill_form
        """)
    found = problems_of(mini, known_intents={"yes", "faq_cost"})
    assert any(p.startswith("dialogs/flow/install_app.yaml:8") and "unknown intent 'terbang'" in p
               for p in found), found


def test_an_unknown_faq_intent_is_reported_at_its_line(mini: Path) -> None:
    found = problems_of(mini, known_intents={"yes", "no", "done", "failed"})
    assert any(p.startswith("dialogs/faq.yaml:2: ") and "unknown intent 'faq_cost'" in p for p in found), found
