"""Unconfirmed facts are hedged by construction, sentences reach facts only through placeholders,
closures come from the `holidays` package plus the region file, and `teman-ikd facts` prints
the launch checklist (issue 11, points 2 and 3)."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.checks import run_checks, stated_facts
from bot.cli import main
from bot.engine import Conversation
from bot.i18n import Translator, load_catalog
from bot.region import Fact, load_region
from bot.render import Renderer

ROOT = Path(__file__).resolve().parents[1]
JAKARTA = ZoneInfo("Asia/Jakarta")


def wib(year, month, day, hour, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=JAKARTA)


def text_of(renderer: Renderer, guide, state: str) -> str:
    engine = guide.engines["id"]
    step = engine.prompt(Conversation(state=state))
    return renderer.say(step.effects[-1], step.conversation).text


def test_the_region_file_follows_the_facts_file() -> None:
    region = load_region()
    assert not region.min_android.confirmed and not region.min_ios.confirmed  # facts §1, §8.3
    assert not region.contacts["call_center"].confirmed  # facts §4: still current UNCONFIRMED
    assert not region.hours_confirmed
    assert all(span[1].hour == 16 for span in region.days.values())  # "sampai jam 4 sore", the only source


def test_an_unconfirmed_fact_is_hedged_and_a_confirmed_one_is_not(guide) -> None:
    region = load_region()
    t = Translator(load_catalog("id"))
    hedge = t.text("region.unconfirmed")
    unsure = Renderer(t, region)
    sure = Renderer(t, replace(region, min_android=Fact("8", True), min_ios=Fact("11.0", True)))
    assert "Android 8" in text_of(unsure, guide, "req_phone") and hedge in text_of(unsure, guide, "req_phone")
    assert hedge not in text_of(sure, guide, "req_phone")
    # The call centre in the scam-victim path, and its hedge, follow the region file.
    report_unsure = text_of(unsure, guide, "pb_scam_report")
    assert "1500537 " + hedge in report_unsure
    confirmed = replace(region, contacts={**region.contacts, "call_center": Fact("1500537", True)})
    assert hedge not in text_of(Renderer(t, confirmed), guide, "pb_scam_report")


def test_two_unconfirmed_facts_in_one_sentence_get_one_hedge(guide) -> None:
    renderer = guide.renderers["id"]
    hedge = renderer.t.text("region.unconfirmed")
    text = text_of(renderer, guide, "req_phone")
    sentence = next(s for s in re.split(r"(?<=[.?!])\s+", text) if "Android" in s)
    assert sentence.count(hedge) == 1 and sentence.index("11.0") < sentence.index(hedge)


def test_unconfirmed_service_points_get_one_note_and_the_hours_a_hedge(guide) -> None:
    renderer = guide.renderers["id"]
    text = text_of(renderer, guide, "pb_office")
    assert renderer.t.text("region.points_unconfirmed") in text
    assert "pukul 08.00–16.00 WIB " + renderer.t.text("region.unconfirmed") in text


def test_a_number_typed_into_a_sentence_is_found() -> None:
    assert stated_facts("NIK adalah 16 angka") == ["1", "6"]
    assert stated_facts("Telepon 1500537") and stated_facts("Jam 08.00") and stated_facts("Android 8")
    assert stated_facts("tulis ke callcenter@dukcapil") and stated_facts("buka www.dukcapil")
    assert stated_facts("Telepon {call_center}. NIK adalah {nik_digits} angka.") == []
    assert stated_facts("1. Cek persiapan\n2. Pasang aplikasi\nLangkah 1 sampai 4 di ponsel. Ada 8 langkah") == []


def _copies(tmp_path: Path) -> tuple[Path, Path]:
    return (shutil.copytree(ROOT / "dialogs", tmp_path / "dialogs"),
            shutil.copytree(ROOT / "locales", tmp_path / "locales"))


def test_check_fails_when_a_sentence_states_a_contact_itself(tmp_path: Path) -> None:
    dialogs, locales = _copies(tmp_path)
    po = locales / "id" / "LC_MESSAGES" / "teman_ikd.po"
    po.write_text(po.read_text().replace("Halo Dukcapil di {call_center}", "Halo Dukcapil di 1500537"))
    findings = [str(f) for f in run_checks(dialogs, locales)]
    assert any("pb.scam_report" in f and "states a number" in f for f in findings), findings


def test_check_fails_when_an_unconfirmed_claim_is_said_as_certain(tmp_path: Path) -> None:
    dialogs, locales = _copies(tmp_path)
    po = locales / "id" / "LC_MESSAGES" / "teman_ikd.po"
    text = po.read_text()
    start = text.index('msgid "pb.domicile"')
    end = text.index("\n\n", start)
    po.write_text(text[:start] + 'msgid "pb.domicile"\nmsgstr "IKD bisa diaktifkan di kantor mana saja. '
                  'Pilih salah satu tombol di bawah."' + text[end:])
    findings = [str(f) for f in run_checks(dialogs, locales)]
    assert any("claim 'domicile'" in f for f in findings), findings


def test_check_fails_when_a_fact_has_no_confirmed_flag(tmp_path: Path) -> None:
    dialogs, locales = _copies(tmp_path)
    region = dialogs / "region" / "kota-serang.yaml"
    region.write_text(region.read_text().replace('    value: "16"\n    confirmed: true\n', '    value: "16"\n'))
    findings = [str(f) for f in run_checks(dialogs, locales)]
    assert any("'confirmed' is a required property" in f for f in findings), findings


def test_facts_command_lists_what_disdukcapil_must_confirm(capsys) -> None:
    assert main(["facts"]) == 0
    out = capsys.readouterr().out
    region = load_region()
    unconfirmed = list(region.unconfirmed())
    assert f"{len(unconfirmed)} fact(s) to confirm" in out
    for needle in ("hours: mon 08:00-16:00", "min_android: 8", "call_center: 1500537", "claim domicile",
                   "source: SIPPN Wakatobi"):
        assert needle in out
    assert "nik_digits" not in out  # confirmed facts are not on the checklist


# ----- closures ---------------------------------------------------------------------------------
def test_idul_fitri_and_cuti_bersama_close_the_office() -> None:
    region = load_region()
    # 2026: Idul Fitri 21-22 March (Sat/Sun), cuti bersama Fri 20, Mon 23, Tue 24 March.
    for day in (20, 23, 24):
        assert not region.is_open(wib(2026, 3, day, 10)), day
    assert region.next_opening(wib(2026, 3, 19, 17)) == datetime(2026, 3, 25, 8, tzinfo=region.timezone)
    assert not region.is_open(wib(2026, 5, 27, 10))  # Idul Adha, a Wednesday
    assert region.is_open(wib(2026, 5, 26, 10))


def test_hours_run_until_16_and_a_weekday_is_open() -> None:
    region = load_region()
    assert region.is_open(wib(2026, 12, 2, 15, 30)) and not region.is_open(wib(2026, 12, 2, 16, 0))


def test_the_region_file_adds_closures_and_days_open_anyway(tmp_path: Path) -> None:
    dialogs, _ = _copies(tmp_path)
    path = dialogs / "region" / "kota-serang.yaml"
    path.write_text(path.read_text().replace(
        "  closures: []",
        '  closures:\n    - {date: "2026-12-02", name: "Pindah kantor", confirmed: true, source: "surat edaran"}'
    ).replace(
        "  open_anyway: []",
        '  open_anyway:\n    - {date: "2026-12-24", name: "Pelayanan IKD", confirmed: false, source: "rencana"}'))
    region = load_region(root=dialogs)
    assert not region.is_open(wib(2026, 12, 2, 10))
    assert region.is_open(wib(2026, 12, 24, 10))  # cuti bersama Natal in the package, but the office serves
    assert any(u.what == "open on a holiday 2026-12-24" for u in region.unconfirmed())


def test_after_hours_the_return_time_is_hedged(guide) -> None:
    renderer = guide.renderers["id"]
    text = renderer.t.text("desk.after_hours", **renderer.params(None), when="Senin, 30 November 2026 pukul 08.00 WIB")
    assert "Petugas kembali Senin, 30 November 2026 pukul 08.00 WIB " + renderer.t.text("region.unconfirmed") in text
    assert date(2026, 3, 23) in load_region().holidays
