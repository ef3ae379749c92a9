"""Concurrent across chats, strictly in order within one chat (a PTB update processor).

Within one process. Several workers on one PostgreSQL database also take turns per chat in the
database (the adapter's unit of work locks the chat: bot/store/inbox.py ``lock_chat``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def chat_key(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates of different chats run concurrently; one chat's updates run one at a time.

    asyncio.Lock wakes waiters first-in first-out and PTB starts one task per update in the order
    they arrive, so a resident's messages are handled in the order they sent them.
    """

    def __init__(self, max_concurrent_updates: int = 256, done: Callable[[object], None] | None = None):
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}
        self._done = done  # told when an update's handling ended (the durable queue's bookkeeping)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await self._in_turn(update, coroutine)
        finally:
            if self._done is not None:
                self._done(update)

    async def _in_turn(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key]
                del self._locks[key]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
