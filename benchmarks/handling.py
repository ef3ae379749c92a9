"""1. Handling cost: CPU time per update of the real bot, the floor and the peer, side by side.

* floor: a bare python-telegram-bot Application that answers each update with the same replies and
  keyboards as the guide (looked up, no logic, no storage);
* peer: what a PTB user would write: a ConversationHandler with one state per turn of the same
  journeys, kept in PicklePersistence (in memory, flushed every 60 s: not durable per update);
* bot: the real Application from bot.telegram.app (durable inbox, guide, SQLite, outbox, delivery),
  deployed with its operators' desk: a forum group where /bantuan opens a ticket (a topic and a
  card, a photo sent just before passed along) and going back to the guide closes it. The
  group's messages are the bot's extra work: they count in its CPU time, not in the rounds.

All three get the same updates (whole journeys: buttons, typed answers, media, /bantuan and back)
through their update queue and answer residents with the same replies, through an httpx transport
that calls the emulator in-process; the emulator's own CPU time is subtracted. Residents move in
rounds: everyone's next turn is queued once everyone's previous replies were delivered, as people
wait for an answer. Operators do not answer here (the desk's relays are measured by the tests).
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from telegram import ReplyKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PicklePersistence,
    TypeHandler,
    filters,
)

from benchmarks.harness import (
    EmulatorTransport,
    Journey,
    ServerClock,
    bot_parts,
    in_process_request,
    make_journey,
    scaled_rate_limiter,
    workdir,
)
from bot.emulator import Emulator, Limits
from bot.telegram.app import shutdown, startup

Replies = dict[int, deque]


def journeys(count: int) -> list[Journey]:
    """What handling measures: four journeys, repeated, worked out with the operators' desk on."""
    return [make_journey(seed % 4, desk=True) for seed in range(count)]


def prepare_updates(emu: Emulator, plan: list[Journey]) -> tuple[list[list[dict[str, Any]]], Replies, int]:
    """Residents in the emulator and their updates, by round; the replies each chat expects."""
    residents = [emu.resident(f"Warga{i}") for i in range(len(plan))]
    rounds: list[list[dict[str, Any]]] = []
    replies: Replies = {}
    for resident, journey in zip(residents, plan, strict=True):
        replies[resident.chat_id] = deque(turn.replies for turn in journey.turns)
        for index, turn in enumerate(journey.turns):
            message = resident.send_media(turn.value) if turn.kind == "media" else resident.send(turn.value)
            while len(rounds) <= index:
                rounds.append([])
            rounds[index].append({"message": message})
    with emu.world.lock:
        emu.world.updates.clear()
    update_id = 1
    for batch in rounds:
        for update in batch:
            update["update_id"] = update_id
            update_id += 1
    return rounds, replies, update_id - 1


def _markup(rows) -> ReplyKeyboardMarkup | None:
    return ReplyKeyboardMarkup([list(r) for r in rows], resize_keyboard=True, is_persistent=True) if rows else None


def floor_app(transport: EmulatorTransport, emu: Emulator, replies: Replies, workdir_: Path) -> Application:
    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat.id
        for text, rows in replies[chat].popleft():
            await context.bot.send_message(chat, text, reply_markup=_markup(rows))

    app = (ApplicationBuilder().token(emu.token).base_url(emu.base_url)
           .request(in_process_request(transport)).get_updates_request(in_process_request(transport))
           .updater(None).build())
    app.add_handler(TypeHandler(Update, answer))
    return app


def peer_app(transport: EmulatorTransport, emu: Emulator, replies: Replies, workdir_: Path, length: int) -> Application:
    def state(number: int) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[int]]:
        async def step(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
            chat = update.effective_chat.id
            for text, rows in replies[chat].popleft():
                await context.bot.send_message(chat, text, reply_markup=_markup(rows))
            return number + 1

        return step

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        flow = ConversationHandler(
            entry_points=[CommandHandler("start", state(0))],
            states={n: [MessageHandler(filters.ALL, state(n))] for n in range(1, length + 1)},
            fallbacks=[], name="journey", persistent=True)
        flow.states[0] = [MessageHandler(filters.ALL, state(0))]
    persistence = PicklePersistence(workdir_ / "peer.pickle")
    app = (ApplicationBuilder().token(emu.token).base_url(emu.base_url)
           .request(in_process_request(transport)).get_updates_request(in_process_request(transport))
           .persistence(persistence).updater(None).build())
    app.add_handler(flow)
    return app


def _turns_by_round(replies: Replies, rounds) -> list[list[Any]]:
    """The replies each round is answered with (read before the apps consume the queues)."""
    snapshot = {chat: list(q) for chat, q in replies.items()}
    return [[_Replies(snapshot[u["message"]["chat"]["id"]][i]) for u in batch] for i, batch in enumerate(rounds)]


class _Replies:
    def __init__(self, replies) -> None:
        self.replies = replies


async def _drive(app: Application, transport: EmulatorTransport, rounds, replies: Replies,
                 before: Callable[[], Awaitable[None]] | None = None,
                 after: Callable[[], Awaitable[None]] | None = None,
                 drained: Callable[[], Awaitable[None]] | None = None) -> tuple[float, int, float]:
    """Queue round after round; returns (cpu seconds of the app, updates, wall seconds).
    ``drained``: awaited after the last round, inside the measurement (the bot's outbox holds
    the operators' group's messages, which no resident waits for)."""
    await app.initialize()
    if before:
        await before()
    await app.start()
    per_round = [sum(len(t.replies) for t in batch_turns) for batch_turns in _turns_by_round(replies, rounds)]
    sent = transport.sends
    count = 0
    server_before = transport.server_cpu
    # Each contender starts from a clean heap: no one pays for collecting another's garbage.
    gc.collect()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for batch, n_replies in zip(rounds, per_round, strict=True):
        sent += n_replies
        done = transport.expect_sends(sent)
        for data in batch:
            # As getUpdates does in production, the bot keeps the JSON it parsed (bot/telegram/inbox.py).
            if hasattr(app.bot, "raw_updates"):
                app.bot.raw_updates.remember(data)
            await app.update_queue.put(Update.de_json(data, app.bot))
            count += 1
        await asyncio.wait_for(done.wait(), timeout=120)
    if drained:
        await drained()
    cpu = time.process_time() - cpu0 - (transport.server_cpu - server_before)
    wall = time.perf_counter() - wall0
    await app.stop()
    if after:
        await after()
    await app.shutdown()
    return cpu, count, wall


async def measure_one(kind: str, plan: list[Journey], db: Path | str | None = None) -> dict[str, Any]:
    """One run of one contender on fresh residents; CPU microseconds per update and counts.
    ``db``: the bot's database, a path or URL (for growth: one already holding many
    conversations). ``server_cpu_us``: what a PostgreSQL server spent for the bot (0 on SQLite)."""
    with workdir(kind) as wd, Emulator(limits=Limits(enabled=False)) as emu:
        # Journeys worked out with a desk are run with the operators' forum group configured.
        operators = emu.forum_group() if plan[0].desk else None
        rounds, replies, _ = prepare_updates(emu, plan)
        transport = EmulatorTransport(emu)
        server_us = 0.0
        if kind == "floor":
            app = floor_app(transport, emu, replies, wd)
            cpu, n, wall = await _drive(app, transport, rounds, replies)
        elif kind == "peer":
            app = peer_app(transport, emu, replies, wd, max(len(j.turns) for j in plan))
            cpu, n, wall = await _drive(app, transport, rounds, replies)
        else:
            # The product's rate limiter stays in the path; its clock is sped up so that it
            # never makes the bot wait (waiting is not CPU, and the limits are measured in 4.).
            parts = bot_parts(emu, db or wd / "bot.sqlite3", request=in_process_request(transport),
                              rate_limiter=scaled_rate_limiter(1000.0),
                              operator_chat=operators.chat_id if operators else None)

            server = ServerClock(parts.adapter.store)

            async def start() -> None:
                await startup(parts)
                server.start()

            async def stop() -> None:
                await shutdown(parts)

            async def drained() -> None:
                if not await parts.delivery.idle(timeout=60):
                    raise RuntimeError("the bot's outbox did not drain")
                server.stop()

            cpu, n, wall = await _drive(parts.application, transport, rounds, replies, start, stop, drained)
            parts.adapter.store.close()
            server_us = server.seconds / n * 1e6
        return {"cpu_us": cpu / n * 1e6, "server_cpu_us": server_us, "updates": n, "wall_s": wall,
                "sends": transport.sends, "calls": dict(transport.calls)}


async def measure(plan: list[Journey], repeats: int) -> dict[str, Any]:
    """Floor, bot and peer interleaved ``repeats`` times; the median of each is reported."""
    runs: dict[str, list[dict[str, Any]]] = {"floor": [], "bot": [], "peer": []}
    for _ in range(repeats):
        for kind in ("floor", "bot", "peer"):
            runs[kind].append(await measure_one(kind, plan))
    med = {k: statistics.median(r["cpu_us"] for r in v) for k, v in runs.items()}
    return {
        "floor_cpu_us": round(med["floor"], 1),
        "bot_cpu_us": round(med["bot"], 1),
        "peer_cpu_us": round(med["peer"], 1),
        "ratio_vs_floor": round(med["bot"] / med["floor"], 3),
        "peer_ratio_vs_floor": round(med["peer"] / med["floor"], 3),
        "handling_updates_per_run": runs["bot"][0]["updates"],
        "handling_repeats": repeats,
        "handling_bot_calls": runs["bot"][-1]["calls"],
    }
