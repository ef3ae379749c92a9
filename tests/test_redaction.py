"""Secrets typed by residents are found and masked; ordinary messages are left alone."""

from __future__ import annotations

import re

import pytest

from bot.redaction import MASK, redact


@pytest.mark.parametrize("text, kind", [
    ("nik saya 3673 0412 3456 0001", "nik"),
    ("3673041234560001", "nik"),
    ("NIK: 3673-0412-3456-0001", "nik"),
    ("ini nik ibu saya 3673.0412.3456.0001 tolong dicek", "nik"),
    ("no kk 3673.0412.3456.0002", "kk"),
    ("kartu keluarga 3673041234560002", "kk"),
    ("pin 123456", "pin_or_code"),
    ("pin sy 1234", "pin_or_code"),
    ("PIN saya: 1 2 3 4 5 6", "pin_or_code"),
    ("kodenya 482913 ga masuk2", "pin_or_code"),
    ("kodenya 4821 bener ga", "pin_or_code"),
    ("kode aktivasi saya 482913", "pin_or_code"),
    ("otp: 4821", "pin_or_code"),
    ("otp nya 48 29 13", "pin_or_code"),
    ("482913", "pin_or_code"),
    ("G-482913 itu kodenya", "pin_or_code"),
    ("password saya rahasia123", "password"),
    ("sandinya adalah mawar", "password"),
    ("kata sandi email saya budi1960", "password"),
    ("pw: Mawar#2024", "password"),
])
def test_secrets_are_found_and_never_left_raw(text: str, kind: str) -> None:
    found = redact(text)
    assert kind in found.secrets
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 4:
        assert digits not in "".join(ch for ch in found.text if ch.isdigit())
    assert MASK in found.text


def test_nik_is_masked_keeping_region_and_tail() -> None:
    assert redact("3673 0412 3456 0001").text == "3673" + MASK * 8 + "0001"


def test_a_password_word_is_gone_from_the_masked_text() -> None:
    for text, secret in [("sandinya adalah mawar", "mawar"), ("pw: Mawar#2024", "Mawar"),
                         ("password saya rahasia123", "rahasia123")]:
        assert secret not in redact(text).text


@pytest.mark.parametrize("text", [
    "sdh pak", "langkah 3", "tahun 2024 ok", "jam 08.00", "jam 8 pagi", "lupa password gimana",
    "passwordnya apa ya", "kodenya ga masuk2", "kode 6 angka ya?", "umur saya 67", "android 14",
    "salah pin 3 kali", "iOS 15.2", "bayar Rp 100000?", "katanya 150000 rupiah", "lahir 1958",
    "tanggal 12-05-2025", "antrian nomor 27", "rt 03 rw 05", "sudah 2 hari belum datang", "",
])
def test_ordinary_messages_are_untouched(text: str) -> None:
    found = redact(text)
    assert found.text == text and not found.secrets and not found.personal


@pytest.mark.parametrize("text, kind, raw", [
    ("hp 081234567890 ya", "phone", "081234567890"),
    ("nomor wa saya 0812-3456-7890", "phone", "3456"),
    ("+62 812 3456 7890", "phone", "3456 7890"),
    ("email budi.s@gmail.com", "email", "budi.s@"),
])
def test_phone_and_email_are_masked_but_not_secret(text: str, kind: str, raw: str) -> None:
    found = redact(text)
    assert not found.has_secret
    assert found.personal == (kind,)
    assert raw not in found.text and MASK in found.text


def test_everything_in_one_message() -> None:
    text = "nik 3673041234560001 pin 654321 hp 081298765432 email siti@yahoo.co.id sandi: melati"
    found = redact(text)
    assert set(found.secrets) == {"nik", "pin_or_code", "password"}
    assert set(found.personal) == {"phone", "email"}
    for raw in ("3673041234560001", "654321", "081298765432", "siti@", "melati"):
        assert raw not in found.text
    assert not re.search(r"\d{5,}", found.text)


def test_only_texts_with_nothing_to_mask_are_remembered_between_calls() -> None:
    # redact() remembers clean texts (button labels come all day); a secret must never stay in
    # that memory after the call that masked it, nor personal data.
    from bot import redaction
    from bot.understanding import _NORMALISED, normalise

    for text in ("pin saya 246810", "NIK 3673041234560001", "wa saya 081234567890", "email siti@contoh.id"):
        assert redact(text).secrets or redact(text).personal
        normalise(text)
        assert text not in redaction._CLEAN and text not in _NORMALISED
    assert redact("Sudah").text == "Sudah" and "Sudah" in redaction._CLEAN
    assert normalise("Sudaaah") == "sudah" and "Sudaaah" in _NORMALISED
