"""The engine's parts (bot/engine/host.py): every helper a part calls through EngineHost is
implemented by the Engine or one of its parts, and those come before the protocol's stubs in
the method order, so no stub (which returns None) can answer in place of a real helper."""

from __future__ import annotations

import inspect

from bot.engine.engine import Engine
from bot.engine.host import EngineHost


def test_every_helper_the_parts_share_resolves_to_a_real_one() -> None:
    shared = [name for name, value in vars(EngineHost).items() if inspect.isfunction(value)]
    assert len(shared) >= 15
    for name in shared:
        owner = next(cls for cls in Engine.__mro__ if name in vars(cls))
        assert owner is not EngineHost, f"Engine.{name} would be EngineHost's stub"


def test_every_part_is_an_engine_host() -> None:
    parts = [cls for cls in Engine.__mro__[1:] if cls.__module__.startswith("bot.engine.")
             and cls is not EngineHost]
    assert len(parts) == 6
    assert all(EngineHost in cls.__mro__ for cls in parts)
