"""Translations: no Indonesian sentences in Python; dates in Asia/Jakarta the Indonesian way."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime
from pathlib import Path

from bot.i18n import Translator, load_catalog
from bot.region import load_region

PACKAGE = Path(__file__).resolve().parent.parent / "bot"
# Everyday Indonesian words that only appear in sentences meant for residents.
INDONESIAN = re.compile(r"(?i)\b(silakan|tekan|tombol|bapak|ibu|anda|sudah|belum|petugas|terima kasih|"
                        r"langkah|jangan|kode|ponsel|aplikasi|maaf|tunggu|kantor|hapus|ketik|pilih)\b")


def _user_strings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                  and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


def test_no_indonesian_literals_in_python() -> None:
    found = []
    for path in PACKAGE.rglob("*.py"):
        if "emulator" in path.parts:
            continue  # the emulator speaks Telegram's English error texts, not to residents
        for line, text in _user_strings(path):
            if INDONESIAN.search(text) and " " in text.strip():
                found.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {text[:60]!r}")
    assert not found, "user-facing Indonesian belongs in locales/:\n" + "\n".join(found)


def test_the_literal_check_would_catch_one(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text('MESSAGE = "Silakan tekan tombol di bawah"\n')
    assert any(INDONESIAN.search(t) for _, t in _user_strings(sample))


def test_dates_in_jakarta_time_formatted_by_babel() -> None:
    t = Translator(load_catalog("id"))
    region = load_region()
    when = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 08.00 in Jakarta
    assert t.moment(when, region.timezone) == "Selasa, 1 Desember 2026 pukul 08.00"
    en = Translator(load_catalog("en"))
    assert en.moment(when, region.timezone).startswith("Tuesday, 1 December 2026")


def test_office_hours_and_next_opening_come_from_the_region_file() -> None:
    region = load_region()
    saturday = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
    assert not region.is_open(saturday)
    opening = region.next_opening(saturday)
    assert opening.weekday() == 0 and opening.tzinfo is not None
