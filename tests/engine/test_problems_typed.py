"""Issue 11's problems, typed the way residents write them, from a plain /start and from the
activated step: each lands in its help, and the resident reads what that help is about.

(tests/engine/test_problems.py checks each help's content and how its paths end; this checks that a
resident who only describes the problem in their own words gets there. The phrasings are new:
in neither the training examples nor the held-out evaluation.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.assembly import build_guide
from bot.store import Store
from tests.understanding.test_guide_answers import Resident, at

# (what a resident types, the state of its help, a word the help must show)
PROBLEMS = [
    ("aplikasi ikd nya kok ga mau kebuka ya, muter2 terus trs keluar sendiri", "pb_app_wont_open", "internet"),
    ("pas buka menu dokumen ktp sama kk cuma loading aja ga muncul2", "pb_documents_loading", "dokumen"),
    ("waktu daftar keluar tulisan nik sudah terdaftar, padahal saya belum pernah daftar", "ap_other_device", "kantor"),
    ("pin ikd saya lupa pak, udah coba beberapa kali salah", "ap_forgot", "PIN"),
    ("hp saya hilang kemarin, ikd saya gimana nasibnya", "ap_new_phone", "ponsel"),
    ("saya ktp nya serang tapi kerja di jakarta, bisa aktivasi di sana ga", "pb_domicile", "kantor"),
    ("kenapa sih harus datang ke kantor segala, kan bisa online", "pb_why_office", "memastikan"),
    ("ikd itu sebenernya gunanya buat apaan sih", "pb_what_for", "QR"),
    ("kok aplikasinya gabisa di screenshot ya layarnya hitam", "pb_screenshot", "layar"),
    ("petugas di kecamatan bilang iphone ga bisa, harus android", "pb_iphone_refused", "iPhone"),
    ("saya mau ngurus akta kelahiran anak sama pindah kk, bisa disini?", "pb_out_of_scope", "Dukcapil"),
    ("tadi ada yg ngaku petugas, kode dari sms udah saya kasih ke dia", "pb_scam_victim", "matikan data"),
]


@pytest.fixture
def guide(tmp_path: Path):
    g = build_guide(Store(str(tmp_path / "guide.sqlite3")))
    yield g
    g.store.close()


def _lands(resident: Resident, text: str, state: str, word: str) -> None:
    resident.says(text)
    assert resident.reply["state"] == state, (text, resident.reply["state"], resident.text)
    assert word.lower() in resident.text.lower(), (text, resident.text)
    assert not resident.reply["handoff"], "describing a problem is not asking for a person"
    assert any("Petugas" in b for b in resident.buttons), "a person is one tap away"


@pytest.mark.parametrize("text,state,word", PROBLEMS)
def test_a_problem_typed_after_start_lands_in_its_help(guide, text: str, state: str, word: str) -> None:
    resident = Resident(guide)
    resident.says("/start")
    _lands(resident, text, state, word)


@pytest.mark.parametrize("text,state,word", PROBLEMS)
def test_a_problem_typed_after_activation_lands_in_its_help(guide, text: str, state: str, word: str) -> None:
    _lands(at(guide, "activated"), text, state, word)


def test_the_scam_warning_leads_whoever_already_gave_the_code_to_the_victims_steps(guide) -> None:
    ani = at(guide, "activated")
    ani.says("ada yang nelpon katanya dari capil, minta kode otp yang masuk ke hp saya")
    assert "penipuan" in ani.text.lower() and not ani.reply["handoff"]
    assert any("petugas" in b.lower() for b in ani.buttons)
    ani.presses("Sudah kena tipu")
    assert ani.reply["state"] == "pb_scam_victim"
    assert "matikan data" in ani.text.lower()
