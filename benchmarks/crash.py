"""5. Crash: the bot as a subprocess (``python -m bot run``) driving residents through their
journeys, SIGKILLed at random moments several times and restarted each time.

* ``crash_lost``: residents whose progress went backwards or vanished, or who never got a reply;
* ``duplicates_after_crash``: messages residents saw more often than the guide sent them (a kill
  between Telegram accepting a message and the outbox recording it: at-least-once delivery);
* ``crash_handled_twice``: inputs the guide handled more than once (must be 0).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import ROOT, Walker, make_journey, walk, workdir
from bot.emulator import Emulator, Limits


def start_bot(emu: Emulator, db: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, "TEMAN_IKD_TOKEN": emu.token, "TEMAN_IKD_API_URL": emu.url,
           "TEMAN_IKD_DATABASE": str(db), "TEMAN_IKD_PACING": "0", "TEMAN_IKD_LOG_LEVEL": "WARNING"}
    env.pop("TEMAN_IKD_OPERATOR_CHAT", None)
    with log.open("ab") as handle:
        return subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, stdout=handle, stderr=handle,
                                cwd=str(ROOT))


def _killer(emu: Emulator, db: Path, log: Path, holder: list, kills: int, rng: random.Random,
            stop: threading.Event, spread: tuple[float, float]) -> None:
    for _ in range(kills):
        if stop.wait(rng.uniform(*spread)):
            return
        proc = holder[0]
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        holder[0] = start_bot(emu, db, log)
        holder.append("killed")


def measure(residents: int, turns: int | None, kills: int, seed: int = 7,
            spread: tuple[float, float] = (1.5, 4.0), linger: float = 1.5) -> dict[str, Any]:
    rng = random.Random(seed)
    plan = [make_journey(s) for s in range(residents)]
    if turns:
        plan = [j.truncated(turns) for j in plan]
    with workdir("crash") as wd, Emulator(limits=Limits(time_scale=1.0)) as emu:
        db, log = wd / "bot.sqlite3", wd / "bot.log"
        walkers = [Walker(emu.resident(f"Warga{i}"), j) for i, j in enumerate(plan)]
        holder: list = [start_bot(emu, db, log)]
        stop = threading.Event()
        killer = threading.Thread(target=_killer, args=(emu, db, log, holder, kills, rng, stop, spread), daemon=True)
        killer.start()
        try:
            finished = walk(walkers, timeout=60.0 + 20.0 * kills + 2.0 * max(len(j.turns) for j in plan))
            stop.set()
            killer.join(30)
            time.sleep(linger)  # a last duplicate, if any, arrives now
        finally:
            stop.set()
            holder[0].send_signal(signal.SIGTERM)
            try:
                holder[0].wait(20)
            except subprocess.TimeoutExpired:
                holder[0].kill()
        with sqlite3.connect(db) as con:
            rows = dict(con.execute("SELECT chat_id, state FROM conversations").fetchall())
            handled = dict(con.execute("SELECT chat_id, COUNT(*) FROM transcript WHERE direction = 'in' "
                                       "GROUP BY chat_id").fetchall())
        lost_residents, duplicates, twice = 0, 0, 0
        details: list[dict[str, Any]] = []
        for w in walkers:
            lost, dup = w.tally()
            duplicates += dup
            state = rows.get(w.resident.chat_id)
            if lost or state != w.journey.final_state or not w.done:
                lost_residents += 1
                details.append({"resident": w.resident.chat_id, "lost": lost, "state": state,
                                "expected": w.journey.final_state, "done": w.done})
                if os.environ.get("BENCH_DEBUG"):
                    with sqlite3.connect(db) as con:
                        print([t.value for t in w.journey.turns])
                        print(con.execute("SELECT kind, text, state FROM transcript WHERE chat_id = ? ORDER BY id",
                                          (w.resident.chat_id,)).fetchall())
                        print([m.get("text", "")[:30] for m in w.resident.inbox])
            twice += max(0, handled.get(w.resident.chat_id, 0) - w.next_turn)
        errors = sum(1 for line in log.read_text(errors="replace").splitlines() if " ERROR " in line
                     or line.startswith("Traceback"))
    return {
        "crash_lost": lost_residents,
        "duplicates_after_crash": duplicates,
        "crash_handled_twice": twice,
        "crash_kills": holder.count("killed"),
        "crash_residents": residents,
        "crash_turns": sum(len(j.turns) for j in plan),
        "crash_finished": finished,
        "crash_log_errors": errors,
        "crash_lost_detail": details,
    }


if __name__ == "__main__":
    print(measure(3, 10, 2))
