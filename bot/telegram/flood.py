"""Notice a resident who sends many messages within a few seconds, and answer once, calmly.

A worried resident may tap and type a burst of messages ("halo", "halo?", "pak", "tolong")
before the first reply arrives; Telegram lets us send only about one message a second to them.
Every message is still handled by the guide (nothing is dropped: help is heard, secrets are
deleted, the transcript is complete); this module only decides when a burst deserves one calm
"sebentar ya", and only once per burst. Per-chat state is a few timestamps, so a flood in one
chat costs other residents nothing. ``FloodWatch`` is pure (the clock is passed in);
``FloodReply`` is the two-line hook the Telegram adapter calls after each private message.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot import outbox
from bot.engine import texts

if TYPE_CHECKING:
    from bot.guide import Guide


@dataclass
class _Chat:
    times: deque[float] = field(default_factory=deque)
    noted_at: float | None = None  # when this burst got its "sebentar ya"


class FloodWatch:
    """``arrived(chat, now)`` is True exactly once per burst: on the message that makes it one."""

    def __init__(self, messages: int = 5, within: float = 4.0, forget_after: float = 60.0):
        self.messages = messages  # this many messages ...
        self.within = within  # ... within this many seconds make a burst
        self.forget_after = forget_after  # a quiet chat is forgotten (bounded memory)
        self._chats: dict[int, _Chat] = {}
        self._last_sweep = 0.0

    def arrived(self, chat_id: int, now: float) -> bool:
        self._sweep(now)
        chat = self._chats.setdefault(chat_id, _Chat())
        if chat.times and now - chat.times[-1] > self.within:
            chat.times.clear()  # a quiet gap ends the burst; the next one may be noted again
            chat.noted_at = None
        chat.times.append(now)
        while now - chat.times[0] > self.within:
            chat.times.popleft()
        if chat.noted_at is None and len(chat.times) >= self.messages:
            chat.noted_at = now
            return True
        return False

    def forget(self, chat_id: int) -> None:
        self._chats.pop(chat_id, None)

    def tracked(self) -> int:
        return len(self._chats)

    def _sweep(self, now: float) -> None:
        if now - self._last_sweep < self.forget_after:
            return
        self._last_sweep = now
        for chat_id in [c for c, s in self._chats.items() if not s.times or now - s.times[-1] > self.forget_after]:
            del self._chats[chat_id]


class FloodReply:
    """The shell side: after the guide handled a message, queue the calm reply if it is due."""

    def __init__(self, guide: Guide, watch: FloodWatch | None = None, clock: Callable[[], float] = time.monotonic):
        self.guide = guide
        self.watch = watch or FloodWatch()
        self.clock = clock

    def after(self, chat_id: int) -> bool:
        # A message counts toward a burst only if earlier replies are still on their way: the
        # resident is typing ahead of us. A quick helper who waits for each reply is no flood.
        # The in-memory count first; the outbox is asked only when a burst would be noted.
        if not self.watch.arrived(chat_id, self.clock()):
            return False
        if self.guide.store.count_pending_for(chat_id) <= 1:
            self.watch.forget(chat_id)  # not behind: no burst after all, start counting afresh
            return False
        stored = self.guide.store.load(chat_id)
        locale = stored.locale if stored and stored.locale in self.guide.renderers else self.guide.default_locale
        text = self.guide.renderers[locale].t.text(texts.FLOOD)
        # Through the outbox like every reply: in order, paced, retried, never lost.
        outbox.put(self.guide.store, chat_id, outbox.Text(text))
        return True
