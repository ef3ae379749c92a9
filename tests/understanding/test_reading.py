"""The understanding module reads informal typing, button labels, and always hears a call for help."""

from __future__ import annotations

import pytest

from bot.understanding import Understanding, normalise

LEXICON = {
    "yes": ["ya", "iya", "👍"],
    "done": ["sudah", "sdh", "udah"],
    "no": ["tidak", "ga", "gak"],
    "not_yet": ["belum", "blm"],
    "failed": ["gagal", "tidak bisa", "ga bisa", "ga masuk"],
    "help": ["petugas", "minta tolong"],
}
LABELS = {"btn.done": "✅ Sudah terpasang", "btn.person": "🙋 Petugas"}


@pytest.fixture
def u() -> Understanding:
    return Understanding(LEXICON, LABELS, {"done": "yes"})


def test_normalise_squeezes_repeats_and_reduplication() -> None:
    assert normalise("Sudaaah!!  PAK") == "sudah pak"
    assert normalise("kodenya ga masuk2") == "kodenya ga masuk"


@pytest.mark.parametrize("text, intent", [
    ("sdh pak", "done"), ("Sudaaah", "done"), ("blm bisa", "not_yet"), ("ga bisa", "failed"),
    ("kodenya ga masuk2", "failed"), ("👍", "yes"), ("gak", "no"),
])
def test_intents(u: Understanding, text: str, intent: str | None) -> None:
    assert u.read(text).intent == intent


def test_typed_label_matches_the_button_even_with_a_typo(u: Understanding) -> None:
    assert u.read("sudah terpasang", ["btn.done"]).label == "btn.done"
    assert u.read("sudah terpasng", ["btn.done"]).label == "btn.done"
    assert u.read("sudah terpasang", []).label is None


def test_help_always_wins(u: Understanding) -> None:
    reading = u.read("sudah tapi minta tolong petugas", ["btn.done"])
    assert reading.intent == "help"
    assert "minta tolong" in reading.matched


def test_reading_explains_what_matched(u: Understanding) -> None:
    assert u.read("iya sudah").matched  # two intents of equal length: unsure, but says why
    assert u.read("iya sudah").intent is None
