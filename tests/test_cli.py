"""The teman-ikd command line as QA scripts and people use it: chat, simulate, check, diagram."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from bot.assembly import build_guide
from tests.journeys import button_path

CLI = [sys.executable, "-m", "bot"]


def run(args: list[str], stdin: str = "", env: dict | None = None,
        cwd: str | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(CLI + args, input=stdin, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})}, cwd=cwd)


def simulate(lines: list[dict], *extra: str) -> list[dict]:
    result = run(["simulate", *extra], "".join(json.dumps(x) + "\n" for x in lines))
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == len(lines)  # exactly one line out per input, nothing else on stdout
    return out


def test_simulate_protocol_and_whole_journey_by_buttons() -> None:
    engine = build_guide(None).engines["id"]
    path = button_path(engine)
    out = simulate([{"text": "/start"}] + [{"button": n} for n in path])
    first = out[0]
    assert set(first) == {"replies", "state", "milestone", "handoff", "understood", "input_deleted"}
    assert first["replies"][0]["buttons"] and "Teman IKD" in first["replies"][0]["text"]
    assert out[-1]["milestone"] == "activated"
    assert all(o["understood"] and not o["handoff"] for o in out)


def test_simulate_media_secrets_handoff_and_bad_lines() -> None:
    result = run(["simulate"], "\n".join([
        json.dumps({"text": "/start"}),
        json.dumps({"media": "voice"}),
        json.dumps({"text": "nik saya 3673041234560001"}),
        "this is not json",
        json.dumps({"button": 1, "text": "both"}),
        json.dumps({"text": "mau bicara dengan petugas"}),
        json.dumps({"text": "halo", "chat": 2}),
    ]) + "\n")
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 7
    assert out[1]["understood"] is False and out[1]["replies"]
    assert out[2]["input_deleted"] is True and "3673041234560001" not in json.dumps(out[2])
    assert "error" in out[3] and "error" in out[4]
    assert out[5]["handoff"] is True
    assert out[6]["handoff"] is False and out[6]["state"] == out[0]["state"]  # another resident


def test_simulate_db_resumes_after_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "sim.sqlite3")
    first = simulate([{"text": "/start"}, {"button": 1}], "--db", db)
    again = simulate([{"text": "/ulangi"}], "--db", db)
    assert again[0]["state"] == first[-1]["state"]


def test_chat_reads_lines_numbers_buttons_and_exits_at_eof() -> None:
    result = run(["chat"], "/start\n1\nsdh\n/bantuan\n")
    assert result.returncode == 0, result.stderr
    assert "[1]" in result.stdout and "Teman IKD" in result.stdout
    assert result.stdout.rstrip().splitlines()[-1]  # a goodbye line at end of input


def test_chat_has_no_desk_so_asking_for_a_person_gives_the_office_contacts() -> None:
    # No operators listen to the terminal: a queue number there would be a promise nobody keeps.
    result = run(["chat"], "/start\n/bantuan\n")
    assert result.returncode == 0, result.stderr
    answer = result.stdout.split("/bantuan")[-1] if "/bantuan" in result.stdout else result.stdout
    assert "Nomor antrean" not in result.stdout
    assert "belum ada petugas" in answer and "call center" in answer.lower()


def test_check_passes_on_shipped_content() -> None:
    result = run(["check"])
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_fails_on_broken_content(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    dialogs = shutil.copytree(root / "dialogs", tmp_path / "dialogs")
    locales = shutil.copytree(root / "locales", tmp_path / "locales")
    flow_file = next((dialogs / "flow").glob("face_check.yaml"))
    flow_file.write_text(flow_file.read_text().replace("face_take", "face_takee", 1))
    po = locales / "en" / "LC_MESSAGES" / "teman_ikd.po"
    text = po.read_text()
    po.write_text(text.replace('msgid "btn.person"\nmsgstr "', 'msgid "btn.person"\nmsgstr "" #', 1))
    result = run(["check"], env={"TEMAN_IKD_DIALOGS": str(dialogs), "TEMAN_IKD_LOCALES": str(locales)})
    assert result.returncode == 1
    assert "face_check.yaml" in result.stdout


def test_check_measures_plain_language(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    dialogs = shutil.copytree(root / "dialogs", tmp_path / "dialogs")
    locales = shutil.copytree(root / "locales", tmp_path / "locales")
    po = locales / "id" / "LC_MESSAGES" / "teman_ikd.po"
    from babel.messages.pofile import read_po, write_po

    with po.open("rb") as handle:
        catalog = read_po(handle, locale="id")
    flow_msgid = next(m.id for m in catalog if m.id and str(m.id).startswith("face."))
    catalog[flow_msgid].string = ("Silakan kamu lakukan verifikasi lalu upload foto " + "dan " * 30 + "selesai.")
    with po.open("wb") as handle:
        write_po(handle, catalog)
    result = run(["check"], env={"TEMAN_IKD_DIALOGS": str(dialogs), "TEMAN_IKD_LOCALES": str(locales)})
    assert result.returncode == 1
    for fragment in ("sentence of", "disrespectful form 'kamu'", "jargon 'verifikasi'", "jargon 'upload'"):
        assert fragment in result.stdout, result.stdout


def test_diagram_mermaid() -> None:
    result = run(["diagram"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("---") or "stateDiagram" in result.stdout
    engine = build_guide(None).engines["id"]
    assert engine.flow.start in result.stdout


def test_simulate_plays_both_sides_of_a_handoff() -> None:
    out = simulate([
        {"text": "/start"}, {"button": 1},
        {"text": "mau bicara dengan petugas"},
        {"text": "kodenya ga masuk2"},
        {"operator": "take"},
        {"operator": "say", "text": "Halo, sudah cek folder Spam?"},
        {"operator": "finish"},
        {"operator": "finish"},
        {"button": 1},
    ])
    step = out[1]["state"]
    assert out[2]["handoff"] and out[3]["handoff"]
    # The guide stays silent; the queue answers the waiting resident once, with their place or the hours.
    assert [r["buttons"] for r in out[3]["replies"]] == [["↩️ Kembali ke panduan"]]
    assert "teruskan ke petugas" in out[3]["replies"][0]["text"]
    assert "Simulasi" in out[4]["replies"][0]["text"]
    assert "folder Spam" in out[5]["replies"][0]["text"]
    assert not out[6]["handoff"] and out[6]["state"] == step and out[6]["replies"]
    assert "error" in out[7]  # no open ticket any more
    assert out[8]["understood"] and not out[8]["handoff"]


def test_demo_lets_one_person_play_resident_and_operator() -> None:
    script = "/start\n1\n/bantuan\nhalo pak\n>Halo Bu, saya Rina\n>// warga-lansia-sabar\n>/selesai\n"
    result = run(["demo"], script)
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "Teman IKD" in out and "[1]" in out
    assert "[grup petugas]" in out and "halo pak" in out  # the resident's words reached the topic
    assert "Halo Bu, saya Rina" in out  # the operator's reply reached the resident
    assert "warga-lansia-sabar" not in out  # an internal note reaches nobody
    assert out.rstrip().splitlines()[-1]  # shut down cleanly at end of input


def test_demo_shows_the_card_buttons_and_the_operator_can_tap_them() -> None:
    result = run(["demo"], "/start\n1\n/bantuan\n>#1\n>// pendengaran kurang\n>/selesai\n#1\n")
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "[>#1] ✋ Ambil" in out and "Selesai" in out and "Tutup" in out
    assert "Petugas Rina sudah bergabung" in out  # the tap took the ticket
    assert "Catatan disimpan" in out  # a // note is confirmed to the operator
    assert "[#1] 👍 Membantu" in out and "Terima kasih atas penilaiannya" in out  # the resident rates with "#1"
