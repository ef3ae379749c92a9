"""What a resident sees when they describe a problem at any step, write first before /start,
are not understood clearly, ask (or do not ask) for a person, or send odd input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.assembly import build_guide
from bot.store import Store
from tests.understanding.test_guide_answers import Resident, at

RETURN = "↩️ Langkah saya"


@pytest.fixture
def guide(tmp_path: Path):
    g = build_guide(Store(str(tmp_path / "guide.sqlite3")))
    yield g
    g.store.close()


def test_a_problem_named_at_another_step_is_a_detour_with_a_way_back(guide) -> None:
    ani = at(guide, "requirements")
    ani.says("iya ada ktp elektronik")  # req_ektp -> req_phone
    assert ani.reply["state"] == "req_phone"
    ani.says("lupa pin ikd saya gimana ya pak")
    assert ani.reply["state"] == "ap_forgot" and ani.reply["understood"]
    assert RETURN in ani.buttons and "🙋 Petugas" in ani.buttons
    ani.presses(RETURN)
    assert ani.reply["state"] == "req_phone"
    assert RETURN not in ani.buttons  # back where she was: no more way back to show


def test_a_problem_typed_right_after_start_gets_its_help(guide) -> None:
    budi = Resident(guide)
    budi.says("/start")
    budi.says("verifikasi wajah saya gagal terus dari tadi pagi")
    assert budi.reply["state"] == "face_failed" and RETURN in budi.buttons
    budi.presses(RETURN)
    assert budi.reply["state"] == "welcome_hello"


def test_a_rejected_nik_is_not_progress(guide) -> None:
    siti = at(guide, "fill_form")
    states = []
    for text in ("sudah kebuka aplikasinya", "sudah saya pencet daftar", "nik ditolak"):
        siti.says(text)
        states.append(siti.reply["state"])
    assert states[1] == "form_nik" and states[2] == "form_nik_problem"


def test_a_problem_the_step_handles_itself_follows_the_step_and_counts_as_a_failure(guide) -> None:
    rina = at(guide, "face_check")
    rina.says("sudah siap")  # face_prepare -> face_take
    rina.says("fotonya ditolak terus katanya wajah tidak cocok")
    assert rina.reply["state"] == "face_failed" and RETURN not in rina.buttons


def test_a_problem_where_the_step_only_offers_a_menu_goes_straight_to_its_help(guide) -> None:
    r = at(guide, "activated")
    r.says("saya lupa pin ikd nya")
    assert r.reply["state"] == "ap_forgot"


def test_a_newcomer_asking_for_a_person_is_welcomed_and_handed_over(guide) -> None:
    r = Resident(guide)
    r.says("saya mau bicara sama orang saja")
    assert r.reply["handoff"] is True
    assert "Teman IKD" in r.reply["replies"][0]["text"]  # the introduction came first


def test_a_newcomer_naming_a_problem_is_welcomed_and_helped(guide) -> None:
    r = Resident(guide)
    r.says("dokumen ktp di aplikasi ikd saya loading terus ga muncul")
    assert r.reply["state"] == "pb_documents_loading" and not r.reply["handoff"]
    assert "Teman IKD" in r.reply["replies"][0]["text"] and len(r.reply["replies"]) >= 2


def test_a_newcomer_saying_hello_gets_the_welcome_only(guide) -> None:
    r = Resident(guide)
    r.says("halo")
    assert r.reply["state"] == "welcome_hello" and not r.reply["handoff"]


def test_an_unclear_message_asks_with_the_likeliest_meanings_and_a_person(guide) -> None:
    siti = at(guide, "install_app")
    siti.says("sdh ngerti")
    siti.says("udah ketemu")
    siti.says("entah berhasil entah gagal")
    assert "yang mana" in siti.text and not siti.reply["understood"]
    choices = [b for b in siti.buttons if b not in ("⬅️ Kembali", "🙋 Petugas")]
    assert 2 <= len(choices) <= 3 and "🙋 Petugas" in siti.buttons


def test_an_unsure_request_for_a_person_is_offered_not_made(guide) -> None:
    r = at(guide, "face_check")
    r.says("orang dukcapil")
    assert r.reply["handoff"] is False and "🙋 Ya, minta petugas" in r.buttons
    r.presses("Lanjut panduan")
    assert r.reply["state"] == "face_prepare" and r.reply["handoff"] is False
    r.says("orang dukcapil")
    r.presses("Ya, minta petugas")
    assert r.reply["handoff"] is True


@pytest.mark.parametrize("text", ["mau bicara dengan petugas", "sambungkan ke orang", "/bantuan"])
def test_an_explicit_request_hands_over_at_once(guide, text: str) -> None:
    r = at(guide, "install_app")
    r.says(text)
    assert r.reply["handoff"] is True


@pytest.mark.parametrize("text", ["tolong", "bantu", "terima kasih bantuannya", "tolong pelan pelan",
                                  "saya cucunya mau bantu nenek"])
def test_politeness_never_opens_a_ticket(guide, text: str) -> None:
    r = at(guide, "requirements")
    r.says(text)
    assert r.reply["handoff"] is False


def test_the_person_button_hands_over(guide) -> None:
    r = at(guide, "requirements")
    r.presses("Petugas")
    assert r.reply["handoff"] is True


def test_a_scam_is_warned_about_and_an_app_problem_is_not(guide) -> None:
    r = at(guide, "activation_email")
    r.says("wa dr dukcapil minta kode")
    assert "penipuan" in r.text
    r.presses("Lanjut panduan")
    r.says("apk nya ga bisa dibuka")
    assert "penipuan" not in r.text


@pytest.mark.parametrize("text", [
    "", "   ", "😀😀😀", "\u200b\u200b\u200b", "x" * 4096, "سلام 你好 halo пак", "samsung", "oppo", "12345",
    "s\u200bu\u200bd\u200ba\u200bh", "🙂" * 500,
])
def test_bad_input_gets_a_kind_answer_and_buttons(guide, text: str) -> None:
    r = at(guide, "requirements")
    r.says(text)
    assert r.reply["replies"] and r.reply["replies"][-1]["text"].strip()
    assert r.buttons and ("🙋 Petugas" in r.buttons or "🙋 Ya, minta petugas" in r.buttons)
    assert r.reply["handoff"] is False


def test_a_long_message_with_a_secret_is_deleted_and_never_echoed(guide) -> None:
    r = at(guide, "activation_email")
    r.says("kode saya 482913 " + "tolong dibaca ya " * 230)
    assert r.reply["input_deleted"] is True
    assert "482913" not in json.dumps(r.reply) and "482913" not in json.dumps(guide.store.transcripts.of(1))
