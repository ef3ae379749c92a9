"""``teman-ikd run`` itself (a separate process, long polling) under faults brought from outside:
poison updates, sends carried out but never answered, and a full disk. No resident's message is
lost, none is answered more than twice, the process keeps going."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bot.emulator import Emulator, Faults, Limits
from tests.telegram.conftest import BotProcess
from tests.telegram.test_crash_restart import wait_for_inbox
from tests.telegram.test_faults_storage import STORY


def test_the_running_bot_loses_nothing_under_faults(teman_ikd_run: Callable[[int], BotProcess]) -> None:
    bot = teman_ikd_run(4)
    emu, residents = bot.emu, bot.residents
    # Poison updates between the residents' messages.
    chat = {"id": residents[0].chat_id, "type": "private"}
    emu.inject_json("message", json.dumps({"message_id": 1, "text": "x", "chat": chat}))
    emu.inject_json("message", '{"message_id": 1, "date": 1, "chat": ' + json.dumps(chat)
                    + ', "reply_to_message": ' + '{"message_id": 1, "date": 1, "chat": {"id": 1, "type": '
                    '"private"}, "reply_to_message": ' * 5000 + "{}" + "}" * 5001)
    # Every send is carried out but its connection dropped, for two seconds.
    emu.faults = Faults(rate=1.0, kinds=("drop",), only=("sendMessage",))
    for r in residents:
        r.send("halo")
    time.sleep(2.0)
    emu.faults = None
    for r in residents:
        wait_for_inbox(r, 2)
        r.send("terima kasih")
    for r in residents:
        wait_for_inbox(r, 3)
    time.sleep(1.0)
    assert bot.proc.poll() is None, bot.log.read_text()[-2000:]
    for r in residents:
        copies = Counter(m["text"] for m in r.inbox)
        assert len(copies) == 3 and max(copies.values()) <= 2, copies  # none lost, at most one duplicate
    text = bot.log.read_text()
    assert text.count("quarantined and skipped") == 2 and "Traceback" not in text


def test_the_running_bot_loses_nothing_while_its_disk_is_full(tmp_path: Path) -> None:
    # The disk fills up for real as far as the bot's process can tell: its file-size limit
    # (RLIMIT_FSIZE, set from outside with prlimit, no root needed) is lowered to the size its
    # database files have now, so every write past their end fails in the kernel, as on a full
    # disk; raising it again is the space being freed.
    db = tmp_path / "bot.sqlite3"
    with Emulator(limits=Limits(time_scale=10.0)) as emu:
        env = {**os.environ, "TEMAN_IKD_TOKEN": emu.token, "TEMAN_IKD_API_URL": emu.url,
               "TEMAN_IKD_DATABASE": str(db), "TEMAN_IKD_PACING": "0", "TEMAN_IKD_LOG_LEVEL": "INFO"}
        env.pop("TEMAN_IKD_OPERATOR_CHAT", None)
        # The log goes to a pipe: a file would be limited too.
        proc = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True, cwd=str(tmp_path))
        lines: list[str] = []
        threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True).start()
        residents = [emu.resident(f"Warga{i}") for i in range(5)]
        try:
            for r in residents:
                r.command("start")
            for r in residents:
                wait_for_inbox(r, 1)
            time.sleep(0.5)
            full = max(p.stat().st_size for p in tmp_path.iterdir() if p.name.startswith(db.name))
            resource.prlimit(proc.pid, resource.RLIMIT_FSIZE, (full, resource.RLIM_INFINITY))
            for r in residents:
                r.send(STORY)
            time.sleep(3.0)
            while_full = [len(r.inbox) for r in residents]
            unconfirmed = len(emu.pending_updates)
            resource.prlimit(proc.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
            for r in residents:
                wait_for_inbox(r, 2)
            time.sleep(1.0)
            alive = proc.poll() is None
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(15)
    log = "".join(lines)
    assert alive, log[-2000:]
    assert while_full == [1] * 5 and unconfirmed == 5, log[-2000:]  # nobody answered, nothing confirmed
    assert [len(r.inbox) for r in residents] == [2] * 5  # each answered once, after
    assert "Traceback" not in log and log.count("the database refused to write") == 1
