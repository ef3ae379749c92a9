"""The :class:`Emulator` facade: owns the World, runs the HTTP server thread, creates people.

Boundary: lifecycle (start/stop, background thread with its own asyncio loop) and the
test/demo-facing factory methods. Protocol work is in server.py/botapi.py, state in world.py.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import tornado.httpserver
import tornado.netutil

from .botapi import BotApi, Stats
from .faults import Faults
from .limits import Limits, RateLimiter
from .methods_chat import member_api
from .people import Group, Operator, Resident
from .server import RAW_JSON, Hub, make_app
from .webhook import deliver_forever
from .world import Chat, World, now

DEFAULT_TOKEN = "123456:TEST-token"

# Emulators running in this process, by their root URL: a bot started against one can ask
# whether updates are still waiting there (RunningBot.settle in tests and benchmarks).
_RUNNING: dict[str, Emulator] = {}


def waiting_at(base_url: str) -> bool:
    """True when ``base_url`` is an emulator of this process still holding updates for its bot."""
    for url, emulator in list(_RUNNING.items()):
        if base_url.startswith(url + "/"):
            return emulator.world.waiting()
    return False


class Emulator:
    """A local Telegram Bot API. ``with Emulator() as emu:`` starts and stops it."""

    def __init__(self, limits: Limits | None = None, bot_username: str = "TemanIKDBot",
                 bot_first_name: str = "Teman IKD", token: str = DEFAULT_TOKEN,
                 faults: Faults | None = None):
        self.limits = limits or Limits()
        self.token = token
        self.world = World(int(token.split(":", 1)[0]), bot_username, bot_first_name)
        self.api = BotApi(self.world, RateLimiter(self.limits))
        self.faults: Faults | None = faults  # assignable at any time; read per request
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None
        self._port = 0
        self._channel: Chat | None = None
        self._shutdown_task: asyncio.Future[None] | None = None

    # ---- lifecycle --------------------------------------------------------------------------
    def start(self) -> Emulator:
        if self._thread is not None:
            return self
        self._ready.clear()
        self._thread = threading.Thread(target=self._run, name="telegram-emulator", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._startup_error is not None:
            self._thread = None
            raise RuntimeError("emulator failed to start") from self._startup_error
        return self

    def _run(self) -> None:
        loop = self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            self._server, self._stopping = loop.run_until_complete(self._setup())
        except BaseException as exc:  # noqa: BLE001 -- surfaced to start()'s caller, re-raised there
            self._startup_error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        _RUNNING[f"http://127.0.0.1:{self._port}"] = self
        try:
            loop.run_forever()
        finally:
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

    async def _setup(self) -> tuple[tornado.httpserver.HTTPServer, asyncio.Event]:
        loop = asyncio.get_running_loop()
        hub = Hub(self.api, lambda: self.faults)
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        server = tornado.httpserver.HTTPServer(make_app(hub), max_body_size=60 * 1024 * 1024)
        server.add_sockets(sockets)
        self._port = sockets[0].getsockname()[1]

        def wake() -> None:
            if not loop.is_closed():
                loop.call_soon_threadsafe(hub.pulse)

        self._wake = wake
        self.world.listeners.append(wake)
        self.api.wake_webhook = wake
        stopping = asyncio.Event()
        self._webhook_task = loop.create_task(deliver_forever(hub, stopping))
        return server, stopping

    def stop(self) -> None:
        """Stop the server and its thread; safe to call twice."""
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        self._thread = None
        _RUNNING.pop(f"http://127.0.0.1:{self._port}", None)

        async def shutdown() -> None:
            self._stopping.set()
            self._server.stop()
            await asyncio.wait_for(self._server.close_all_connections(), 2)
            loop.stop()

        def kick() -> None:
            # Keep a reference: the loop holds tasks only weakly, and this one must run to the end.
            self._shutdown_task = asyncio.ensure_future(shutdown())

        if self._wake in self.world.listeners:
            self.world.listeners.remove(self._wake)
        loop.call_soon_threadsafe(kick)
        thread.join(10)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if not self._port:
            raise RuntimeError("emulator not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def base_url(self) -> str:
        """For ``Bot(token, base_url=emu.base_url)`` / ``ApplicationBuilder().base_url(...)``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    # ---- people and chats -------------------------------------------------------------------
    def resident(self, first_name: str = "Siti", last_name: str | None = None,
                 username: str | None = None, language_code: str | None = "id",
                 started: bool = True) -> Resident:
        """A user with a private chat; ``started=False`` means they never opened the bot."""
        user = self.world.new_user(first_name, last_name, username, language_code)
        return Resident(self, user, self.world.private_chat(user, started=started))

    def _add_bot(self, chat: Chat, adder: dict[str, Any]) -> None:
        bot = self.world.bot_sender()
        self.world.emit("my_chat_member", {
            "chat": self.world.chat_api(chat), "from": adder, "date": now(),
            "old_chat_member": member_api(bot, "left"),
            "new_chat_member": member_api(bot, chat.bot_status,
                                          manage_topics=chat.bot_can_manage_topics)})

    def forum_group(self, title: str = "Operator IKD", bot_is_admin: bool = True,
                    can_manage_topics: bool = True, username: str | None = None) -> Group:
        """A forum supergroup; the bot is added (my_chat_member update) by its creator."""
        owner = self.world.new_user("Pemilik", language_code="id")
        with self.world.lock:
            chat = self.world.new_chat(
                "supergroup", title=title, username=username, is_forum=True,
                bot_status="administrator" if bot_is_admin else "member",
                bot_can_manage_topics=bot_is_admin and can_manage_topics)
            chat.members[owner["id"]] = "creator"
            self._add_bot(chat, owner)
        return Group(self, chat)

    def group(self, title: str = "Arisan RT 03", bot_is_admin: bool = False) -> Group:
        """A plain group the bot was just added to (emits my_chat_member)."""
        owner = self.world.new_user("Ketua RT", language_code="id")
        with self.world.lock:
            chat = self.world.new_chat("group", title=title,
                                       bot_status="administrator" if bot_is_admin else "member")
            chat.members[owner["id"]] = "creator"
            self._add_bot(chat, owner)
        return Group(self, chat)

    def operator(self, group: Group, first_name: str = "Rina", last_name: str | None = None,
                 username: str | None = None, is_admin: bool = False) -> Operator:
        user = self.world.new_user(first_name, last_name, username, "id")
        with self.world.lock:
            group.chat.members[user["id"]] = "administrator" if is_admin else "member"
        return Operator(self, user, group)

    def channel_post(self, text: str, channel_title: str = "Info IKD Serang") -> dict[str, Any]:
        with self.world.lock:
            if self._channel is None:
                self._channel = self.world.new_chat("channel", title=channel_title,
                                                    username="infoikdserang",
                                                    bot_status="administrator")
            chat = self._channel
            msg = self.world.add_message(chat, {}, {"text": text,
                                                    "sender_chat": self.world.chat_api(chat)})
            api = self.world.api_message(msg)
            self.world.emit("channel_post", api)
            return api

    def inject(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update of any shape (update_id assigned if missing)."""
        return self.world.push_update(dict(update))

    def inject_json(self, kind: str, payload_json: str) -> int:
        """Queue an update whose ``kind`` part is sent exactly as this JSON text, even one no
        JSON library would write or read back (nested 5,000 deep, say). Returns its update_id."""
        with self.world.lock:
            update_id = self.world.next_update_id
            text = f'{{"update_id": {update_id}, "{kind}": {payload_json}}}'
            self.world.push_update({"update_id": update_id, kind: None, RAW_JSON: text})
        return update_id

    # ---- inspection -------------------------------------------------------------------------
    @property
    def requests(self) -> list[tuple[str, dict[str, Any]]]:
        with self.world.lock:
            return list(self.api.requests)

    def calls(self, method: str) -> list[dict[str, Any]]:
        return [p for m, p in self.requests if m == method]

    @property
    def stats(self) -> Stats:
        return self.api.stats

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        with self.world.lock:
            return list(self.world.updates)
