"""4. Limits: a backlog of messages to many residents against the emulator enforcing Telegram's
limits (time-scaled), while a few residents keep talking to the guide.

* ``rate_limit_utilization``: messages delivered per second while the backlog drains, as a share
  of the global limit (30/s, times the time scale);
* ``lost_messages``: backlog and interactive messages that never arrived;
* ``interactive_p50_ms`` / ``interactive_p95_ms``: how long a talking resident waited for each
  reply while the backlog drained, next to ``backlog_drain_s`` (replies must not queue behind it).
"""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks.harness import bot_parts, make_journey, scaled_rate_limiter, workdir
from bot.emulator import Emulator, Limits
from bot.telegram.app import RunningBot


def _watch_sends(emu: Emulator, target: int, stop: threading.Event, out: dict[str, float]) -> None:
    start = emu.stats["sends"]
    while not stop.is_set():
        now, sent = time.perf_counter(), emu.stats["sends"]
        if sent > start and "first" not in out:
            out["first"], out["first_count"] = now, sent
        if sent >= start + target:
            out["last"], out["last_count"] = now, sent
            return
        time.sleep(0.002)


def _talk(residents, journeys, turns: int, stop: threading.Event) -> list[float]:
    """Each talking resident takes ``turns`` turns, waiting for each reply; latencies in seconds."""
    latencies: list[float] = []
    pending: dict[int, tuple[int, float, int]] = {}  # resident index -> (turn, sent at, inbox count)
    next_turn = [0] * len(residents)
    while not stop.is_set():
        for i, (resident, journey) in enumerate(zip(residents, journeys, strict=True)):
            if i in pending:
                turn, at, count = pending[i]
                if len(resident.inbox) >= count + len(journey.turns[turn].replies):
                    latencies.append(time.perf_counter() - at)
                    del pending[i]
                continue
            if next_turn[i] >= min(turns, len(journey.turns)):
                continue
            turn = journey.turns[next_turn[i]]
            count = len(resident.inbox)
            resident.send_media(turn.value) if turn.kind == "media" else resident.send(turn.value)
            pending[i] = (next_turn[i], time.perf_counter(), count)
            next_turn[i] += 1
        if not pending and all(n >= min(turns, len(j.turns)) for n, j in zip(next_turn, journeys, strict=True)):
            break
        time.sleep(0.002)
    return latencies


DAYTIME = datetime(2026, 11, 3, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta")).timestamp()  # a Tuesday


async def measure(backlog: int, talkers: int, turns: int, time_scale: float) -> dict[str, Any]:
    journeys = [make_journey(seed) for seed in range(talkers)]
    with workdir("limits") as wd, Emulator(limits=Limits(time_scale=time_scale)) as emu:
        parts = bot_parts(emu, wd / "bot.sqlite3", chat_interval=1.0 / time_scale, pacing=1.0 / time_scale,
                          rate_limiter=scaled_rate_limiter(time_scale))
        store = parts.adapter.store
        # Reminders go out by day only (never at night or on a holiday): the run is put on a
        # weekday morning in Serang, whatever the time here, with time passing as it does.
        offset = DAYTIME - time.time()
        store.clock = lambda: time.time() + offset
        bulk = [emu.resident(f"Warga{i}") for i in range(backlog)]
        talking = [emu.resident(f"Penanya{i}") for i in range(talkers)]
        async with RunningBot(parts) as bot:
            stop, window = threading.Event(), {}
            # The backlog: residents who went quiet a day ago all get their reminder at once,
            # through the bot's own reminder sweep (Guide.send_due_reminders: the schedule's
            # first reminder, queued in the outbox as bulk items behind interactive replies).
            guide = parts.adapter.guide
            conv = guide.engines["id"].start()
            for r in bulk:
                store.save(r.chat_id, conv, locale="id", milestone="welcome", remind_at=store.clock() - 1)
            reminders_sent = guide.send_due_reminders(limit=backlog)
            watcher = threading.Thread(target=_watch_sends, args=(emu, backlog, stop, window), daemon=True)
            watcher.start()
            started = time.perf_counter()
            parts.delivery.wake()
            await asyncio.sleep(0.2 / time_scale)
            latencies = await asyncio.to_thread(_talk, talking, journeys, turns, stop)
            settled = await bot.settle(120.0)
            drained = time.perf_counter() - started
            stop.set()
            watcher.join(5)
        store.close()
        lost = sum(1 for r in bulk if len(r.inbox) < 1)
        lost += sum(max(0, sum(len(t.replies) for t in j.turns[:turns]) - len(r.inbox))
                    for r, j in zip(talking, journeys, strict=True))
        rate = 0.0
        if "last" in window and window["last"] > window["first"]:
            rate = (window["last_count"] - window["first_count"]) / (window["last"] - window["first"])
        limit = 30 * time_scale
    return {
        "rate_limit_utilization": round(rate / limit, 3),
        "delivered_per_s": round(rate, 1),
        "global_limit_per_s": limit,
        "time_scale": time_scale,
        "lost_messages": lost,
        "backlog": backlog,
        "reminders_sent": reminders_sent,
        "backlog_drain_s": round(window.get("last", drained + started) - started, 2),
        "interactive_p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "interactive_p95_ms": round(_p95(latencies) * 1000, 1) if latencies else None,
        "interactive_turns": len(latencies),
        "emulator_429": emu.stats["429"],
        "settled": settled,
    }


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


if __name__ == "__main__":
    print(asyncio.run(measure(300, 5, 6, 4.0)))
