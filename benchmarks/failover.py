"""10. Failover: three workers (``python -m bot run``) on one PostgreSQL database, residents
walking their journeys, and one worker killed with SIGKILL every few seconds, then started again.

* long polling (``mode="polling"``): the leading worker, the one polling Telegram, is the one
  killed (it comes back as a standby);
* webhook (``mode="webhook"``): the three workers behind a load balancer (benchmarks/balancer.py)
  take Telegram's POSTs in turn; the one killed is any of them, in turn.

* ``failover_lost``: residents whose progress went backwards or vanished, or who never got a reply;
* ``failover_handled_twice``: inputs the guide handled more than once (must be 0);
* ``failover_duplicates``: messages residents saw more often than the guide sent them (a kill
  between Telegram accepting a message and the outbox recording it: at-least-once delivery);
* ``failover_longest_pause_s``: the longest stretch in which residents were waiting for replies
  and none arrived, anywhere: what a failover costs (bar: under 5 s);
* ``failover_longest_wait_s``: the longest any one resident waited for a reply, over the whole
  run. With 40 residents answering at once the bot runs at Telegram's 30 messages a second, and
  replies queue behind each other even with no worker killed (``mode``'s run with ``kills=0``
  shows how long);
* ``failover_kills``: leaders killed.

Needs a PostgreSQL server: ``TEMAN_IKD_BENCH_POSTGRES_URL`` (default the loopback ``test``
database); a schema of its own is made for the run and dropped after it.

    python -m benchmarks.failover [RESIDENTS] [KILLS] [polling|webhook]
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.balancer import Balancer
from benchmarks.city import postgres_schema
from benchmarks.harness import ROOT, Walker, make_journey, walk, workdir
from bot.emulator import Emulator, Limits

POSTGRES_URL = os.environ.get("TEMAN_IKD_BENCH_POSTGRES_URL", "postgresql://127.0.0.1:5432/test")
WORKERS = 3


def start_worker(emu: Emulator, url: str, log: Path, webhook: tuple[str, int] | None = None) -> subprocess.Popen:
    """A worker process; ``webhook``: the load balancer's URL and this worker's own port."""
    env = {**os.environ, "TEMAN_IKD_TOKEN": emu.token, "TEMAN_IKD_API_URL": emu.url,
           "TEMAN_IKD_DATABASE": url, "TEMAN_IKD_PACING": "0",
           "TEMAN_IKD_LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING")}
    env.pop("TEMAN_IKD_OPERATOR_CHAT", None)
    args = ["--webhook", webhook[0], "--port", str(webhook[1])] if webhook else []
    with log.open("ab") as handle:
        return subprocess.Popen([sys.executable, "-m", "bot", "run", *args], env=env, stdout=handle, stderr=handle,
                                cwd=str(ROOT))


def leader_pid(admin: Any, workers: list[subprocess.Popen]) -> int | None:
    """The process id of the worker that leads (its leadership connection says so by name)."""
    ours = {w.pid for w in workers}
    rows = admin.execute("SELECT application_name FROM pg_stat_activity WHERE application_name LIKE %s",
                         ("teman-ikd leader %",)).fetchall()
    pids = {int(r[0].rsplit(" ", 1)[1]) for r in rows} & ours
    return next(iter(pids)) if len(pids) == 1 else None


class PauseWatch(threading.Thread):
    """Looks every 50 ms: is any resident waiting for a reply, and did any reply arrive? The
    longest stretch of waiting with nothing arriving is the pause."""

    def __init__(self, walkers: list[Walker]):
        super().__init__(daemon=True)
        self.walkers = walkers
        self.stop = threading.Event()
        self.longest = 0.0
        self.ended = 0.0  # when the longest pause was last seen going on (wall clock)

    def run(self) -> None:
        seen, since = -1, time.monotonic()
        while not self.stop.wait(0.05):
            now = time.monotonic()
            total = sum(len(w.resident.inbox) for w in self.walkers)
            waiting = any(w.next_turn and not w.answered() for w in self.walkers)
            if total != seen or not waiting:
                seen, since = total, now
            if now - since > self.longest:
                self.longest, self.ended = now - since, time.time()


class Killer(threading.Thread):
    """Every few seconds: SIGKILL a worker (the leader with long polling; each in turn with a
    webhook), start it again."""

    def __init__(self, start: Any, logs: list[Path], workers: list[subprocess.Popen], kills: int,
                 rng: random.Random, spread: tuple[float, float], admin: Any, leader_only: bool):
        super().__init__(daemon=True)
        self.start_worker, self.logs, self.workers = start, logs, workers
        self.kills, self.rng, self.spread, self.admin = kills, rng, spread, admin
        self.leader_only = leader_only
        self.stop = threading.Event()
        self.killed = 0
        self.times: list[float] = []  # when each kill happened (wall clock, as the workers' logs)

    def run(self) -> None:
        for turn in range(self.kills):
            if self.stop.wait(self.rng.uniform(*self.spread)):
                return
            index = self._leader() if self.leader_only else turn % len(self.workers)
            if index is None:
                return
            self.workers[index].send_signal(signal.SIGKILL)
            self.workers[index].wait(10)
            self.killed += 1
            self.times.append(time.time())
            self.workers[index] = self.start_worker(index)

    def _leader(self) -> int | None:
        while not self.stop.is_set():  # (between two leaders: wait for the next)
            pid = leader_pid(self.admin, self.workers)
            index = next((i for i, w in enumerate(self.workers) if w.pid == pid), None)
            if index is not None:
                return index
            self.stop.wait(0.1)
        return None


def measure(residents: int, turns: int | None, kills: int, seed: int = 11, spread: tuple[float, float] = (3.0, 5.0),
            linger: float = 2.0, server: str = POSTGRES_URL, mode: str = "polling") -> dict[str, Any]:
    import psycopg

    rng = random.Random(seed)
    plan = [make_journey(s) for s in range(residents)]
    if turns:
        plan = [j.truncated(turns) for j in plan]
    with (postgres_schema(server, "failover") as url, psycopg.connect(server, autocommit=True) as admin,
          workdir("failover") as wd, Emulator(limits=Limits(time_scale=1.0)) as emu,
          Balancer(Balancer.ports_for(WORKERS)) as balancer):
        logs = [wd / f"worker{i}.log" for i in range(WORKERS)]

        def start(index: int) -> subprocess.Popen:
            hook = (balancer.url, balancer.ports[index]) if mode == "webhook" else None
            return start_worker(emu, url, logs[index], hook)
        workers = [start(0)]
        time.sleep(3.0)  # the first one migrates the schema and leads; the others then stand by
        workers += [start(i) for i in range(1, WORKERS)]
        time.sleep(1.0)
        walkers = [Walker(emu.resident(f"Warga{i}"), j) for i, j in enumerate(plan)]
        killer = Killer(start, logs, workers, kills, rng, spread, admin, leader_only=mode == "polling")
        watch = PauseWatch(walkers)
        watch.start()
        killer.start()
        try:
            finished = walk(walkers, timeout=60.0 + 20.0 * kills + 2.0 * max(len(j.turns) for j in plan))
            killer.stop.set()
            watch.stop.set()
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
        refused = emu.stats["429"]
        if os.environ.get("BENCH_DEBUG"):
            import shutil
            for log in logs:
                shutil.copy(log, f"/tmp/{log.name}")
            print("kills at", killer.times, "longest pause ended", watch.ended, file=sys.stderr)
            slow = sorted(walkers, key=lambda w: -w.longest_wait)[:5]
            print("slowest", [(w.resident.chat_id, round(w.longest_wait, 2), w.longest_wait_turn)
                              for w in slow], file=sys.stderr)
        errors = sum(1 for log in logs for line in log.read_text(errors="replace").splitlines()
                     if " ERROR " in line or line.startswith("Traceback"))
    lost_residents, duplicates, twice = 0, 0, 0
    details: list[dict[str, Any]] = []
    for w in walkers:
        lost, dup = w.tally()
        duplicates += dup
        if lost or states.get(w.resident.chat_id) != w.journey.final_state or not w.done:
            lost_residents += 1
            details.append({"resident": w.resident.chat_id, "lost": lost, "state": states.get(w.resident.chat_id),
                            "expected": w.journey.final_state, "done": w.done, "turn": w.next_turn,
                            "seen": [m.get("text", "")[:40] for m in w.resident.inbox][-6:]})
        twice += max(0, handled.get(w.resident.chat_id, 0) - w.next_turn)
    return {
        "failover_mode": mode,
        "failover_lost": lost_residents,
        "failover_handled_twice": twice,
        "failover_duplicates": duplicates,
        "failover_longest_pause_s": round(watch.longest, 2),
        "failover_longest_wait_s": round(max(w.longest_wait for w in walkers), 2),
        "failover_kills": killer.killed,
        "failover_429": refused,  # Telegram's "too many requests", all workers together
        "failover_workers": WORKERS,
        "failover_residents": residents,
        "failover_turns": sum(len(j.turns) for j in plan),
        "failover_finished": finished,
        "failover_log_errors": errors,
        "failover_lost_detail": details,
    }


if __name__ == "__main__":
    import json

    numbers = [int(a) for a in sys.argv[1:3]]
    print(json.dumps(measure(numbers[0] if numbers else 8, None, numbers[1] if len(numbers) > 1 else 6,
                             mode=sys.argv[3] if len(sys.argv) > 3 else "polling"), indent=1))
