"""One vocabulary: the /cmd parser's rules, the command menu, and sentences naming commands
(dialogs/ checked against the engine's words: tests/test_flow_loading.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.commands.lines import parse_line
from bot.i18n import SHELL_MSGIDS
from bot.telegram.app import COMMANDS
from bot.vocabulary import GLOBAL_EVENTS, Command, CommandLine, NoteLine, parse_command


@pytest.mark.parametrize("text, read", [
    ("/start", CommandLine("start")),
    ("/START face_check", CommandLine("start", "face_check")),
    ("/start@TemanIKDBot face_check", CommandLine("start", "face_check", "TemanIKDBot")),
    ("/pindah   Curug  ", CommandLine("pindah", "Curug")),
    ("/catatan sudah ditelepon\nbesok datang", CommandLine("catatan", "sudah ditelepon\nbesok datang")),
    ("/start\nface_check", CommandLine("start", "face_check")),
    ("// sudah ditelepon", NoteLine("sudah ditelepon")),
    ("//", NoteLine("")),
    ("/ halo", None),  # a slash and a space: plain text, as Telegram sees it
    ("/", None),
    ("halo /start", None),
    ("", None),
])
def test_one_parser_for_every_line(text: str, read: CommandLine | NoteLine | None) -> None:
    assert parse_command(text) == read


def test_the_terminal_reads_commands_with_the_same_rules() -> None:
    inp = parse_line("/start@TemanIKDBot face_check", 0)
    assert (inp.kind, inp.command, inp.argument) == ("command", "start", "face_check")
    assert parse_line("/ halo", 0).kind == "text"


def test_the_command_menu_and_its_descriptions_come_from_the_vocabulary() -> None:
    assert tuple(Command) == COMMANDS
    assert {f"cmd.{c}" for c in Command} <= set(SHELL_MSGIDS)
    assert set(GLOBAL_EVENTS) <= {c.value for c in Command}  # every global event can be typed


def test_check_finds_a_sentence_naming_a_command_that_does_not_exist(tmp_path: Path) -> None:
    import shutil

    from bot.checks import run_checks

    root = Path(__file__).resolve().parent.parent
    dialogs = shutil.copytree(root / "dialogs", tmp_path / "dialogs")
    locales = shutil.copytree(root / "locales", tmp_path / "locales")
    po = locales / "id" / "LC_MESSAGES" / "teman_ikd.po"
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace("ketik /start bila", "ketik /mulailah bila", 1), encoding="utf-8")
    found = [str(f) for f in run_checks(dialogs, locales)]
    assert [f for f in found if "/mulailah" in f] == [
        "locales/id/LC_MESSAGES/teman_ikd.po: msgid 'sys.paused' names /mulailah, which is no command"], found
