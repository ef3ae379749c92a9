"""Fixtures shared by the whole suite.

- ``guide`` / ``engine``: the real dialogs, catalogs and reader, with no database (one per test
  module, as each module used to build its own).
- ``emu`` / ``running``: the real python-telegram-bot Application against the built-in emulator on
  loopback, with a real SQLite database in the test's temp dir (end-to-end tests); ``make_parts``
  and ``make_settings`` build the same with other settings.
- ``make_mini_dialogs``: a tiny but complete dialogs/ tree for loader tests.
"""

from __future__ import annotations

import textwrap
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.assembly import build_guide
from bot.emulator import Emulator, Limits
from bot.engine import Engine
from bot.flow.model import MILESTONES
from bot.guide import Guide
from bot.store import Store
from bot.telegram.app import BotParts, RunningBot, build_application
from bot.telegram.settings import Settings, Token

TIME_SCALE = 10.0  # emulator windows 10x shorter: Telegram's limits, at test speed


@pytest.fixture(scope="module")
def guide() -> Guide:
    return build_guide(None)


@pytest.fixture(scope="module")
def engine(guide: Guide) -> Engine:
    return guide.engines["id"]


@pytest.fixture
def emu() -> Iterator[Emulator]:
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


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def make_mini_dialogs(root: Path) -> Path:
    """One state per milestone, chained welcome -> ... -> account_problems -> activated."""
    write(root / "milestones.yaml", "start: s_welcome\ntotal_steps: 8\nmilestones:\n" + "".join(
        f"  {m}: {{step: {i if i else 'null'}, title: ms.{m}}}\n" for i, m in enumerate(MILESTONES)))
    write(root / "faq.yaml", """\
        topics:
          cost: {label: faq.btn.cost, answer: [faq.cost], intents: [faq_cost]}
        """)
    chain = list(MILESTONES)
    for i, m in enumerate(chain):
        nxt = chain[i + 1] if i + 1 < len(chain) else "activated"
        write(root / "flow" / f"{m}.yaml", f"""\
            milestone: {m}
            entry: s_{m}
            states:
              s_{m}:
                say: [msg.{m}]
                buttons:
                  - {{label: btn.next, event: next}}
                intents: {{yes: next}}
                on:
                  next: s_{nxt}
            """)
    return root
