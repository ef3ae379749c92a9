"""The understanding reads informal typing, regional words, emoji and typos, explains itself,
always hears a call for help, and costs microseconds per message."""

from __future__ import annotations

import time

import pytest

from bot.assembly import build_guide
from bot.understanding import Understanding, normalise

LEXICON = {
    "yes": ["ya", "iya", "👍"],
    "done": ["sudah", "sudah terpasang"],
    "no": ["tidak"],
    "not_yet": ["belum"],
    "failed": ["gagal", "tidak bisa", "tidak masuk"],
    "help": ["petugas", "minta tolong"],
    "scam": ["minta otp"],
    "email_missing": ["kode tidak masuk"],
}
SPELLINGS = {"sdh": "sudah", "udah": "sudah", "blm": "belum", "ga": "tidak", "gak": "tidak", "bs": "bisa"}
LABELS = {"btn.done": "✅ Sudah terpasang", "btn.person": "🙋 Petugas"}


@pytest.fixture
def u() -> Understanding:
    return Understanding(LEXICON, LABELS, {"done": "yes"}, spellings=SPELLINGS)


@pytest.fixture(scope="module")
def real() -> Understanding:
    return build_guide(None).engines["id"].understanding


def test_normalise_case_accents_repeats_punctuation_reduplication() -> None:
    assert normalise("Sudaaah!!  PAK") == "sudah pak"
    assert normalise("kodenya ga masuk2") == "kodenya ga masuk masuk"
    assert normalise("Sudáh, bèrhasil.") == "sudah berhasil"
    assert normalise("e-KTP?") == "e ktp"


@pytest.mark.parametrize("text, intent", [
    ("sdh pak", "done"), ("Sudaaah", "done"), ("blm", "not_yet"), ("ga bs", "failed"),
    ("kodenya ga masuk2", "email_missing"), ("👍", "yes"), ("gak", "no"), ("udah", "done"),
])
def test_informal_spellings(u: Understanding, text: str, intent: str) -> None:
    assert u.read(text).intent == intent


@pytest.mark.parametrize("text, intent", [
    # Jawa Serang / Jawa
    ("enggih", "yes"), ("nggih pak", "yes"), ("sampun", "done"), ("wis", "done"), ("durung", "not_yet"),
    ("dereng", "not_yet"), ("ora", "no"), ("mboten", "no"), ("bli bisa", "failed"), ("ora iso", "failed"),
    # Sunda
    ("muhun", "yes"), ("atos", "done"), ("parantos", "done"), ("teu acan", "not_yet"), ("henteu", "no"),
    ("teu tiasa", "failed"), ("hatur nuhun", "thanks"), ("punten", "greeting"), ("lieur", "confused"),
])
def test_regional_words_of_serang(real: Understanding, text: str, intent: str) -> None:
    assert real.read(text).intent == intent


@pytest.mark.parametrize("text, intent", [
    ("👍", "yes"), ("👍🏻", "yes"), ("✅", "yes"), ("👌", "yes"), ("👎", "no"), ("❌", "no"), ("🙏🏼", "thanks"),
    ("🙋", "help"), ("🆘", "help"), ("🤔", "confused"), ("😭", "failed"), ("⏳", "not_yet"),
])
def test_emoji(real: Understanding, text: str, intent: str) -> None:
    assert real.read(text).intent == intent


@pytest.mark.parametrize("typo, word, intent", [
    ("sudha", "sudah", "done"), ("gagl", "gagal", "failed"), ("berhasill", "berhasil", "done"),
    ("berhsil", "berhasil", "done"), ("bingun", "bingung", "confused"), ("ptugas", "petugas", "help"),
    ("trpasang", "terpasang", "done"),
])
def test_typos_are_corrected_and_the_correction_is_recorded(real: Understanding, typo: str, word: str,
                                                            intent: str) -> None:
    reading = real.read(typo)
    assert reading.intent == intent
    assert f"{typo}→{word}" in reading.matched


@pytest.mark.parametrize("word", ["pulang", "pensiun", "marah", "besar", "tahun", "data", "mana", "setiap"])
def test_ordinary_words_are_not_bent_into_intents(real: Understanding, word: str) -> None:
    assert real.canonical(word) == word and real.read(word).intent is None


def test_typed_label_matches_the_button_even_with_a_typo(u: Understanding) -> None:
    assert u.read("sudah terpasang", ["btn.done"]).label == "btn.done"
    assert u.read("sudah terpasng", ["btn.done"]).label == "btn.done"
    assert u.read("udah terpasang", ["btn.done"]).label == "btn.done"  # spelled like the label
    assert u.read("sudah terpasang", []).label is None


def test_help_always_wins(u: Understanding) -> None:
    reading = u.read("sudah tapi minta tolong petugas", ["btn.done"])
    assert reading.intent == "help"
    assert "minta tolong" in reading.matched


def test_a_scam_report_outranks_everything_but_help(u: Understanding) -> None:
    assert u.read("sudah, tapi ada yang minta otp").intent == "scam"
    assert u.read("ada yang minta otp, minta tolong").intent == "help"


def test_two_meanings_give_candidates_not_a_guess(u: Understanding) -> None:
    reading = u.read("sudah tapi gagal")
    assert reading.intent is None and set(reading.candidates) == {"done", "failed"}
    assert reading.matched == ("sudah", "gagal")


def test_chit_chat_and_bare_yes_yield_to_the_answer(real: Understanding) -> None:
    assert real.read("pagi pak, sudah").intent == "done"
    assert real.read("iya belum").intent == "not_yet"
    assert real.read("pindah hp gak bisa login").intent == "lost_phone"


def test_reading_explains_what_matched(real: Understanding) -> None:
    reading = real.read("emailnya blm masuk")
    assert reading.intent == "email_missing"
    assert reading.matched == ("email belum masuk", "emailnya→email")


def test_reading_is_cheap(real: Understanding) -> None:
    messages = ["sdh pak", "blm bisa pak gagal terus", "ada yang telpon ngaku petugas minta kode",
                "kodenya ga masuk2 gimana ini", "hp saya gk support", "alhamdulillah sudah berhasil"]
    real.read("warm up")
    started = time.perf_counter()
    rounds = 200
    for _ in range(rounds):
        for text in messages:
            real.read(text, ["btn.done", "btn.failed", "btn.person"])
    per_message = (time.perf_counter() - started) / (rounds * len(messages))
    # A Telegram update costs milliseconds (an HTTP round trip, a SQLite commit): stay far below.
    assert per_message < 0.001, f"{per_message * 1e6:.0f} µs per message"
