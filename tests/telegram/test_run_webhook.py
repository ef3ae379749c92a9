"""``teman-ikd run --webhook`` (its own process): residents are answered, and six callers without
the secret who announce 90 MB bodies are refused before a byte of them is read (the issue saw
memory go from 65 to 694 MB); SIGTERM stops it cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bot.emulator import Emulator, Limits
from tests.telegram.test_crash_restart import wait_for_inbox
from tests.telegram.test_limits_and_webhook import _free_port


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def flood(port: int, megabytes: int) -> tuple[int, str]:
    """POST with a wrong secret, announcing ``megabytes`` and sending as much as the server takes:
    (megabytes it took, the status line)."""
    head = (f"POST /hook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"X-Telegram-Bot-Api-Secret-Token: salah\r\nContent-Length: {megabytes * 1024 * 1024}\r\n\r\n").encode()
    chunk = b"7" * (1024 * 1024)
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=5.0) as s:
        s.sendall(head)
        try:
            for _ in range(megabytes):
                s.sendall(chunk)
                sent += 1
        except OSError:
            pass  # refused and closed: the rest is never read
        try:
            return sent, s.recv(100).decode(errors="replace").split("\r\n")[0]
        except OSError:
            return sent, ""


def test_the_webhook_process_answers_residents_and_refuses_big_unsigned_calls_unread(tmp_path: Path) -> None:
    port = _free_port()
    with Emulator(limits=Limits(time_scale=10.0)) as emu:
        env = {**os.environ, "TEMAN_IKD_TOKEN": emu.token, "TEMAN_IKD_API_URL": emu.url,
               "TEMAN_IKD_DATABASE": str(tmp_path / "bot.sqlite3"), "TEMAN_IKD_PACING": "0"}
        env.pop("TEMAN_IKD_OPERATOR_CHAT", None)
        with (tmp_path / "bot.log").open("wb") as log:
            proc = subprocess.Popen([sys.executable, "-m", "bot", "run", "--webhook", f"http://127.0.0.1:{port}/hook",
                                     "--port", str(port)], env=env, stdout=log, stderr=log, cwd=str(tmp_path))
        try:
            siti = emu.resident("Siti")
            siti.command("start")
            wait_for_inbox(siti, 1)
            before = peak_rss_mb(proc.pid)
            floods = [flood(port, 90) for _ in range(6)]
            time.sleep(0.5)
            grown = peak_rss_mb(proc.pid) - before
            siti.send("halo")
            wait_for_inbox(siti, 2)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(15)
    assert proc.returncode == 0, (tmp_path / "bot.log").read_text()[-2000:]
    assert all(answer == "" or " 403 " in answer for _, answer in floods), floods
    assert all(taken < 16 for taken, _ in floods), floods  # (socket buffers take a few MB)
    assert grown < 20, f"peak memory grew by {grown:.0f} MB"
