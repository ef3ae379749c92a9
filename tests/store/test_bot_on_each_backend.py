"""The whole bot (PTB Application, group commit, savepoints, delivery, desk) on each backend:
a resident's journey by buttons to the end, then a person asked for, and a restart that finds
everything where it was."""

from __future__ import annotations

from bot.emulator import Emulator, Limits
from bot.store import Store
from bot.telegram.app import RunningBot
from tests.conftest import TIME_SCALE, make_parts
from tests.journeys import button_path
from tests.telegram.test_e2e_journey import labels, say


async def test_a_journey_and_a_handoff_then_a_restart(url: str) -> None:
    with Emulator(limits=Limits(time_scale=TIME_SCALE)) as emu:
        group = emu.forum_group()
        parts = make_parts(emu, url, operator_chat=group.chat_id)  # type: ignore[arg-type]
        siti = emu.resident("Siti")
        async with RunningBot(parts) as bot:
            engine = parts.adapter.guide.engines["id"]
            await say(bot, lambda: siti.command("start"))
            for number in button_path(engine):
                await say(bot, lambda n=number: siti.press(labels(siti)[n - 1]))
            await say(bot, lambda: siti.command("bantuan"))
            store = parts.adapter.store
            ticket = store.tickets.active_for(siti.chat_id)
            assert ticket is not None and ticket.status == "open"
            seen = len(siti.inbox)
        store.close()
        again = Store(url)
        try:
            stored = again.residents.load(siti.chat_id)
            assert stored.conversation.handoff  # waiting for a person
            assert again.outbox.count_pending() == 0 and again.inbox.unhandled_updates() == []
            assert again.journey.has(siti.chat_id, "activated")
            assert again.tickets.active_for(siti.chat_id) == ticket
            assert len(siti.inbox) == seen  # nothing was sent twice
        finally:
            again.close()


async def test_the_bot_answers_after_postgresql_drops_its_connection(postgres_url: str) -> None:
    """Lost mid-run: the server ends the bot's connection; the bot connects again, and the
    resident's messages are all answered, none twice."""
    import psycopg

    with Emulator(limits=Limits(time_scale=TIME_SCALE)) as emu:
        parts = make_parts(emu, postgres_url)  # type: ignore[arg-type]
        siti = emu.resident("Siti")
        async with RunningBot(parts) as bot:
            await say(bot, lambda: siti.command("start"))
            pid = parts.adapter.store.db.execute("SELECT pg_backend_pid()").fetchone()[0]
            with psycopg.connect(postgres_url, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            before = len(siti.inbox)
            await say(bot, lambda: siti.press(labels(siti)[0]))
            assert len(siti.inbox) == before + 1
            assert parts.adapter.store.residents.load(siti.chat_id).conversation.state != "welcome_hello"
        parts.adapter.store.close()
