"""The real ``teman-ikd run`` at DEBUG, as a process against the emulator on loopback: when
Telegram refuses the token (401: revoked) or the API URL is wrong (404), and when it registers a
webhook, neither the bot token nor the webhook secret appears in anything it writes (logs,
tracebacks, the one-line startup errors)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.emulator import Emulator

TOKEN = "987654:Rahasia-Token_abcdefghijklmnop"
SECRET = "Webhook_Secret-abcDEFghiJKLmno_pqrSTU"
HALF = TOKEN.split(":", 1)[1]


def _env(tmp_path: Path, api_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEMAN_IKD_")}
    env.update(TEMAN_IKD_TOKEN=TOKEN, TEMAN_IKD_API_URL=api_url, TEMAN_IKD_LOG_LEVEL="DEBUG",
               TEMAN_IKD_DATABASE=str(tmp_path / "bot.sqlite3"), TEMAN_IKD_PACING="0", **extra)
    return env


def _run(tmp_path: Path, env: dict[str, str], *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "run", *args], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.parametrize("failure", ["revoked", "wrong_url"])
def test_a_refused_token_at_start_never_shows_the_token(tmp_path: Path, failure: str) -> None:
    with Emulator(token=TOKEN) as emu:
        emu.api.revoked = failure == "revoked"
        url = emu.url if failure == "revoked" else emu.url + "/wrong-prefix"
        done = _run(tmp_path, _env(tmp_path, url))
        refused = emu.stats["401"]
    output = done.stdout + done.stderr
    assert done.returncode != 0 and output.strip()  # it failed, and said something about it
    if failure == "revoked":
        assert refused >= 1  # Telegram was really asked, and answered 401
    assert TOKEN not in output and HALF not in output and HALF.replace("_", "%5F") not in output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_registering_the_webhook_never_logs_its_secret(tmp_path: Path) -> None:
    port = _free_port()
    with Emulator(token=TOKEN) as emu:
        env = _env(tmp_path, emu.url, TEMAN_IKD_WEBHOOK_SECRET=SECRET)
        process = subprocess.Popen([sys.executable, "-m", "bot", "run", "--webhook", f"http://127.0.0.1:{port}/hook",
                                    "--listen", "127.0.0.1", "--port", str(port)],
                                   env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            while not emu.calls("setWebhook") and time.monotonic() < deadline and process.poll() is None:
                time.sleep(0.1)
            registered = emu.calls("setWebhook")
            time.sleep(0.5)
        finally:
            process.send_signal(signal.SIGTERM)
            stdout, stderr = process.communicate(timeout=30)
    assert registered and registered[0].get("secret_token") == SECRET  # the secret was really sent
    output = stdout + stderr
    assert "setWebhook" in output  # the DEBUG line about the call is there ...
    assert SECRET not in output and TOKEN not in output and HALF not in output  # ... without either secret
