"""What a resident sees when the guide is unsure, hears of a scam, gets media or a secret, and
a whole journey typed informally, without one button, through ``teman-ikd simulate``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.assembly import build_guide
from bot.commands.simulate import run_simulate
from bot.store import Store


class Resident:
    """Drives the guide the way simulate does and remembers the last reply."""

    def __init__(self, guide, chat: int = 1):
        self.guide, self.chat = guide, chat
        self.reply: dict = {}

    def _run(self, line: dict) -> dict:
        out = io.StringIO()
        run_simulate(self.guide, io.StringIO(json.dumps({**line, "chat": self.chat}) + "\n"), out)
        self.reply = json.loads(out.getvalue())
        return self.reply

    def says(self, text: str) -> dict:
        return self._run({"text": text})

    def presses(self, label_part: str) -> dict:
        buttons = self.buttons
        number = next(i for i, b in enumerate(buttons, 1) if label_part in b)
        return self._run({"button": number})

    def sends(self, media: str) -> dict:
        return self._run({"media": media})

    @property
    def text(self) -> str:
        return "\n".join(r["text"] for r in self.reply["replies"])

    @property
    def buttons(self) -> list[str]:
        return self.reply["replies"][-1]["buttons"]


@pytest.fixture
def guide(tmp_path: Path):
    g = build_guide(Store(str(tmp_path / "guide.sqlite3")))
    yield g
    g.store.close()


def at(guide, deep_link: str, chat: int = 1) -> Resident:
    r = Resident(guide, chat)
    r.says(f"/start {deep_link}")
    return r


def test_unsure_asks_a_short_question_with_only_the_buttons_meant(guide) -> None:
    siti = at(guide, "install_app")
    siti.says("sdh ngerti")  # inst_intro -> inst_search
    siti.says("udah ketemu")  # -> inst_install
    assert siti.reply["state"] == "inst_install"
    siti.says("entah berhasil entah gagal")  # both meanings at once: the reader is unsure
    assert siti.reply["understood"] is False and siti.reply["state"] == "inst_install"
    assert "yang mana" in siti.text
    assert siti.buttons[:2] == ["✅ Sudah terpasang", "⚠️ Tidak kompatibel"]
    assert "💾 Memori penuh" not in siti.buttons and "🙋 Petugas" in siti.buttons
    siti.presses("Sudah terpasang")  # a real button: pressing it moves on
    assert siti.reply["state"] == "form_open" and siti.reply["understood"]


def test_two_misunderstandings_in_a_row_offer_a_person(guide) -> None:
    budi = at(guide, "face_check")
    budi.says("entah sudah entah gagal")
    assert "yang mana" in budi.text
    budi.says("entah sudah entah gagal")
    assert "petugas" in budi.text.lower() and "🙋 Ya, minta petugas" in budi.buttons
    budi.presses("Ya, minta petugas")
    assert budi.reply["handoff"] is True


def test_a_scam_mention_gets_a_plain_warning_and_a_person(guide) -> None:
    ani = at(guide, "activation_email")
    ani.says("tadi ada yang telpon ngaku dari dukcapil minta kode")
    assert "penipuan" in ani.text and "tidak pernah" in ani.text
    assert ani.buttons == ["🙋 Ya, minta petugas", "🚨 Sudah kena tipu", "↩️ Lanjut panduan"]
    ani.presses("Lanjut panduan")
    assert ani.reply["state"] == "mail_wait" and "Apakah email itu sudah ada" in ani.text
    for text in ("dikirim apk lewat wa", "disuruh transfer 200 ribu biar cepat", "ini link resmi bukan"):
        ani.says(text)
        assert "penipuan" in ani.text, text
    ani.presses("Ya, minta petugas")
    assert ani.reply["handoff"] is True


def test_a_secret_inside_a_scam_report_is_deleted_and_warned_about(guide) -> None:
    ani = at(guide, "activation_email")
    ani.says("ada yang minta kode otp 482913 katanya dari capil")
    assert ani.reply["input_deleted"] is True
    assert "sudah saya hapus" in ani.text and "penipuan" in ani.text
    assert "482913" not in json.dumps(guide.store.transcript(1))


def test_a_typed_secret_is_deleted_in_simulate(guide) -> None:
    siti = at(guide, "fill_form")
    siti.says("nik saya 3673 0412 3456 0001")
    assert siti.reply["input_deleted"] is True and "Dukcapil tidak pernah memintanya" in siti.text
    siti.says("sandi email saya Melati1958")
    assert siti.reply["input_deleted"] is True
    siti.says("lupa password gimana")
    assert siti.reply["input_deleted"] is False


@pytest.mark.parametrize("media, words", [
    ("voice", "pesan suara"), ("photo", "foto"), ("video", "video"), ("document", "berkas"),
    ("sticker", "tombol"), ("location", "Lokasi"), ("contact", "kontak"),
])
def test_media_get_a_kind_specific_answer(guide, media: str, words: str) -> None:
    r = at(guide, "face_check")
    r.sends(media)
    assert words in r.text and r.reply["understood"] is False and r.reply["state"] == "face_prepare"
    assert "🙋 Petugas" in r.buttons


def test_media_count_toward_the_stuck_policy(guide) -> None:
    r = at(guide, "face_check")
    r.sends("voice")
    r.sends("voice")
    assert "pesan suara" in r.text and "🙋 Ya, minta petugas" in r.buttons


# Typed the way an older resident (or a grandchild) types, from /start to an active IKD.
INFORMAL_JOURNEY = [
    "/start", "ok pak", "buat sendiri", "bapak", "siap", "sdh punya ektp", "hp saya samsung", "lanjut",
    "ada emailnya", "iya ada semua", "iya ngerti", "udh ketemu", "sdh kepasang", "udah kebuka",
    "sdh muncul", "sudah diisi", "udh diisi", "sdh diisi semua", "berhasil pak", "siap", "udah",
    "alhamdulillah berhasil", "oke",
    "lanjut", "sudah siap", "udah di kantor", "sdh selesai", "emailnya udah masuk", "sdh ditekan",
    "sdh diketik", "udah", "berhasil", "udah bisa masuk", "sdh", "ngerti pak",
]


def test_an_informal_resident_completes_the_journey_without_a_button(guide) -> None:
    out = io.StringIO()
    lines = "".join(json.dumps({"text": t}) + "\n" for t in INFORMAL_JOURNEY)
    run_simulate(guide, io.StringIO(lines), out)
    replies = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(replies) == len(INFORMAL_JOURNEY)
    stuck = [(t, r["state"]) for t, r in zip(INFORMAL_JOURNEY, replies, strict=True) if not r["understood"]]
    assert stuck == []
    assert replies[-1]["milestone"] == "activated"
    assert "Selamat" in replies[-1]["replies"][0]["text"]
