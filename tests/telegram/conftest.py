"""Fixtures of the Telegram shell's tests: the PostgreSQL ones of the store's tests (for several
workers on one database), ``teman-ikd run`` started as in production, and DEBUG logs captured."""

from __future__ import annotations

import io
import logging
import signal
import subprocess
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.emulator import Emulator, Limits
from bot.emulator.people import Resident
from bot.telegram.logs import configure_logging
from tests.store.conftest import postgres_server, postgres_url
from tests.telegram.test_crash_restart import start_bot, wait_for_inbox

__all__ = ["BotProcess", "debug_logs", "postgres_server", "postgres_url", "teman_ikd_run"]


@dataclass
class BotProcess:
    """``teman-ikd run`` in its own process against the emulator, and its residents."""

    emu: Emulator
    db: Path
    log: Path
    residents: list[Resident]
    proc: subprocess.Popen

    def start_again(self) -> None:
        self.proc = start_bot(self.emu, self.db, self.log)

    def stop(self) -> None:
        """SIGTERM, as a service manager stops it; killed if it does not stop."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@pytest.fixture
def teman_ikd_run(tmp_path: Path) -> Iterator[Callable[[int], BotProcess]]:
    """Starts ``teman-ikd run`` as in production (environment, long polling, SQLite in tmp_path)
    against an emulator at 10× time, with that many residents who sent /start and were answered;
    stopped afterwards, whatever the test did."""
    started: list[BotProcess] = []
    with ExitStack() as stack:

        def start(residents: int) -> BotProcess:
            emu = stack.enter_context(Emulator(limits=Limits(time_scale=10.0)))
            people = [emu.resident(f"Warga{i}") for i in range(residents)]
            db, log = tmp_path / "bot.sqlite3", tmp_path / "bot.log"
            started.append(BotProcess(emu, db, log, people, start_bot(emu, db, log)))
            for r in people:
                r.command("start")
            for r in people:
                wait_for_inbox(r, 1)
            return started[-1]

        try:
            yield start
        finally:
            for bot in started:
                bot.stop()


@pytest.fixture
def debug_logs(emu: Emulator) -> Iterator[io.StringIO]:
    """The whole log at DEBUG, as ``teman-ikd run`` writes it (the token hidden), into a string;
    the root logger is put back as it was afterwards."""
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        configure_logging("DEBUG", emu.token, stream)
        yield stream
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
