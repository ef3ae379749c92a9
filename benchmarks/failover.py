"""10. Failover: three workers (``python -m bot run``, long polling) on one PostgreSQL database,
residents walking their journeys, and the leading worker (the one polling Telegram) killed with
SIGKILL every few seconds, then started again (it comes back as a standby).

* ``failover_lost``: residents whose progress went backwards or vanished, or who never got a reply;
* ``failover_handled_twice``: inputs the guide handled more than once (must be 0);
* ``failover_duplicates``: messages residents saw more often than the guide sent them (a kill
  between Telegram accepting a message and the outbox recording it: at-least-once delivery);
* ``failover_longest_wait_s``: the longest any resident waited for a reply, over the whole run:
  a reply held up by a failover waits for the next leader (bar: under 5 s);
* ``failover_kills``: leaders killed.

Needs a PostgreSQL server: ``TEMAN_IKD_BENCH_POSTGRES_URL`` (default the loopback ``test``
database); a schema of its own is made for the run and dropped after it.

    python -m benchmarks.failover [RESIDENTS] [KILLS]
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import ROOT, Walker, make_journey, walk, workdir
from bot.emulator import Emulator, Limits
from bot.telegram.leader import LEADER_LOCK

POSTGRES_URL = os.environ.get("TEMAN_IKD_BENCH_POSTGRES_URL", "postgresql://127.0.0.1:5432/test")
WORKERS = 3


def schema_url(base: str, schema: str) -> str:
    return f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"


def start_worker(emu: Emulator, url: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "TEMAN_IKD_TOKEN": emu.token, "TEMAN_IKD_API_URL": emu.url,
           "TEMAN_IKD_DATABASE": url, "TEMAN_IKD_PACING": "0", "TEMAN_IKD_LOG_LEVEL": "WARNING"}
    env.pop("TEMAN_IKD_OPERATOR_CHAT", None)
    with log.open("ab") as handle:
        return subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, stdout=handle, stderr=handle,
                                cwd=str(ROOT))


def leader_pid(admin: Any) -> int | None:
    """The process id of the worker holding the lead (its connection's application_name says it)."""
    row = admin.execute("SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                        "WHERE l.locktype = 'advisory' AND l.classid = 0 AND l.objid = %s AND l.granted",
                        (LEADER_LOCK,)).fetchone()
    return int(row[0].rsplit(" ", 1)[1]) if row else None


class Killer(threading.Thread):
    """Every few seconds: SIGKILL the leading worker, start it again."""

    def __init__(self, emu: Emulator, url: str, logs: list[Path], workers: list[subprocess.Popen], kills: int,
                 rng: random.Random, spread: tuple[float, float], admin: Any):
        super().__init__(daemon=True)
        self.emu, self.url, self.logs, self.workers = emu, url, logs, workers
        self.kills, self.rng, self.spread, self.admin = kills, rng, spread, admin
        self.stop = threading.Event()
        self.killed = 0

    def run(self) -> None:
        for _ in range(self.kills):
            if self.stop.wait(self.rng.uniform(*self.spread)):
                return
            index = None
            while index is None and not self.stop.is_set():  # (between two leaders: wait for the next)
                pid = leader_pid(self.admin)
                index = next((i for i, w in enumerate(self.workers) if w.pid == pid), None)
                if index is None:
                    self.stop.wait(0.1)
            if index is None:
                return
            self.workers[index].send_signal(signal.SIGKILL)
            self.workers[index].wait(10)
            self.killed += 1
            self.workers[index] = start_worker(self.emu, self.url, self.logs[index])


def measure(residents: int, turns: int | None, kills: int, seed: int = 11, spread: tuple[float, float] = (3.0, 5.0),
            linger: float = 2.0, server: str = POSTGRES_URL) -> dict[str, Any]:
    import psycopg

    rng = random.Random(seed)
    plan = [make_journey(s) for s in range(residents)]
    if turns:
        plan = [j.truncated(turns) for j in plan]
    schema = f"teman_failover_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
        url = schema_url(server, schema)
        try:
            with workdir("failover") as wd, Emulator(limits=Limits(time_scale=1.0)) as emu:
                logs = [wd / f"worker{i}.log" for i in range(WORKERS)]
                workers = [start_worker(emu, url, logs[0])]
                time.sleep(3.0)  # the first one migrates the schema and leads; the others then stand by
                workers += [start_worker(emu, url, log) for log in logs[1:]]
                walkers = [Walker(emu.resident(f"Warga{i}"), j) for i, j in enumerate(plan)]
                killer = Killer(emu, url, logs, workers, kills, rng, spread, admin)
                killer.start()
                try:
                    finished = walk(walkers, timeout=60.0 + 20.0 * kills + 2.0 * max(len(j.turns) for j in plan))
                    killer.stop.set()
                    killer.join(30)
                    time.sleep(linger)  # a last duplicate, if any, arrives now
                finally:
                    killer.stop.set()
                    for w in workers:
                        w.send_signal(signal.SIGTERM)
                    for w in workers:
                        try:
                            w.wait(20)
                        except subprocess.TimeoutExpired:
                            w.kill()
                with psycopg.connect(url) as con:
                    states = dict(con.execute("SELECT chat_id, state FROM conversations").fetchall())
                    handled = dict(con.execute("SELECT chat_id, COUNT(*) FROM transcript WHERE direction = 'in' "
                                               "GROUP BY chat_id").fetchall())
                errors = sum(1 for log in logs for line in log.read_text(errors="replace").splitlines()
                             if " ERROR " in line or line.startswith("Traceback"))
        finally:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")
    lost_residents, duplicates, twice = 0, 0, 0
    for w in walkers:
        lost, dup = w.tally()
        duplicates += dup
        if lost or states.get(w.resident.chat_id) != w.journey.final_state or not w.done:
            lost_residents += 1
        twice += max(0, handled.get(w.resident.chat_id, 0) - w.next_turn)
    return {
        "failover_lost": lost_residents,
        "failover_handled_twice": twice,
        "failover_duplicates": duplicates,
        "failover_longest_wait_s": round(max(w.longest_wait for w in walkers), 2),
        "failover_kills": killer.killed,
        "failover_workers": WORKERS,
        "failover_residents": residents,
        "failover_turns": sum(len(j.turns) for j in plan),
        "failover_finished": finished,
        "failover_log_errors": errors,
    }


if __name__ == "__main__":
    import json

    args = [int(a) for a in sys.argv[1:]]
    print(json.dumps(measure(args[0] if args else 8, None, args[1] if len(args) > 1 else 6), indent=1))
