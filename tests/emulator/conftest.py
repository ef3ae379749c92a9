"""Fixtures: a started emulator (fast limits) and a real python-telegram-bot client for it."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

# The project is not necessarily installed into the venv; make ``bot`` importable from the repo.
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import pytest  # noqa: E402
import telegram  # noqa: E402

from bot.emulator import DEFAULT_TOKEN, Emulator, Limits  # noqa: E402


@pytest.fixture
def emu() -> Iterator[Emulator]:
    # Generous limits so functional tests never hit flood control; limit tests build their own.
    with Emulator(limits=Limits(global_per_second=1000, chat_burst=1000, chat_per_second=1000,
                                group_per_minute=10_000)) as e:
        yield e


@pytest.fixture
async def bot(emu: Emulator) -> AsyncIterator[telegram.Bot]:
    b = telegram.Bot(DEFAULT_TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url)
    async with b:
        yield b


@pytest.fixture
def http(emu: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{emu.url}/bot{DEFAULT_TOKEN}", timeout=10) as c:
        yield c
