"""``teman-ikd run`` itself (a separate process, long polling) under the faults the emulator can
bring from outside: poison updates, sends that are carried out but never answered, getChatMember
failing. No resident's message is lost, none is answered more than twice, the process keeps going.
(The full disk is shown in-process, tests/telegram/test_faults_storage.py: SQLite's page limit is
set per connection.)"""

from __future__ import annotations

import json
import signal
import time
from collections import Counter
from pathlib import Path

from bot.emulator import Emulator, Faults, Limits
from tests.telegram.test_crash_restart import start_bot, wait_for_inbox


def test_the_running_bot_loses_nothing_under_faults(tmp_path: Path) -> None:
    db, log = tmp_path / "bot.sqlite3", tmp_path / "bot.log"
    with Emulator(limits=Limits(time_scale=10.0)) as emu:
        residents = [emu.resident(f"Warga{i}") for i in range(4)]
        proc = start_bot(emu, db, log)
        try:
            for r in residents:
                r.command("start")
            for r in residents:
                wait_for_inbox(r, 1)
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
            alive = proc.poll() is None
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(15)
    assert alive, log.read_text()[-2000:]
    for r in residents:
        copies = Counter(m["text"] for m in r.inbox)
        assert len(copies) == 3 and max(copies.values()) <= 2, copies  # none lost, at most one duplicate
    text = log.read_text()
    assert text.count("quarantined and skipped") == 2 and "Traceback" not in text
