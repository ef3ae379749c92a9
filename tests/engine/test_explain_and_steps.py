"""Explain again, differently (say_simple), one action per message, iPhone and Android texts,
the loops and the trust wording of issue 11 (points 5 and 6), as a resident reads them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.checks import run_checks
from bot.engine import Conversation, Engine, Input
from bot.engine.effects import Say
from bot.flow import DialogError, load_flow
from bot.plain_language import instructions, load_rules

ROOT = Path(__file__).resolve().parents[2]


def read(guide, step) -> tuple[str, list[str]]:
    say = next(e for e in step.effects if isinstance(e, Say))
    message = guide.renderers["id"].say(say, step.conversation)
    return message.text, message.buttons


def at(engine: Engine, state: str, **facts: str) -> Conversation:
    conv = Conversation(state=state, history=("req_ektp",)).with_facts(facts)
    return engine.prompt(conv).conversation


def test_gimana_caranya_gets_the_simpler_wording_then_a_person(guide, engine) -> None:
    conv = at(engine, "face_take")
    first = engine.step(conv, Input.typed("gimana caranya"))
    text, buttons = read(guide, first)
    t = guide.renderers["id"].t
    assert text.startswith("Langkah 4 dari 8\n\n" + t.text("sys.confused"))
    assert t.text("simple.face_take") in text and t.text("face.take") not in text
    assert first.conversation.state == "face_take" and "✅ Sudah" in buttons  # the step's own buttons stay
    second = engine.step(first.conversation, Input.typed("masih bingung"))
    assert second.conversation.overlay == "stuck"
    assert "🙋 Ya, minta petugas" in read(guide, second)[1]


def test_ulangi_repeats_once_then_explains_differently_then_offers_a_person(guide, engine) -> None:
    t = guide.renderers["id"].t
    conv = at(engine, "inst_search", phone="iphone")
    once = engine.step(conv, Input.typed("ulangi"))
    assert t.text("inst.search", toko="App Store")[:40] in read(guide, once)[0]
    twice = engine.step(once.conversation, Input.commanded("ulangi"))
    text = read(guide, twice)[0]
    assert t.text("simple.inst_search", toko="App Store") in text and "Tidak apa-apa" not in text
    third = engine.step(twice.conversation, Input.typed("ulangi lagi"))
    assert third.conversation.overlay == "stuck"


def test_a_new_step_starts_the_count_again(guide, engine) -> None:
    conv = at(engine, "form_open")
    asked = engine.step(conv, Input.typed("bingung")).conversation
    moved = engine.step(asked, Input.pressed(1)).conversation  # "Sudah"
    assert moved.state == "form_register" and moved.explained == 0
    again = engine.step(moved, Input.typed("bingung"))
    assert again.conversation.overlay is None and again.conversation.state == "form_register"


def test_no_double_tidak_apa_apa_when_explaining_again(guide, engine) -> None:
    for name, state in engine.flow.states.items():
        if not state.say_simple:
            continue
        step = engine.step(at(engine, name), Input.typed("gimana caranya"))
        text = read(guide, step)[0]
        assert text.count("Tidak apa-apa") <= 1, name


def test_say_simple_must_differ_from_say(tmp_path: Path) -> None:
    dialogs = shutil.copytree(ROOT / "dialogs", tmp_path / "dialogs")
    path = dialogs / "flow" / "face_check.yaml"
    path.write_text(path.read_text().replace("say_simple: [simple.face_take]", "say_simple: [face.take]"))
    with pytest.raises(DialogError, match="say_simple must say it differently"):
        load_flow(dialogs)


def test_check_requires_a_simpler_wording_on_every_step(tmp_path: Path) -> None:
    dialogs = shutil.copytree(ROOT / "dialogs", tmp_path / "dialogs")
    locales = shutil.copytree(ROOT / "locales", tmp_path / "locales")
    path = dialogs / "flow" / "face_check.yaml"
    path.write_text(path.read_text().replace("    say_simple: [simple.face_look]\n", ""))
    findings = [str(f) for f in run_checks(dialogs, locales)]
    assert any("face_look" in f and "no say_simple" in f for f in findings), findings


# ----- one action per message ---------------------------------------------------------------
def test_instructions_are_counted_as_a_resident_meets_them() -> None:
    rules = load_rules(ROOT / "dialogs")
    six = "Buka App Store. Cari Gmail, lalu pasang. Buka Gmail dan pilih buat akun baru. Tekan ✅ bila sudah."
    assert len(instructions(six, rules)) == 5
    assert len(instructions("Pegang ponsel. Diam, lihat ke layar, dan ikuti petunjuknya. Apakah berhasil?", rules)) == 4
    assert instructions("Jangan berikan kode. Tekan tombol di bawah. Apakah sudah?", rules) == []


def test_the_face_photo_and_the_activation_code_come_in_sub_steps(guide, engine) -> None:
    conv = at(engine, "face_take")
    text, buttons = read(guide, engine.prompt(conv))
    assert '"Ambil Foto"' in text and "Lihat ke layar" not in text
    nxt = engine.step(conv, Input.pressed(buttons.index("✅ Sudah") + 1))
    assert nxt.conversation.state == "face_look" and "Lihat ke layar" in read(guide, nxt)[0]
    states = []
    conv = at(engine, "mail_code")
    for _ in range(3):
        states.append(conv.state)
        conv = engine.step(conv, Input.pressed(1)).conversation
    assert states == ["mail_code", "mail_captcha", "mail_confirm"] and conv.state == "pin_login"


# ----- iPhone and Android ---------------------------------------------------------------------
def test_an_iphone_user_is_never_told_about_google_or_the_play_store(guide, engine) -> None:
    conv = at(engine, "req_email", phone="iphone")
    unsure = engine.step(conv, Input.pressed(3))  # "Tidak yakin"
    text = read(guide, unsure)[0]
    assert unsure.conversation.state == "es_check_iphone" and "Google" not in text and "Mail" in text
    for state in ("inst_intro", "inst_search", "form_register_help", "es_open_iphone", "es_iphone_install",
                  "req_phone_version", "pb_app_update"):
        text = read(guide, engine.prompt(at(engine, state, phone="iphone")))[0]
        assert "Play Store" not in text and "Google" not in text, state
    assert "Play Store" in read(guide, engine.prompt(at(engine, "inst_search", phone="android")))[0]
    assert "Play Store (Android) atau App Store (iPhone)" in read(guide, engine.prompt(at(engine, "inst_search")))[0]


def test_the_app_s_own_words_are_in_quotes(guide, engine) -> None:
    texts = {s: read(guide, engine.prompt(at(engine, s)))[0] for s in ("mail_open", "face_take", "form_register")}
    assert '"Aktivasi"' in texts["mail_open"] and "menyalakan" not in texts["mail_open"]
    assert '"Ambil Foto"' in texts["face_take"] and '"Pendaftaran Offline"' in texts["form_register"]


# ----- loops and trust -----------------------------------------------------------------------
def test_a_family_phone_at_step_2_does_not_ask_email_and_number_again(guide, engine) -> None:
    conv = at(engine, "inst_incompatible", phone="android", email="yes", ektp="yes")
    office = engine.step(conv, Input.pressed(2)).conversation  # "Dilayani tanpa ponsel"
    assert office.state == "req_without_phone"
    family = engine.step(office, Input.pressed(1)).conversation  # "Pakai ponsel keluarga"
    assert family.state == "inst_search"


def test_after_the_office_refuses_there_is_a_way_forward(guide, engine) -> None:
    _, buttons = read(guide, engine.prompt(at(engine, "visit_refused")))
    assert "🔁 Coba lagi" in buttons and "📱 iPhone ditolak" in buttons and "✅ Sudah selesai" not in buttons
    conv = at(engine, "visit_refused")
    assert engine.step(conv, Input.pressed(1)).conversation.state == "visit_qr"


def test_who_the_operators_are_and_that_they_never_ask_for_a_pin(guide, engine) -> None:
    text = read(guide, engine.step(None, Input.commanded("start")))[0]
    assert "petugas Disdukcapil Kota Serang di chat ini" in text
    assert "Saya dan petugas itu tidak pernah meminta PIN" in text
    escalated = engine.step(at(engine, "face_take"), Input.commanded("bantuan"))
    assert "Petugas juga tidak akan meminta PIN atau kode" in read(guide, escalated)[0]


def test_untuk_apa_ikd_does_not_get_the_cost_answer_alone(guide, engine) -> None:
    step = engine.step(at(engine, "req_phone"), Input.typed("untuk apa ikd"))
    text = read(guide, step)[0]
    # The reader routes the question to its own help (pb_what_for); either way it says what IKD is.
    assert text.startswith("IKD adalah e-KTP di ponsel.") and "tidak wajib" in text


# ----- plain-language figures --------------------------------------------------------------
def test_the_figures_meet_the_bars_and_check_fails_when_they_do_not(tmp_path: Path, guide, engine) -> None:
    from bot.plain_language import measure_figures

    rules = load_rules(ROOT / "dialogs")
    figures = measure_figures(guide, engine, rules)
    assert figures.messages > 200 and figures.median_chars <= 200 and figures.p90_sentence_words <= 14
    assert figures.max_instructions <= 2
    dialogs = shutil.copytree(ROOT / "dialogs", tmp_path / "dialogs")
    locales = shutil.copytree(ROOT / "locales", tmp_path / "locales")
    path = dialogs / "plain-language.yaml"
    path.write_text(path.read_text().replace("median_chars_per_message: 200", "median_chars_per_message: 60")
                    .replace("p90_words_per_sentence: 14", "p90_words_per_sentence: 5"))
    findings = [str(f) for f in run_checks(dialogs, locales)]
    assert any("median message is" in f for f in findings) and any("90th-percentile sentence" in f for f in findings)


def test_pybabel_extraction_finds_the_simpler_wordings() -> None:
    from bot.i18n_extract import extract_dialogs

    with open(ROOT / "dialogs" / "flow" / "face_check.yaml", "rb") as handle:
        found = {msgid for _, _, msgid, _ in extract_dialogs(handle, None, None, None)}
    assert {"face.take", "simple.face_take", "simple.face_look"} <= found
