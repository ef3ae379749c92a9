"""What every measurement shares: journeys, the in-process Bot API transport, the bot under test,
residents driven over the emulator, an error counter and the machine description.

Boundary: no figures are computed here; each measurement module (handling, growth, sends, limits,
crash, faults, bad_input) uses these pieces and returns its own keys.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import platform
import random
import sqlite3
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python benchmarks/run.py` puts benchmarks/ first, not the root
    sys.path.insert(0, str(ROOT))

from bot.assembly import build_guide, load_lexicon  # noqa: E402
from bot.emulator import ApiError, Emulator  # noqa: E402
from bot.engine import Input  # noqa: E402
from bot.guide import Guide  # noqa: E402
from bot.store import Store  # noqa: E402
from tests.journeys import button_path, typed_answer  # noqa: E402


# ----- journeys ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Turn:
    """One thing a resident does, and the messages the guide answers with (text, keyboard rows)."""

    kind: str  # "text" (typed, a button label or a command) or "media"
    value: str
    replies: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]


@dataclass(frozen=True)
class Journey:
    turns: tuple[Turn, ...]
    final_state: str
    desk: bool = False  # worked out with an operators' desk: /bantuan opens a ticket

    def truncated(self, n: int) -> Journey:
        return Journey(self.turns[:n], expected_state(self, n), self.desk)


_GUIDES: dict[bool, Guide] = {}


def offline_guide(desk: bool = False) -> Guide:
    """One guide over an in-memory store, to work out journeys and expected replies. Without
    ``desk`` (as `teman-ikd run` without TEMAN_IKD_OPERATOR_CHAT) /bantuan answers with the
    offices' contacts; with it, /bantuan opens a ticket and the resident waits for a person."""
    if desk not in _GUIDES:
        _GUIDES[desk] = build_guide(Store(":memory:"), locale="id", handoff_available=desk)
    return _GUIDES[desk]


@functools.cache
def make_journey(seed: int, desk: bool = False) -> Journey:
    """A whole journey to 'activated': mostly button presses, some typed answers, media,
    a /bantuan escalation and back, /ulangi. Replies are what the real guide says."""
    guide = offline_guide(desk)
    engine = guide.engines["id"]
    lexicon, _ = load_lexicon("id")
    rng = random.Random(seed)
    turns: list[Turn] = []
    chat_id = 10_000 + seed
    guide.store.erase_resident(chat_id)

    def act(kind: str, value: str) -> list[str]:
        inp = Input.sent(value) if kind == "media" else (
            Input.commanded(*_split_command(value)) if value.startswith("/") else Input.typed(value))
        reply = guide.handle(chat_id, inp)
        turns.append(Turn(kind, value, tuple((m.text, tuple(tuple(r) for r in m.rows)) for m in reply.messages)))
        return [label for m in reply.messages[-1:] for row in m.rows for label in row]

    labels = act("text", "/start")
    path = button_path(engine)
    for number in path:
        conv = guide.store.residents.load(chat_id).conversation
        roll = rng.random()
        if roll < 0.06:
            labels = act("media", rng.choice(("sticker", "photo", "voice")))
        elif roll < 0.10:
            labels = act("text", "/bantuan")  # a person is asked for (a ticket, or the offices' contacts)
            if guide.store.residents.load(chat_id).conversation.handoff:  # waiting for a person
                labels = act("text", _label_for(guide, chat_id, "panduan"))  # back to the guide
        elif roll < 0.13:
            labels = act("text", "/ulangi")
        if rng.random() < 0.2:
            typed = typed_answer(engine, lexicon, conv, number, labels[number - 1])
            labels = act("text", typed)
            if guide.store.residents.load(chat_id).conversation.state != conv.state:
                continue
            if guide.store.residents.load(chat_id).conversation.overlay == "stuck":
                labels = act("text", labels[1])  # "coba lagi"
        labels = act("text", labels[number - 1])
    final = guide.store.residents.load(chat_id).conversation.state
    return Journey(tuple(turns), final, desk)


def _split_command(text: str) -> tuple[str, str]:
    head, _, argument = text[1:].partition(" ")
    return head, argument


def _label_for(guide: Guide, chat_id: int, event: str) -> str:
    conv = guide.store.residents.load(chat_id).conversation
    button = next(b for b in conv.buttons if b.event == event)
    return guide.renderers["id"].label(button.label)


def expected_state(journey: Journey, n_turns: int, chat_id: int = 99_999) -> str:
    """The state after the first n turns of a journey (replayed on the offline guide)."""
    guide = offline_guide(journey.desk)
    guide.store.erase_resident(chat_id)
    for turn in journey.turns[:n_turns]:
        inp = Input.sent(turn.value) if turn.kind == "media" else (
            Input.commanded(*_split_command(turn.value)) if turn.value.startswith("/") else Input.typed(turn.value))
        guide.handle(chat_id, inp)
    return guide.store.residents.load(chat_id).conversation.state


# ----- the Bot API in-process --------------------------------------------------------------
class EmulatorTransport(httpx.AsyncBaseTransport):
    """httpx transport that answers Bot API calls by calling the emulator's BotApi directly.

    The CPU time spent inside the emulator is added up in ``server_cpu`` so it can be
    subtracted: what is left is the bot's own cost (PTB, httpx client side, the guide, SQLite).
    ``sends`` counts messages to residents (what every contender sends alike); ``calls`` every
    call, the operators' group's too.
    """

    def __init__(self, emu: Emulator):
        self.api = emu.api
        self.server_cpu = 0.0
        self.calls: Counter[str] = Counter()
        self.sends = 0
        self._target = 0
        self._reached: asyncio.Event | None = None

    def expect_sends(self, total: int) -> asyncio.Event:
        self._target = total
        self._reached = asyncio.Event()
        if self.sends >= total:
            self._reached.set()
        return self._reached

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        start = time.thread_time()
        method = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        body = await request.aread()
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("application/json") and body:
            raw = json.loads(body)
        else:
            raw = dict(parse_qsl(body.decode(), keep_blank_values=True))
        try:
            name, params = self.api.prepare(method, raw, {})
            result = self.api.call(name, params)
            status, payload = 200, {"ok": True, "result": result}
            self.calls[name] += 1
            if name.startswith("send") and name != "sendChatAction" and int(params.get("chat_id", 0)) > 0:
                self.sends += 1
        except ApiError as err:
            status, payload = err.code, err.body()
        content = json.dumps(payload, ensure_ascii=False).encode()
        self.server_cpu += time.thread_time() - start
        if self._reached is not None and self.sends >= self._target:
            self._reached.set()
        return httpx.Response(status, content=content, headers={"content-type": "application/json"})


def in_process_request(transport: EmulatorTransport):
    from telegram.request import HTTPXRequest

    return HTTPXRequest(connection_pool_size=8, httpx_kwargs={"transport": transport})


# ----- the bot under test ------------------------------------------------------------------
def bot_parts(emu: Emulator, db: Path | str, *, request=None, chat_interval: float = 0.0, pacing: float = 0.0,
              rate_limiter=None, operator_chat: int | None = None):
    """The bot as `teman-ikd run` builds it; with ``operator_chat`` (a forum group in the
    emulator) the operators' desk is on, as TEMAN_IKD_OPERATOR_CHAT turns it on."""
    from bot.telegram.app import build_bot
    from bot.telegram.settings import Settings, Token

    settings = Settings(token=Token(emu.token), api_url=emu.url, database=str(db), pacing=pacing,
                        operator_chat=operator_chat)
    return build_bot(settings, Store(settings.database), chat_interval=chat_interval, rate_limiter=rate_limiter,
                     request=request)


class ServerClock:
    """The database server's CPU time spent for one Store's connection: PostgreSQL's backend
    process serving it (on this machine, read from /proc); always 0 for SQLite, which runs in
    the bot's own process and is counted there. A statement that reads a table whole costs
    the server, not the bot: this is where it shows."""

    def __init__(self, store: Store):
        self.pid: int | None = None
        if store.db.dialect == "postgresql":
            self.pid = int(store.db.execute("SELECT pg_backend_pid()").fetchone()[0])
            if "postgres" not in Path(f"/proc/{self.pid}/cmdline").read_bytes().decode(errors="replace"):
                raise RuntimeError("the PostgreSQL server is not on this machine: its CPU cannot be read")
        self.started = self.seconds = 0.0

    def _now(self) -> float:
        if self.pid is None:
            return 0.0
        # schedstat: nanoseconds on a CPU (finer than /proc/<pid>/stat's 10 ms ticks)
        return int(Path(f"/proc/{self.pid}/schedstat").read_text().split()[0]) / 1e9

    def start(self) -> None:
        self.started = self._now()

    def stop(self) -> None:
        self.seconds = self._now() - self.started


def scaled_rate_limiter(time_scale: float):
    """The product's rate limiter on the emulator's (time-scaled) clock."""
    from bot.telegram.app import telegram_rate_limiter

    return telegram_rate_limiter(time_scale)


# ----- residents over the emulator ---------------------------------------------------------
@dataclass
class Walker:
    """One resident walking a journey: sends the next turn once the previous reply arrived."""

    resident: Any
    journey: Journey
    next_turn: int = 0
    expected_msgs: list[int] = field(default_factory=list)  # cumulative messages after each turn
    sent_at: float | None = None  # when the turn waiting for its reply was sent (monotonic)
    longest_wait: float = 0.0  # seconds: the longest a reply took to arrive
    longest_wait_turn: tuple[int, float] | None = None  # which turn that was, answered when (wall clock)

    def __post_init__(self) -> None:
        total = 0
        for turn in self.journey.turns:
            total += len(turn.replies)
            self.expected_msgs.append(total)

    @property
    def done(self) -> bool:
        return self.next_turn >= len(self.journey.turns)

    def step(self) -> bool:
        """Send the next turn if the previous one was answered; True if something was sent."""
        if self.next_turn and len(self.resident.inbox) < self.expected_msgs[self.next_turn - 1]:
            return False
        self._note_answer()
        if self.done:
            return False
        self.sent_at = time.monotonic()
        turn = self.journey.turns[self.next_turn]
        if turn.kind == "media":
            self.resident.send_media(turn.value)
        else:
            self.resident.send(turn.value)
        self.next_turn += 1
        return True

    def _note_answer(self) -> None:
        """The previous turn is answered: how long the resident waited for it (from sending to
        seeing the reply, as often as ``walk`` looks: every 10 ms)."""
        if self.sent_at is not None:
            waited = time.monotonic() - self.sent_at
            if waited > self.longest_wait:
                self.longest_wait, self.longest_wait_turn = waited, (self.next_turn, time.time())
            self.sent_at = None

    def answered(self) -> bool:
        return len(self.resident.inbox) >= (self.expected_msgs[self.next_turn - 1] if self.next_turn else 0)

    def tally(self) -> tuple[int, int]:
        """(lost, duplicated) messages: expected texts missing, and texts seen more than expected."""
        want = Counter(text for turn in self.journey.turns[:self.next_turn] for text, _ in turn.replies)
        got = Counter(m.get("text") for m in self.resident.inbox)
        lost = sum(max(0, n - got[t]) for t, n in want.items())
        dup = sum(max(0, n - want[t]) for t, n in got.items())
        return lost, dup


def walk(walkers: list[Walker], timeout: float, stop: threading.Event | None = None, tick: float = 0.01) -> bool:
    """Drive all walkers to the end of their journeys (blocking; run in a thread next to a bot
    in the same loop). False if the timeout passed first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not (stop and stop.is_set()):
        for w in walkers:
            w.step()
        if all(w.done and w.answered() for w in walkers):
            for w in walkers:
                w.step()  # (notes how long the last replies took)
            return True
        time.sleep(tick)
    return False


# ----- errors, logs ------------------------------------------------------------------------
class ErrorCounter(logging.Handler):
    """Counts log records at ERROR and above (the adapter's error path and PTB's own)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.name}: {record.getMessage()[:200]}")

    @property
    def count(self) -> int:
        return len(self.records)


@contextmanager
def counting_errors(level: int = logging.WARNING) -> Iterator[ErrorCounter]:
    root = logging.getLogger()
    counter = ErrorCounter()
    old_level = root.level
    root.addHandler(counter)
    root.setLevel(level)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        yield counter
    finally:
        root.removeHandler(counter)
        root.setLevel(old_level)


@contextmanager
def workdir(prefix: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix=f"teman-bench-{prefix}-") as d:
        yield Path(d)


# ----- machine -----------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    model = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    libs = {}
    for name in ("python-telegram-bot", "transitions", "httpx", "tornado", "aiolimiter", "hypothesis"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            libs[name] = metadata.version(name)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"cpu_model": model, "cores": cores, "python": platform.python_version(),
            "implementation": platform.python_implementation(), "os": platform.platform(terse=True),
            "sqlite": sqlite3.sqlite_version, "libraries": libs}


async def walk_with_bot(parts, walkers: list[Walker], timeout: float, poll_timeout: int = 1) -> bool:
    """Start the real bot (long polling over loopback) and walk everyone to the end."""
    from bot.telegram.app import RunningBot

    async with RunningBot(parts, poll_timeout=poll_timeout) as bot:
        finished = await asyncio.to_thread(walk, walkers, timeout)
        await bot.settle(min(timeout, 30.0))
    return finished


def tally(walkers: list[Walker]) -> tuple[int, int]:
    lost = dup = 0
    for w in walkers:
        a, b = w.tally()
        lost += a
        dup += b
    return lost, dup
