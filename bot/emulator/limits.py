"""Telegram-like flood limits: configuration (:class:`Limits`) and bookkeeping (:class:`RateLimiter`).

Boundary: time arithmetic only. The caller says "a send into chat X of type T happens now";
the limiter either records it or raises the 429 :class:`ApiError` Telegram would answer,
with ``retry_after`` = the real wait the emulator needs, in whole seconds (>= 1).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from .errors import too_many


@dataclass(frozen=True)
class Limits:
    """Flood limits. ``time_scale=10`` makes every window 10x shorter, so tests run fast."""

    global_per_second: int = 30
    chat_per_second: float = 1.0  # private chats: token bucket refill rate...
    chat_burst: int = 3  # ...and bucket size
    group_per_minute: int = 20  # groups/supergroups, all topics together
    time_scale: float = 1.0
    enabled: bool = True


class RateLimiter:
    """Sliding windows (global, per group) and token buckets (per private chat)."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic):
        self.limits = limits
        self._clock = clock
        self._lock = threading.Lock()
        self._global: deque[float] = deque()
        self._groups: dict[int, deque[float]] = {}
        self._buckets: dict[int, tuple[float, float]] = {}  # chat -> (tokens, last refill)

    def _window(self, seconds: float) -> float:
        return seconds / max(self.limits.time_scale, 1e-9)

    @staticmethod
    def _prune(q: deque[float], now: float, window: float) -> None:
        while q and q[0] <= now - window:
            q.popleft()

    def hit(self, chat_id: int | None, chat_type: str | None) -> None:
        """Record one counted request, or raise 429 without recording it."""
        if not self.limits.enabled:
            return
        lim = self.limits
        with self._lock:
            now = self._clock()
            waits: list[float] = []
            g_window = self._window(1.0)
            self._prune(self._global, now, g_window)
            if len(self._global) >= lim.global_per_second:
                waits.append(self._global[0] + g_window - now)

            group_q = None
            if chat_id is not None and chat_type in ("group", "supergroup"):
                m_window = self._window(60.0)
                group_q = self._groups.setdefault(chat_id, deque())
                self._prune(group_q, now, m_window)
                if len(group_q) >= lim.group_per_minute:
                    waits.append(group_q[0] + m_window - now)

            bucket = None
            if chat_id is not None and chat_type == "private":
                rate = lim.chat_per_second * lim.time_scale
                tokens, last = self._buckets.get(chat_id, (float(lim.chat_burst), now))
                tokens = min(float(lim.chat_burst), tokens + (now - last) * rate)
                if tokens < 1.0:
                    waits.append((1.0 - tokens) / rate)
                bucket = tokens

            if waits:
                raise too_many(max(1, math.ceil(max(waits))))
            self._global.append(now)
            if group_q is not None:
                group_q.append(now)
            if bucket is not None and chat_id is not None:
                self._buckets[chat_id] = (bucket - 1.0, now)
