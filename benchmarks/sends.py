"""3. Telegram budget: Bot API sends per resident turn over whole journeys (1.0 is the floor).

The real bot on long polling over loopback, production pacing between a reply's messages, residents
who wait for each reply before the next tap. Every Bot API call is counted: message sends (what
``sends_per_turn`` reports) and the rest (chat actions, deletions, callback answers).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from benchmarks.harness import Walker, bot_parts, make_journey, tally, walk_with_bot, workdir
from bot.emulator import Emulator, Limits

SETUP = {"getMe", "getUpdates", "setMyCommands", "deleteWebhook", "getWebhookInfo", "close", "logOut"}


async def measure(residents: int, time_scale: float = 20.0) -> dict[str, Any]:
    plan = [make_journey(seed) for seed in range(residents)]
    with workdir("sends") as wd, Emulator(limits=Limits(time_scale=time_scale)) as emu:
        parts = bot_parts(emu, wd / "bot.sqlite3", chat_interval=1.0 / time_scale, pacing=1.0 / time_scale)
        walkers = [Walker(emu.resident(f"Warga{i}"), journey) for i, journey in enumerate(plan)]
        finished = await walk_with_bot(parts, walkers, timeout=120.0)
        parts.adapter.store.close()
        calls = Counter(method for method, _ in emu.requests if method not in SETUP)
    turns = sum(len(j.turns) for j in plan)
    sends = sum(n for m, n in calls.items() if m.startswith("send") and m != "sendChatAction")
    lost, dup = tally(walkers)
    return {
        "sends_per_turn": round(sends / turns, 3),
        "api_calls_per_turn": round(sum(calls.values()) / turns, 3),
        "journey_turns": turns,
        "journeys_finished": finished,
        "journey_calls": dict(calls),
        "journey_lost": lost,
        "journey_duplicated": dup,
    }


if __name__ == "__main__":
    print(asyncio.run(measure(3)))
