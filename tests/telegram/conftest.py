"""Fixtures for end-to-end tests: the real PTB Application against the emulator on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.assembly import build_guide
from bot.emulator import Emulator, Limits
from bot.store import Store
from bot.telegram.app import BotParts, RunningBot, build_application
from bot.telegram.settings import Settings, Token

TIME_SCALE = 10.0  # emulator windows 10x shorter: Telegram's limits, at test speed


@pytest.fixture
def emu() -> Emulator:
    with Emulator(limits=Limits(time_scale=TIME_SCALE)) as emulator:
        yield emulator


def make_settings(emu: Emulator, db: Path, **overrides) -> Settings:
    values = dict(token=Token(emu.token), api_url=emu.url, database=str(db), pacing=0.0)
    values.update(overrides)
    return Settings(**values)


def make_parts(emu: Emulator, db: Path, **overrides) -> BotParts:
    settings = make_settings(emu, db, **overrides)
    guide = build_guide(Store(settings.database), locale="id", outbox=True,
                        handoff_available=True)
    return build_application(settings, guide, chat_interval=1.0 / TIME_SCALE)


@pytest.fixture
async def running(emu: Emulator, tmp_path: Path) -> AsyncIterator[RunningBot]:
    parts = make_parts(emu, tmp_path / "bot.sqlite3")
    async with RunningBot(parts) as bot:
        yield bot
    parts.adapter.store.close()
