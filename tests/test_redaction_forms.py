"""Ways residents write secrets (each masked and reported) and ordinary messages that look a
little like them (each left untouched), plus properties over every NIK-shaped digit run.

The forms come from the ways an attack on the running bot got secrets through (issue 14):
separators, number words, two-message NIKs, grouped codes, PINs in words, letter-and-digit
codes and plain-word passwords. The README's reliability figures count these two tables.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from bot.redaction import MASK, redact

NIK = "3673041234560001"
ZW, ZWJ, NBSP = "\u200b", "\u200d", "\u00a0"


def _nik(sep: str) -> str:
    return sep.join(NIK[i:i + 4] for i in range(0, 16, 4))


WORDS = "tiga enam tujuh tiga nol empat satu dua tiga empat lima enam nol nol nol satu"

# (what the resident typed, the kind reported, raw pieces that must not survive)
SECRET_FORMS = [
    *[(f"nik saya {_nik(sep)}", "nik", [NIK, _nik(sep)[4:-4]]) for sep in
      (" ", "\n", "\t", NBSP, ZW, ZWJ, "/", ",", ", ", "\u2013", "\u2014", " - ", "_", ".", "-", "", " / ", "\n\n")],
    *[(_nik(sep), "nik", [NIK]) for sep in ("\n", "\t", NBSP, ZW, "/", ",", "\u2013", " - ", "_", ".")],
    ("3673 041 234 560 001", "nik", [NIK]),
    ("36 73 04 12 34 56 00 01", "nik", [NIK]),
    ("NIK:3673041234560001.", "nik", [NIK]),
    ("nik ibu 3673041234560001 tolong dicek", "nik", [NIK]),
    ("３６７３０４１２３４５６０００１", "nik", ["０４１２"]),  # full-width digits
    (WORDS, "nik", ["nol empat satu dua"]),
    (f"nik saya {WORDS}", "nik", ["nol empat satu dua"]),
    ("nik saya tiga enam tujuh tiga kosong empat satu dua tiga empat lima enam kosong kosong kosong satu", "nik",
     ["kosong empat"]),
    ("Tiga, Enam, Tujuh, Tiga, Nol, Empat, Satu, Dua, Tiga, Empat, Lima, Enam, Nol, Nol, Nol, Satu", "nik",
     ["Nol, Empat"]),
    ("3673 nol empat satu dua 3456 0001", "nik", ["nol empat"]),
    ("no kk 3673.0412.3456.0002", "kk", ["3673041234560002", "0412.3456"]),
    ("kartu keluarga 3673\n0412\n3456\n0002", "kk", ["0412\n3456"]),
    # a NIK over two messages: each part
    ("3673 0412", "nik", ["3673 0412"]),
    ("3456 0001", "nik", ["3456 0001"]),
    ("367304123456", "nik", ["367304123456"]),
    ("3673 0412 3456", "nik", ["0412 3456"]),
    ("04123456 0001", "nik", ["04123456"]),
    ("nik saya 3673041", "nik", ["3673041"]),
    ("lanjutannya 234560001", "nik", ["234560001"]),
    # codes, grouped or not
    ("592-614", "pin_or_code", ["592-614", "592614"]),
    ("726 394", "pin_or_code", ["726 394"]),
    ("kodenya 592-614", "pin_or_code", ["592-614"]),
    ("kode 726 394 bener ga", "pin_or_code", ["726 394"]),
    ("59 26 14", "pin_or_code", ["59 26 14"]),
    ("5 9 2 6 1 4", "pin_or_code", ["5 9 2 6 1 4"]),
    ("592_614", "pin_or_code", ["592_614"]),
    ("592/614", "pin_or_code", ["592/614"]),
    ("592\u2013614", "pin_or_code", ["614"]),
    ("592\n614", "pin_or_code", ["592\n614"]),
    ("482913", "pin_or_code", ["482913"]),
    ("G-482913 itu kodenya", "pin_or_code", ["482913"]),
    ("otp: 4821", "pin_or_code", ["4821"]),
    ("otp nya 48 29 13", "pin_or_code", ["48 29 13"]),
    ("kodenya 4821 bener ga", "pin_or_code", ["4821"]),
    ("kode verifikasi 7 1 9 2", "pin_or_code", ["7 1 9 2"]),
    ("pin saya 246813", "pin_or_code", ["246813"]),
    ("PIN saya: 1 2 3 4 5 6", "pin_or_code", ["1 2 3 4 5 6"]),
    ("pin sy 1234", "pin_or_code", ["1234"]),
    ("pin 12-34-56", "pin_or_code", ["12-34-56"]),
    # PINs and codes in words
    ("pin saya satu dua tiga empat lima enam", "pin_or_code", ["satu dua tiga"]),
    ("pinnya enam lima empat tiga dua satu", "pin_or_code", ["enam lima empat"]),
    ("kode otp nya tujuh dua sembilan kosong", "pin_or_code", ["tujuh dua sembilan"]),
    ("Kode: Lima, Sembilan, Dua, Enam, Satu, Empat", "pin_or_code", ["Sembilan, Dua"]),
    ("pin saya 1 dua 3 empat 5 enam", "pin_or_code", ["dua 3 empat"]),
    ("satu dua tiga empat lima enam", "pin_or_code", ["tiga empat lima"]),
    # letter-and-digit codes
    ("AB12CD", "pin_or_code", ["AB12CD"]),
    ("kodenya AB12CD", "pin_or_code", ["AB12CD"]),
    ("kode aktivasi X7K9P2", "pin_or_code", ["X7K9P2"]),
    ("otp 4x9k2m", "pin_or_code", ["4x9k2m"]),
    ("ini A1B2C3 ya", "pin_or_code", ["A1B2C3"]),
    ("token saya 9QW7ZT", "pin_or_code", ["9QW7ZT"]),
    ("kode ab12cd34", "pin_or_code", ["ab12cd34"]),
    # plain-word passwords
    ("password saya melati", "password", ["melati"]),
    ("pass saya melati", "password", ["melati"]),
    ("sandi saya melati", "password", ["melati"]),
    ("kata sandi saya melati", "password", ["melati"]),
    ("kata sandi: kenanga", "password", ["kenanga"]),
    ("sandinya kenanga", "password", ["kenanga"]),
    ("sandinya adalah mawar", "password", ["mawar"]),
    ("password: melati", "password", ["melati"]),
    ("passwordnya anggrek", "password", ["anggrek"]),
    ("Password email saya Melati1958", "password", ["Melati1958"]),
    ("kata sandi email saya budi1960", "password", ["budi1960"]),
    ("pw: Mawar#2024", "password", ["Mawar"]),
    ("password baru saya kenanga", "password", ["kenanga"]),
    ("pass: rahasiaku", "password", ["rahasiaku"]),
    ("kata kunci saya cempaka", "password", ["cempaka"]),
    ("password\nmelati", "password", ["melati"]),
    ("sandi\u00a0saya\u00a0melati", "password", ["melati"]),
    ("password = tulip99", "password", ["tulip99"]),
]

# Messages a resident may well send that hold nothing to mask.
ORDINARY_FORMS = [
    "sdh pak", "langkah 3", "langkah 3 dari 8", "tahun 2024 ok", "lahir 1958", "umur saya 67", "jam 08.00",
    "jam 8 pagi", "buka 08.00 - 12.00", "buka jam 08.00-15.00 WIB", "jam 13:30 saya ke sana", "Rp 100.000",
    "bayar Rp 100000?", "katanya 150000 rupiah", "harga 1.500.000", "biayanya 50 ribu", "bayar 100.000 ya",
    "tanggal 12-05-2025", "lahir 12/05/1958", "tahun 2023-2024", "2023/2024", "Samsung A12",
    "hp saya samsung galaxy A12 android 14", "Android 14", "android 14", "iOS 11", "iOS 15.2", "iPhone 11",
    "Oppo A5s", "Realme RMX3085", "SM-A125F", "Vivo V2027", "Redmi Note 10", "Xiaomi Redmi 9A",
    "infinix hot 11s", "versi aplikasi 1.0.12", "rt 03 rw 05", "no antrian 27", "antrian nomor 27",
    "sudah 2 hari belum datang", "lupa password gimana", "passwordnya apa ya", "password salah terus",
    "sandi tidak bisa", "kata sandi harus 8 huruf", "sandinya lupa", "pass foto 3x4", "pas foto 3x4",
    "kodenya ga masuk2", "kodenya masuk2 gak", "kode belum masuk2", "kode 6 angka ya?", "salah pin 3 kali",
    "pin diblokir", "lupa pin", "pinnya salah", "otp tidak masuk", "kode aktivasi belum datang", "hati2 ya",
    "sama2 pak", "satu dua kali sudah dicoba", "dua tiga hari lagi", "langkah satu sudah", "lima menit",
    "kodepos 42111", "gang 5 no 12", "tinggal di blok C2", "ruang 2 lantai 3", "", "   ",
    "terima kasih banyak", "mau bicara dengan petugas", "Ya, sudah", "📷 sudah saya foto", "ok 👍",
    "lagi di kecamatan serang", "ktp saya ktp-el lama", "apa itu NIK?", "NIK saya di mana lihatnya?",
    "email saya belum masuk", "aplikasinya versi 2.3", "jam 9", "pukul 10.30", "3 kali gagal",
]


@pytest.mark.parametrize("text, kind, raws", SECRET_FORMS, ids=[repr(t)[:40] for t, _, _ in SECRET_FORMS])
def test_a_secret_however_written_is_found_and_masked(text: str, kind: str, raws: list[str]) -> None:
    found = redact(text)
    assert kind in found.secrets, found
    assert MASK in found.text
    for raw in raws:
        assert raw not in found.text, (raw, found.text)


@pytest.mark.parametrize("text", ORDINARY_FORMS)
def test_an_ordinary_message_is_left_alone(text: str) -> None:
    found = redact(text)
    assert (found.text, found.secrets, found.personal) == (text, (), ())


def test_the_tables_are_as_large_as_the_readme_says() -> None:
    assert len(SECRET_FORMS) + len(ORDINARY_FORMS) >= 100
    assert len({t for t, _, _ in SECRET_FORMS}) == len(SECRET_FORMS)


SEPARATORS = ["", " ", "\n", "\t", NBSP, ZW, ZWJ, "/", ",", ", ", "\u2013", "\u2014", " - ", "_", ".", "-",
              "\u2060", "\u202f"]


@settings(max_examples=300, deadline=None)
@given(digits=st.text("0123456789", min_size=16, max_size=16),
       seps=st.lists(st.sampled_from(SEPARATORS), min_size=15, max_size=15),
       before=st.sampled_from(["", "nik ", "NIK saya: ", "ini ", "tolong cek\n", "kk "]),
       after=st.sampled_from(["", " ya", ".", " tolong", "\nmakasih"]))
def test_any_nik_shaped_run_is_masked_however_separated(digits: str, seps: list[str], before: str, after: str) -> None:
    typed = digits[0] + "".join(s + d for s, d in zip(seps, digits[1:], strict=True))
    found = redact(before + typed + after)
    assert {"nik", "kk"} & set(found.secrets), found
    kept = "".join(ch for ch in found.text if ch.isdigit())
    assert digits not in kept
    assert kept == digits[:4] + digits[12:]  # only the region code and the tail, as the NIK mask keeps


@settings(max_examples=200, deadline=None)
@given(digits=st.from_regex(r"[1-9][0-9]{15}", fullmatch=True), cut=st.integers(min_value=6, max_value=10),
       sep=st.sampled_from(SEPARATORS))
def test_a_nik_over_two_messages_keeps_no_more_than_the_nik_mask_does(digits: str, cut: int, sep: str) -> None:
    # A NIK starts with its province code (11-94), never 0: "08..." is a phone number.
    first, second = digits[:cut], digits[cut:]
    shown = "".join(ch for part in (first, second) for ch in redact(sep.join([part[:3], part[3:]])).text
                    if ch.isdigit())
    assert len(shown) <= 8 and digits not in shown
    assert redact(first).has_secret


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80))
def test_redaction_never_fails_and_is_stable(text: str) -> None:
    once = redact(text)
    assert redact(once.text).text == once.text or MASK in once.text
    if not once.secrets and not once.personal:
        assert once.text == text


def test_the_residents_messages_of_the_understanding_corpus_are_left_alone() -> None:
    # 1,800-odd messages written the way residents write (the reader's examples in
    # dialogs/understanding and the held-out evaluation, less its rows that hold a secret on
    # purpose): none holds a secret, so the redaction must not touch one (false positives, measured).
    from bot.commands.evaluate import default_path, load_rows
    from bot.paths import dialogs_dir
    from bot.understanding.examples import load_examples

    texts = [t for t, _ in load_examples(dialogs_dir()).labelled()]
    texts += [row.text for row in load_rows(default_path()) if row.expect != "secret"]
    assert len(texts) > 600
    touched = [t for t in texts if redact(t).text != t]
    assert touched == []
