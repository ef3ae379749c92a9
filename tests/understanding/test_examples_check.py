"""`teman-ikd check` validates the understanding examples, and a content editor adds a problem
(examples, a label, the state it leads to) without touching Python."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.assembly import build_guide
from bot.checks import run_checks
from bot.engine import Conversation, Input
from bot.paths import dialogs_dir, locales_dir


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    shutil.copytree(dialogs_dir(), tmp_path / "dialogs")
    shutil.copytree(locales_dir(), tmp_path / "locales")
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def findings(root: Path) -> list[str]:
    return [str(f) for f in run_checks(root / "dialogs", root / "locales")]


def test_the_shipped_examples_pass() -> None:
    assert [f for f in map(str, run_checks()) if "understanding" in f] == []


def test_an_unknown_state_or_label_is_reported(copy: Path) -> None:
    problems = copy / "dialogs" / "understanding" / "problems.yaml"
    edit(problems, "state: pb_domicile", "state: pb_nowhere")
    edit(problems, "label: btn.pb.screenshot", "label: btn.pb.nothing")
    found = findings(copy)
    assert any("pb_nowhere" in f and "does not exist" in f for f in found), found
    assert any("btn.pb.nothing" in f and "not in the catalogs" in f for f in found), found


def test_an_example_under_two_meanings_or_twice_is_reported(copy: Path) -> None:
    intents = copy / "dialogs" / "understanding" / "intents.yaml"
    edit(intents, "  thanks:\n", "  thanks:\n    - pin nya lupa\n    - makasih\n")
    found = findings(copy)
    assert any("'pin nya lupa'" in f and "'thanks'" in f and "'forgot_pin'" in f for f in found), found
    assert any("'makasih'" in f and "2 times" in f for f in found), found
    assert all(f.startswith("dialogs/understanding/") for f in found if "example" in f)


def test_a_problem_with_too_few_examples_is_reported(copy: Path) -> None:
    problems = copy / "dialogs" / "understanding" / "problems.yaml"
    text = problems.read_text(encoding="utf-8")
    start = text.index("  screenshot:")
    end = text.index("  iphone_refused:")
    block = text[start:end].splitlines(keepends=True)
    kept = [line for i, line in enumerate(block) if not line.startswith("      - ") or i < 10]
    problems.write_text(text[:start] + "".join(kept) + text[end:], encoding="utf-8")
    found = findings(copy)
    assert any("'screenshot'" in f and "at least 30" in f for f in found), found


def test_a_content_editor_adds_a_problem_without_python(copy: Path) -> None:
    problems = copy / "dialogs" / "understanding" / "problems.yaml"
    examples = [f"bansos saya {w} gara gara belum ikd" for w in (
        "dicoret", "ga cair", "ditahan", "dihapus", "distop", "belum turun", "ga keluar", "dibekukan")]
    examples += [f"katanya pkh {w} harus punya ikd dulu" for w in (
        "ga bisa cair", "ditunda", "diblok", "dihentikan", "ga diproses", "ditolak", "dicabut", "gagal")]
    examples += [f"{w} bansos kalau belum aktivasi ikd" for w in (
        "apa bener ga dapat", "kata rt ga bisa ambil", "emang ga cair", "katanya dicoret", "kenapa ga dapat",
        "kok ditahan", "beneran hilang", "apa dibatalkan", "katanya ditunda", "masa ga dapet", "kenapa dicabut",
        "apa diblokir", "katanya ga bisa", "bener dipotong")]
    entry = "  bansos:\n    state: pb_what_for\n    label: btn.pb.bansos\n    examples:\n" + "".join(
        f"      - {e}\n" for e in examples)
    problems.write_text(problems.read_text(encoding="utf-8") + entry, encoding="utf-8")
    for lang, label in (("id", "💵 Bansos"), ("en", "💵 Social aid")):
        po = copy / "locales" / lang / "LC_MESSAGES" / "teman_ikd.po"
        po.write_text(po.read_text(encoding="utf-8") + f'\nmsgid "btn.pb.bansos"\nmsgstr "{label}"\n', encoding="utf-8")
    assert findings(copy) == []
    engine = build_guide(None, dialogs=copy / "dialogs", locales=copy / "locales").engines["id"]
    conv = engine.prompt(Conversation(state="req_email", history=("req_phone_version",))).conversation
    step = engine.step(conv, Input.typed("pak bansos ibu saya ga cair katanya harus punya ikd"))
    assert step.conversation.state == "pb_what_for" and step.conversation.detour == "req_email"


def test_the_model_cache_keeps_only_the_latest_models(tmp_path: Path, monkeypatch) -> None:
    import os
    import time

    from bot.understanding import training

    for i in range(training.KEEP + 3):
        path = tmp_path / f"reader-{i:02d}.npz"
        path.write_bytes(b"x")
        os.utime(path, (time.time() + i, time.time() + i))
    training._prune(tmp_path)
    kept = sorted(p.name for p in tmp_path.glob("reader-*.npz"))
    assert kept == [f"reader-{i:02d}.npz" for i in range(3, training.KEEP + 3)]
