"""Several workers, one bot (issue 15): two bot processes' worth of parts in this test process,
each with its own connection to one PostgreSQL database, against one emulator.

- exactly one of them leads (polls Telegram, runs the periodic work); when it stops, the other
  takes over and the resident is answered as before;
- an update another worker took in (answered Telegram's webhook) and never handled, because it
  died, is handled before the chat's next one, or by the leader's sweep when none comes;
- two workers handling one resident's first messages at once open one forum topic, not two.

Killing worker processes with SIGKILL is in test_several_worker_processes.py and in the
failover benchmark (benchmarks/failover.py)."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Update

from bot.emulator import Emulator, Limits
from bot.store import Store
from bot.telegram.app import BotParts, RunningBot, Webhook, build_bot
from bot.telegram.leader import SWEEP_EVERY
from tests.conftest import TIME_SCALE, make_parts, make_settings
from tests.telegram.test_e2e_journey import labels, say
from tests.telegram.test_limits_and_webhook import _free_port


def taken_in_elsewhere(emu: Emulator, resident: Any, text: str) -> dict[str, Any]:
    """The update of ``resident`` writing ``text`` as Telegram would send it, with an update id
    of its own, but given to no worker by the emulator: the test hands it to one."""
    world = emu.world
    with world.lock:
        message = world.api_message(world.add_message(resident.chat, dict(resident.user), {"text": text}, None))
        update_id = world.next_update_id
        world.next_update_id += 1  # later updates come after it
    return {"update_id": update_id, "message": message}


def hand_over(parts: BotParts, update: dict[str, Any], *, handle: bool) -> None:
    """As this worker's webhook does: stored before the 200; then handled (``handle``), or not,
    as when the worker dies right after answering."""
    obj = Update.de_json(update, parts.application.bot)
    assert obj is not None
    if handle:
        parts.queue.store_or_refuse(obj)
    else:
        parts.queue._persist(obj)


def webhook(port: int) -> Webhook:
    return Webhook("127.0.0.1", port, "hook", f"http://127.0.0.1:{port}/hook", "rahasia-bersama")


async def test_one_worker_leads_and_the_other_takes_over_when_it_stops(postgres_url: str) -> None:
    with Emulator(limits=Limits(time_scale=TIME_SCALE)) as emu:
        first, second = make_parts(emu, postgres_url), make_parts(emu, postgres_url)
        siti = emu.resident("Siti")
        async with RunningBot(first) as bot_one, RunningBot(second) as bot_two:
            assert first.leadership.leading and not second.leadership.leading
            assert second.application.updater is not None and not second.application.updater.running
            await say(bot_one, lambda: siti.command("start"))
            await say(bot_one, lambda: siti.press(labels(siti)[0]))
            await bot_one.__aexit__(None, None, None)  # the leader stops
            for _ in range(100):
                if second.leadership.leading:
                    break
                await asyncio.sleep(0.05)
            assert second.leadership.leading  # within seconds
            seen = len(siti.inbox)
            await say(bot_two, lambda: siti.press(labels(siti)[0]))
            assert len(siti.inbox) == seen + 1  # answered, once
            state = second.adapter.store.residents.load(siti.chat_id).conversation.state
            assert state not in ("welcome_hello", None)
        for parts in (first, second):
            parts.adapter.store.close()


async def test_an_update_a_dead_worker_took_in_comes_before_the_chats_next_one(postgres_url: str) -> None:
    with Emulator(limits=Limits(time_scale=TIME_SCALE)) as emu:
        leader, other = make_parts(emu, postgres_url), make_parts(emu, postgres_url)
        siti = emu.resident("Siti")
        async with RunningBot(leader) as bot, RunningBot(other):
            # Siti's /start reached the other worker, which stored it, answered 200 and died.
            hand_over(other, taken_in_elsewhere(emu, siti, "/start"), handle=False)
            # Her next message reaches the leader: /start is handled first, then this one.
            await say(bot, lambda: siti.send("sdh pak"))
            transcript = [line["text"] for line in leader.adapter.store.transcripts.of(siti.chat_id)
                          if line["direction"] == "in"]
            assert transcript[:2] == ["/start", "sdh pak"]
            assert "Teman IKD" in siti.inbox[0]["text"]  # the greeting came first
            assert leader.adapter.store.inbox.unhandled_updates() == []
        for parts in (leader, other):
            parts.adapter.store.close()


async def test_the_leader_handles_what_a_dead_worker_left_when_nothing_follows(postgres_url: str) -> None:
    with Emulator(limits=Limits(time_scale=TIME_SCALE)) as emu:
        leader, other = make_parts(emu, postgres_url), make_parts(emu, postgres_url)
        budi = emu.resident("Budi")
        async with RunningBot(leader) as bot:
            async with RunningBot(other):
                hand_over(other, taken_in_elsewhere(emu, budi, "/start"), handle=False)
                await asyncio.sleep(SWEEP_EVERY * 4)
                assert budi.inbox == []  # a live worker's update is its own: not taken from it
            # The other worker is gone (its connections closed, as when it is killed).
            await asyncio.sleep(SWEEP_EVERY * 4)
            assert await bot.settle(15.0)
            assert len(budi.inbox) == 1 and "Teman IKD" in budi.inbox[0]["text"]
        for parts in (leader, other):
            parts.adapter.store.close()


async def test_two_workers_handling_one_residents_first_messages_open_one_topic(postgres_url: str) -> None:
    with Emulator(limits=Limits(time_scale=TIME_SCALE)) as emu:
        group = emu.forum_group()
        one, two = (build_bot(make_settings(emu, postgres_url, operator_chat=group.chat_id), Store(postgres_url),
                              chat_interval=1.0 / TIME_SCALE) for _ in range(2))
        siti = emu.resident("Siti")
        async with RunningBot(one, webhook=webhook(_free_port())) as bot_one, \
                RunningBot(two, webhook=webhook(_free_port())) as bot_two:
            hand_over(one, taken_in_elsewhere(emu, siti, "/start"), handle=True)
            assert await bot_one.settle(15.0)
            # Two messages asking for a person, taken in by the two workers at the same moment.
            hand_over(one, taken_in_elsewhere(emu, siti, "/bantuan"), handle=True)
            hand_over(two, taken_in_elsewhere(emu, siti, "tolong sambungkan ke petugas"), handle=True)
            assert await bot_one.settle(15.0) and await bot_two.settle(15.0)
            await asyncio.sleep(0.5)
            assert await bot_one.settle(15.0) and await bot_two.settle(15.0)
            assert emu.stats["topics_created"] == 1
            store = one.adapter.store
            assert store.tickets.topic_for(siti.chat_id) is not None
            texts = [m.get("text", "") for m in group.inbox]
            assert sum("tolong sambungkan ke petugas" in t for t in texts) == 1  # relayed once, in the topic
        for parts in (one, two):
            parts.adapter.store.close()


async def test_a_message_another_worker_queued_is_sent_after_this_ones_connection_dropped(postgres_url: str) -> None:
    """The delivery's regular look at the outbox (what other workers queued, and a dead one left)
    reads the database: a look that fails, the server having dropped the connection, is tried
    again a moment later instead of ending the look for good."""
    import psycopg

    from bot import outbox

    with Emulator(limits=Limits(time_scale=TIME_SCALE)) as emu:
        leader, standby = make_parts(emu, postgres_url), make_parts(emu, postgres_url)
        siti = emu.resident("Siti")
        bot = await RunningBot(leader).__aenter__()
        async with RunningBot(standby) as standing_by:
            assert leader.leadership.leading and not standby.leadership.leading
            await say(bot, lambda: siti.command("start"))
            # The standby uses its store's connection for nothing but that look: cut it.
            pid = standby.adapter.store.db.execute("SELECT pg_backend_pid()").fetchone()[0]
            with psycopg.connect(postgres_url, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            # Waiting for it to settle meets the cut too (the outbox is counted in the database).
            assert await standing_by.settle(5.0)
            await asyncio.sleep(standby.delivery.idle_poll * 1.5)  # a look meets the cut
            await bot.__aexit__(None, None, None)
            # The leader has stopped; another worker queues a message and dies before sending it.
            gone = Store(postgres_url)
            with gone.transaction():
                outbox.put(gone.outbox, siti.chat_id, outbox.Text("Pesan yang tertunda."))
            gone.close()
            for _ in range(200):
                if siti.inbox[-1].get("text") == "Pesan yang tertunda.":
                    break
                await asyncio.sleep(0.05)
            assert siti.inbox[-1].get("text") == "Pesan yang tertunda."  # sent by the standby
        for parts in (leader, standby):
            parts.adapter.store.close()
