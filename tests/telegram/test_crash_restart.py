"""kill -9 the real bot process at any moment: no progress lost, no update handled twice."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bot.assembly import build_guide
from bot.emulator import Emulator, Limits
from tests.journeys import button_path


def start_bot(emu: Emulator, db: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, "TEMAN_IKD_TOKEN": emu.token, "TEMAN_IKD_API_URL": emu.url,
           "TEMAN_IKD_DATABASE": str(db), "TEMAN_IKD_PACING": "0", "TEMAN_IKD_LOG_LEVEL": "INFO"}
    env.pop("TEMAN_IKD_OPERATOR_CHAT", None)
    handle = log.open("ab")
    return subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, stdout=handle, stderr=handle,
                            cwd=str(db.parent))


def wait_for_inbox(resident, count: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(resident.inbox) >= count:
            return
        time.sleep(0.02)
    raise AssertionError(f"expected {count} messages, got {len(resident.inbox)}")


def test_kill_minus_nine_mid_journey_loses_nothing(tmp_path: Path) -> None:
    engine = build_guide(None).engines["id"]
    path = button_path(engine)[:12]
    rng = random.Random(7)
    kill_at = set(rng.sample(range(1, len(path)), 4))
    db, log = tmp_path / "bot.sqlite3", tmp_path / "bot.log"
    with Emulator(limits=Limits(time_scale=10.0)) as emu:
        siti = emu.resident("Siti")
        proc = start_bot(emu, db, log)
        try:
            siti.command("start")
            wait_for_inbox(siti, 1)
            for i, number in enumerate(path, start=1):
                labels = [label for row in siti.latest_keyboard for label in row]
                siti.press(labels[number - 1])
                if i in kill_at:
                    time.sleep(rng.uniform(0.0, 0.15))  # somewhere mid-handling, or just after
                    proc.send_signal(signal.SIGKILL)
                    proc.wait(10)
                    proc = start_bot(emu, db, log)
                wait_for_inbox(siti, i + 1)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(15)
    assert proc.returncode == 0, log.read_text()[-2000:]  # SIGTERM: a clean stop
    with sqlite3.connect(db) as con:
        state = con.execute("SELECT state FROM conversations WHERE chat_id = ?", (siti.chat_id,)).fetchone()[0]
        handled = con.execute("SELECT COUNT(*) FROM transcript WHERE chat_id = ? AND direction = 'in'",
                              (siti.chat_id,)).fetchone()[0]
        pending = con.execute("SELECT COUNT(*) FROM inbox WHERE handled_at IS NULL").fetchone()[0]
    expected = engine.step(None, _start()).conversation
    for number in path:
        expected = engine.step(expected, _press(number)).conversation
    assert state == expected.state  # every step taken, none lost, none repeated
    assert handled == len(path) + 1  # each update handled exactly once
    assert pending == 0
    # Each input got its reply; a reply may repeat only if the kill fell between send and record.
    assert len(siti.inbox) >= len(path) + 1


def _start():
    from bot.engine import Input

    return Input.commanded("start")


def _press(n: int):
    from bot.engine import Input

    return Input.pressed(n)
