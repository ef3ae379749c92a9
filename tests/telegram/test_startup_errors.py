"""``teman-ikd run`` refuses to start on a bad database or a Bot API it cannot use, with one line
that names the problem and what to do (no traceback, no token), and a non-zero exit."""

from __future__ import annotations

import os
import shutil
import site
import socket
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from bot.emulator import Emulator
from bot.store import Store


def run_bot(emu_url: str, token: str, database: str, *, as_user: int | None = None,
            cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "TEMAN_IKD_TOKEN": token, "TEMAN_IKD_API_URL": emu_url, "TEMAN_IKD_DATABASE": database,
           "TEMAN_IKD_LOG_LEVEL": "INFO"}
    env.pop("TEMAN_IKD_OPERATOR_CHAT", None)
    python = sys.executable
    if as_user is not None:  # an interpreter that user may run, with this project's packages
        python = _interpreter_for(as_user)
        env["PYTHONPATH"] = os.pathsep.join([str(REPO), *site.getsitepackages()])
    return subprocess.run([python, "-m", "bot", "run"], env=env, capture_output=True, text=True, timeout=60,
                          cwd=str(cwd), user=as_user)


REPO = Path(__file__).resolve().parents[2]


def _interpreter_for(user: int) -> str:
    """This Python, or the same version elsewhere when this one lives where ``user`` cannot go."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (os.path.realpath(sys.executable), shutil.which(version, path="/usr/local/bin:/usr/bin") or ""):
        try:
            if candidate and subprocess.run([candidate, "-c", "pass"], user=user, capture_output=True,
                                            cwd="/").returncode == 0:
                return candidate
        except PermissionError:
            continue
    raise AssertionError(f"no {version} that user {user} may run: run the tests as a user other than root")


def one_line(result: subprocess.CompletedProcess, token: str) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode != 0, result.stderr
    assert len(lines) == 1 and lines[0].startswith("teman-ikd: "), result.stderr[-3000:]
    assert token not in result.stderr and token.split(":")[1] not in result.stderr
    return lines[0]


def filled_database(path: Path) -> None:
    store = Store(str(path))
    with store.transaction():
        for i in range(400):
            store.keep_update(i, {"update_id": i, "message": {"text": "halo " * 40}})
    store.close()
    with sqlite3.connect(path) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def corrupt_pages(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for page in range(3, len(data) // 4096, 2):  # scribble over every other page after the schema
        data[page * 4096 + 8: page * 4096 + 200] = b"\xff" * 192
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    with path.open("r+b") as f:
        f.truncate(path.stat().st_size // 2 + 1000)


def garbage(path: Path) -> None:
    path.write_bytes(b"not a database at all " * 500)


@pytest.mark.parametrize("damage,expect", [(corrupt_pages, "damaged"), (truncate, "damaged"),
                                           (garbage, "not a usable SQLite database")])
def test_a_damaged_database_stops_the_bot_with_one_line(tmp_path: Path, damage, expect: str) -> None:
    db = tmp_path / "bot.sqlite3"
    filled_database(db)
    damage(db)
    with Emulator() as emu:
        line = one_line(run_bot(emu.url, emu.token, str(db), cwd=tmp_path), emu.token)
        assert not emu.calls("getUpdates")  # it never started polling
    assert str(db) in line and expect in line and "backup" in line


def test_a_directory_as_database_stops_the_bot_with_one_line(tmp_path: Path) -> None:
    with Emulator() as emu:
        line = one_line(run_bot(emu.url, emu.token, str(tmp_path), cwd=tmp_path), emu.token)
    assert str(tmp_path) in line and "directory" in line


def test_a_read_only_database_stops_the_bot_with_one_line() -> None:
    # The root user may write any file, so the bot runs as an unprivileged user when the tests are root.
    with tempfile.TemporaryDirectory(dir="/tmp") as name:
        folder = Path(name)
        folder.chmod(0o777)
        db = folder / "bot.sqlite3"
        filled_database(db)
        db.chmod(0o444)
        as_user = 65534 if os.geteuid() == 0 else None
        with Emulator() as emu:
            line = one_line(run_bot(emu.url, emu.token, str(db), as_user=as_user, cwd=folder), emu.token)
    assert str(db) in line and "read-only" in line and "chmod" in line


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_revoked_token_stops_the_bot_with_one_line(tmp_path: Path) -> None:
    with Emulator() as emu:
        emu.api.revoked = True
        line = one_line(run_bot(emu.url, emu.token, str(tmp_path / "bot.sqlite3"), cwd=tmp_path), emu.token)
    assert "rejected TEMAN_IKD_TOKEN" in line and "@BotFather" in line


def test_a_wrong_api_url_stops_the_bot_with_one_line(tmp_path: Path) -> None:
    with Emulator() as emu:  # a server that is not the Bot API there: 404 for every call
        line = one_line(run_bot(emu.url + "/salah", emu.token, str(tmp_path / "bot.sqlite3"), cwd=tmp_path), emu.token)
    assert "TEMAN_IKD_API_URL" in line


def test_an_unreachable_api_stops_the_bot_with_one_line(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    line = one_line(run_bot(url, "123456:TEST-token", str(tmp_path / "bot.sqlite3"), cwd=tmp_path), "123456:TEST-token")
    assert "cannot reach the Bot API" in line and url in line
