"""Issue 13 without Telegram: when reminders may go, and the figures supervisors read
(report in the terminal and as CSV), including an empty database, a kecamatan never given
and a target missing from the region file."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.assembly import build_guide
from bot.cli import main
from bot.engine import Input
from bot.followup import report, schedule
from bot.followup.plan import Targets
from bot.region import load_region
from bot.store import Store
from bot.telegram.maintenance import Retention

WIB = ZoneInfo("Asia/Jakarta")
REGION = load_region()


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=WIB)


def test_reminders_never_at_night_nor_on_holidays_and_office_steps_wait_for_office_hours() -> None:
    plan = REGION.reminders
    assert schedule.allowed(at(2026, 11, 3, 22, 30), REGION, plan, office=False) == at(2026, 11, 4, 7, 0)
    assert schedule.allowed(at(2026, 11, 4, 3, 0), REGION, plan, office=False) == at(2026, 11, 4, 7, 0)
    assert schedule.allowed(at(2026, 11, 4, 12, 0), REGION, plan, office=False) == at(2026, 11, 4, 12, 0)
    # Christmas (in the region file's holidays) is skipped, day and night.
    assert schedule.allowed(at(2026, 12, 24, 20, 0), REGION, plan, office=False) == at(2026, 12, 26, 7, 0)
    # A Saturday at the office step waits for Monday's opening; a Friday evening too.
    assert schedule.allowed(at(2026, 11, 7, 10, 0), REGION, plan, office=True) == at(2026, 11, 9, 8, 0)
    assert schedule.allowed(at(2026, 11, 6, 16, 0), REGION, plan, office=True) == at(2026, 11, 9, 8, 0)


def _journeys(path: Path) -> Store:
    now = [at(2026, 11, 2, 9, 0).timestamp()]
    store = Store(str(path), clock=lambda: now[0])
    guide = build_guide(store, locale="id")
    for chat in (5551001, 5551002, 5551003):
        guide.handle(chat, Input.commanded("start"), first_name="Siti Aminah")
        now[0] += 3600
        guide.handle(chat, Input.pressed(1))
        guide.handle(chat, Input.typed("tolong saya bingung 3604123456789012"))
    guide.handle(5551003, Input.commanded("bantuan"))
    return store


def test_report_on_an_empty_database_is_clear(tmp_path: Path, capsys) -> None:
    Store(str(tmp_path / "empty.sqlite3")).close()
    assert main(["report", "--db", str(tmp_path / "empty.sqlite3"), "--csv", str(tmp_path / "out.csv")]) == 0
    out = capsys.readouterr().out
    assert "Belum ada data perjalanan warga pada periode ini." in out
    assert "0 warga mulai, 0 aktivasi" in out and "Belum diisi" in out
    with open(tmp_path / "out.csv", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["section", "name", "reached"] and ["city", "total", "0"] in [r[:3] for r in rows]


def test_report_with_no_database_file_says_so(tmp_path: Path, capsys) -> None:
    assert main(["report", "--db", str(tmp_path / "none.sqlite3")]) == 1
    assert "no database at" in capsys.readouterr().out
    assert not (tmp_path / "none.sqlite3").exists()


def test_report_figures_kecamatan_never_given_and_csv_holds_aggregates_only(tmp_path: Path, capsys) -> None:
    _journeys(tmp_path / "bot.sqlite3").close()
    assert main(["report", "--db", str(tmp_path / "bot.sqlite3"), "--since", "2026-11-01",
                 "--csv", str(tmp_path / "r.csv")]) == 0
    out = capsys.readouterr().out
    assert "3 warga mulai, 0 aktivasi (0,00% dari yang mulai)." in out
    assert "Belum diisi" in out  # nobody was asked their kecamatan yet
    assert "Target belum dikonfirmasi Disdukcapil" in out
    text = (tmp_path / "r.csv").read_text(encoding="utf-8")
    rows = {(r[0], r[1]): r for r in csv.reader(io.StringIO(text))}
    assert rows[("milestone", "welcome")][2] == "3" and rows[("kecamatan", "unknown")][2] != "0"
    assert rows[("handoff_reason", "asked")][5] == "1"
    for personal in ("Siti", "Aminah", "5551001", "3604123456789012", "bingung"):
        assert personal not in text and personal not in out
    # A later --since leaves nothing in the period, and says so.
    assert main(["report", "--db", str(tmp_path / "bot.sqlite3"), "--since", "2027-01-01"]) == 0
    assert "Belum ada data perjalanan warga" in capsys.readouterr().out


def test_a_target_missing_from_the_region_file_is_said_not_crashed(tmp_path: Path) -> None:
    store = _journeys(tmp_path / "bot.sqlite3")
    guide = build_guide(store, locale="id")
    engine = guide.engines["id"]
    bare = replace(engine.region, targets=Targets())
    words = report.Words(guide.renderers["id"].t, engine.flow, bare)
    f = report.build(store, engine.flow, bare, None, date(2026, 12, 1))
    text = report.text_report(f, words, None, date(2026, 12, 1))
    assert "Target belum ada di file wilayah." in text and "tanpa target" in text
    assert report.three_lines(f, words)[2] == "Target belum ada di file wilayah."
    out = io.StringIO()
    report.write_csv(f, out)
    assert "city,total,3,,,1,0,," in out.getvalue()


def test_retention_unlinks_journey_rows_but_keeps_their_counts(tmp_path: Path) -> None:
    store = _journeys(tmp_path / "bot.sqlite3")
    linked = store._run("SELECT COUNT(*) FROM journey WHERE resident IS NOT NULL").fetchone()[0]
    assert linked > 0
    later = store.clock() + 31 * 86_400
    Retention(store, days=30, clock=lambda: later).purge_once()
    assert store._run("SELECT COUNT(*) FROM journey WHERE resident IS NOT NULL").fetchone()[0] == 0
    assert len(store.journey_rows()) == linked
