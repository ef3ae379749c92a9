"""8. Faults survived, each end to end against the emulator with the bot as ``teman-ikd run``
builds it (long polling, SQLite in a temporary directory):

* ``outage_*``: every sendMessage carried out but answered after the bot's read timeout (the
  "timeouts" outage), for ``outage_seconds`` while residents walk their journeys; then lifted.
  ``outage_lost`` replies never seen, ``outage_duplicates`` extra copies of replies, and
  ``outage_max_copies`` the most copies of one reply any resident saw (the bar: 2).
* ``disk_full_*``: the database refuses every write that needs a page (SQLite's own SQLITE_FULL,
  by ``PRAGMA max_page_count``) while residents write; then space is freed.
  ``disk_full_lost`` messages never answered, ``disk_full_answered_twice``.
* ``poison_*``: updates python-telegram-bot cannot read, mixed with residents' messages:
  ``poison_quarantined`` of ``poison_updates``, ``poison_residents_lost``, and the getUpdates calls
  it took (``poison_getupdates``; stalled, PTB made hundreds a second).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from typing import Any

from benchmarks.harness import Walker, bot_parts, make_journey, tally, walk, workdir
from bot.emulator import Emulator, Faults, Limits
from bot.telegram.app import RunningBot

STORY = "saya sudah coba daftar ikd di hp anak saya tapi tidak bisa terus " * 40


async def outage(residents: int, turns: int, outage_seconds: float, hang_seconds: float) -> dict[str, Any]:
    plan = [make_journey(s).truncated(turns) for s in range(residents)]
    with workdir("outage") as wd, Emulator(limits=Limits(time_scale=10.0)) as emu:
        parts = bot_parts(emu, wd / "bot.sqlite3", chat_interval=0.1)
        walkers = [Walker(emu.resident(f"Warga{i}"), j) for i, j in enumerate(plan)]
        async with RunningBot(parts) as bot:
            walking = asyncio.create_task(asyncio.to_thread(walk, walkers, 120.0 + 10 * outage_seconds))
            await asyncio.sleep(0.5)
            sent_before = sum(w.next_turn for w in walkers)
            emu.faults = Faults(rate=1.0, kinds=("timeout",), hang_seconds=hang_seconds, only=("sendMessage",))
            await asyncio.sleep(outage_seconds)
            emu.faults = None
            during = sum(w.next_turn for w in walkers) - sent_before
            finished = await walking
            settled = await bot.settle(60.0)
        parts.adapter.store.close()
        lost, _ = tally(walkers)
        copies = [_copies(w) for w in walkers]
    return {"outage_lost": lost, "outage_duplicates": sum(n - 1 for c in copies for n in c.values()),
            "outage_max_copies": max((n for c in copies for n in c.values()), default=1),
            "outage_inputs": sum(len(j.turns) for j in plan), "outage_inputs_during": during,
            "outage_seconds": outage_seconds, "outage_finished": finished and settled}


def _copies(walker: Walker) -> Counter:
    """Replies the resident saw more often than the journey says: how many copies of each. (The
    calm "sebentar ya" note the bot adds when replies queue up is no reply of the journey and
    no copy of one, so it is not counted.)"""
    want = Counter(text for turn in walker.journey.turns[:walker.next_turn] for text, _ in turn.replies)
    got = Counter(m.get("text") for m in walker.resident.inbox)
    return Counter({t: n - want[t] + 1 for t, n in got.items() if t in want and n > want[t]})


async def disk_full(residents: int, full_seconds: float) -> dict[str, Any]:
    with workdir("diskfull") as wd, Emulator(limits=Limits(time_scale=10.0)) as emu:
        parts = bot_parts(emu, wd / "bot.sqlite3", chat_interval=0.1)
        store = parts.adapter.store
        people = [emu.resident(f"Warga{i}") for i in range(residents)]
        async with RunningBot(parts) as bot:
            for r in people:
                r.command("start")
            await bot.settle(60.0)
            pages = store.db._db.execute("PRAGMA page_count").fetchone()[0]
            store.db._db.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full
            for r in people:
                r.send(STORY)
            await asyncio.sleep(full_seconds)
            answered_while_full = sum(len(r.inbox) > 1 for r in people)
            store.db._db.execute("PRAGMA max_page_count = 1073741823")  # space freed
            for _ in range(3):
                await bot.settle(60.0)
                await asyncio.sleep(0.5)
            refusals = parts.adapter.outage.refusals
        store.close()
    return {"disk_full_messages": residents, "disk_full_lost": sum(len(r.inbox) < 2 for r in people),
            "disk_full_answered_twice": sum(len(r.inbox) > 2 for r in people),
            "disk_full_answered_while_full": answered_while_full, "disk_full_refusals": refusals}


def _poisons(chat: dict, user: dict) -> list[tuple[str, str]]:
    base = {"message_id": 900, "date": 1796000000, "text": "halo", "chat": chat, "from": user}
    nested = '{"message_id": 1, "date": 1796000000, "chat": {"id": 1, "type": "private"}, "reply_to_message": '
    return [("message", json.dumps({k: v for k, v in base.items() if k != "date"})),
            ("message", json.dumps({**base, "entities": [{"type": "bold"}]})),
            ("message", json.dumps({**base, "chat": 5})),
            ("message", nested * 5000 + '{"message_id": 1, "date": 1, "chat": {"id": 1, "type": "private"}}'
             + "}" * 5000)]


async def poison(rounds: int) -> dict[str, Any]:
    with workdir("poison") as wd, Emulator(limits=Limits(time_scale=10.0)) as emu:
        parts = bot_parts(emu, wd / "bot.sqlite3", chat_interval=0.1)
        people = [emu.resident(f"Warga{i}") for i in range(rounds)]
        injected = 0
        async with RunningBot(parts) as bot:
            polls = len(emu.calls("getUpdates"))
            started = time.monotonic()
            for r in people:
                for kind, text in _poisons({"id": r.chat_id, "type": "private"}, dict(r.user)):
                    emu.inject_json(kind, text)
                    injected += 1
                r.command("start")
            deadline = time.monotonic() + 60.0
            while time.monotonic() < deadline and not all(r.inbox for r in people):  # noqa: ASYNC110 -- emulator thread
                await asyncio.sleep(0.05)
            await bot.settle(60.0)
            seconds = time.monotonic() - started
            polls = len(emu.calls("getUpdates")) - polls
        quarantined = len(parts.adapter.store.inbox.quarantined())
        parts.adapter.store.close()
    return {"poison_updates": injected, "poison_quarantined": quarantined,
            "poison_residents_lost": sum(not r.inbox for r in people),
            "poison_getupdates": polls, "poison_seconds": round(seconds, 2)}


async def measure(residents: int, turns: int, outage_seconds: float, hang_seconds: float,
                  poison_rounds: int) -> dict[str, Any]:
    out = await outage(residents, turns, outage_seconds, hang_seconds)
    out.update(await disk_full(residents, 2.0))
    out.update(await poison(poison_rounds))
    return out


if __name__ == "__main__":
    print(asyncio.run(measure(8, 10, 30.0, 6.0, 5)))
