"""Secrets typed by residents are found and masked; ordinary messages are left alone."""

from __future__ import annotations

import pytest

from bot.redaction import MASK, redact


@pytest.mark.parametrize("text, kind", [
    ("nik saya 3673 0412 3456 0001", "nik"),
    ("3673041234560001", "nik"),
    ("no kk 3673.0412.3456.0002", "nik"),
    ("pin 123456", "pin_or_code"),
    ("pin sy 1234", "pin_or_code"),
    ("kodenya 482913 ga masuk2", "pin_or_code"),
    ("otp: 4821", "pin_or_code"),
    ("482913", "pin_or_code"),
    ("password saya rahasia123", "password"),
    ("sandinya adalah mawar", "password"),
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


@pytest.mark.parametrize("text", ["sdh pak", "langkah 3", "tahun 2024 ok", "jam 08.00", "lupa password gimana",
                                  "kodenya ga masuk2", "umur saya 67", ""])
def test_ordinary_messages_are_untouched(text: str) -> None:
    found = redact(text)
    assert found.text == text and not found.secrets


def test_phone_and_email_are_masked_but_not_secret() -> None:
    found = redact("hp 081234567890 email budi.s@gmail.com")
    assert not found.has_secret
    assert set(found.personal) == {"phone", "email"}
    assert "081234567890" not in found.text and "budi.s@" not in found.text
