"""The bot started exactly as in production, and the library used only through its public points.

``teman-ikd run`` in its own process, configured by the environment, against the emulator:
residents are answered, and a SIGTERM while residents are writing stops it cleanly (exit 0)
with nothing lost: what it had fetched is answered after the next start, each message once.
"""

from __future__ import annotations

import inspect
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import telegram

from bot.telegram.inbox import DurableUpdateQueue, InboxBot, InboxRequest
from bot.telegram.processor import PerChatUpdateProcessor
from tests.telegram.conftest import BotProcess
from tests.telegram.test_crash_restart import wait_for_inbox


def _wait_started(log: Path, times: int) -> None:
    deadline = time.monotonic() + 60
    while log.read_text().count("Application started") < times:
        assert time.monotonic() < deadline, log.read_text()[-2000:]
        time.sleep(0.05)


def _stop(proc: subprocess.Popen, log: Path) -> None:
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(20) == 0, log.read_text()[-2000:]  # a clean stop


def test_teman_ikd_run_answers_and_a_sigterm_while_residents_write_loses_nothing(
        teman_ikd_run: Callable[[int], BotProcess]) -> None:
    bot = teman_ikd_run(5)
    emu, log, residents = bot.emu, bot.log, bot.residents
    _wait_started(log, 1)
    for r in residents:
        r.send("sudah punya KTP elektronik")
    deadline = time.monotonic() + 10
    while emu.pending_updates and time.monotonic() < deadline:
        time.sleep(0.005)  # stopped as soon as the bot has taken them, mid-handling
    _stop(bot.proc, log)
    bot.start_again()
    _wait_started(log, 2)  # (a SIGTERM before that would find Python's default handler)
    for r in residents:
        wait_for_inbox(r, 2)
    time.sleep(0.5)  # anything handled twice would show up by now
    _stop(bot.proc, log)
    assert [len(r.inbox) for r in residents] == [2] * len(residents)  # each message answered once
    with sqlite3.connect(bot.db) as con:
        assert con.execute("SELECT COUNT(*) FROM inbox WHERE handled_at IS NULL").fetchone()[0] == 0
        assert con.execute("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed IS NULL").fetchone()[0] == 0
    assert "Traceback" not in log.read_text()


def test_importing_the_telegram_shell_changes_no_environment() -> None:
    code = ("import os; before = dict(os.environ); import bot.telegram, bot.telegram.app, bot.telegram.run; "
            "assert dict(os.environ) == before, set(os.environ) ^ set(before)")
    env = {k: v for k, v in os.environ.items() if k != "PTB_TIMEDELTA"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]


def test_no_private_attribute_of_python_telegram_bot_is_overridden() -> None:
    # Overriding a private method (RawUpdatesBot._post did) breaks silently on a library upgrade;
    # the subclasses override public methods and the documented hooks only.
    for cls in (InboxBot, InboxRequest, DurableUpdateQueue, PerChatUpdateProcessor):
        for name in vars(cls):
            if not name.startswith("_") or (name.startswith("__") and name.endswith("__")) or name == "_abc_impl":
                continue
            inherited = [base for base in cls.__mro__[1:] if name in vars(base)]
            where = f"{inherited[0].__module__}.{inherited[0].__name__}" if inherited else ""
            assert not inherited, f"{cls.__name__}.{name} overrides {where}.{name}"
    # The public points this relies on exist, with the signatures used.
    assert "parse_json_payload" in vars(telegram.request.BaseRequest)
    params = inspect.signature(telegram.ext.ExtBot.get_updates).parameters
    assert list(params)[:3] == ["self", "offset", "limit"]


async def test_the_update_queue_stores_each_update_once_whichever_way_it_is_put(tmp_path: Path) -> None:
    # asyncio.Queue.put happens to call put_nowait in CPython; the queue does not rely on it.
    from telegram import Update

    from bot.store import Store

    store = Store(str(tmp_path / "t.db"))
    kept: list[int] = []
    keep = store.inbox.keep_update
    def keeping(update_id, data, *where):
        kept.append(update_id)
        return keep(update_id, data, *where)
    store.inbox.keep_update = keeping  # type: ignore[method-assign]
    queue = DurableUpdateQueue(store)
    await queue.put(Update(1))
    queue.put_nowait(Update(2))
    assert kept == [1, 2] and queue.qsize() == 2
    assert [u["update_id"] for u in store.inbox.unhandled_updates()] == [1, 2]
    store.close()
