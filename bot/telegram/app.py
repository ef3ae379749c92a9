"""Wire python-telegram-bot to the guide: one function builds the Application, one runtime
(``RunningBot``) starts and stops it with what runs beside it (delivery, command registration,
requeueing, reminders, service levels, retention).

``teman-ikd run`` (bot/telegram/run.py: long polling or a webhook, until SIGINT or SIGTERM), the
demo, the benchmarks and the end-to-end tests all build and start the bot with these, so they
share one path.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass, field

from telegram import BotCommand, Update
from telegram.ext import Application, ApplicationBuilder, BaseRateLimiter, TypeHandler
from telegram.request import BaseRequest, HTTPXRequest

from bot.assembly import desk_of
from bot.desk.operators import ForumDesk
from bot.desk.telegram import ForumChannel, ForumSender
from bot.followup.laporan import laporan
from bot.guide import Guide
from bot.store import Store
from bot.telegram.adapter import TelegramAdapter
from bot.telegram.delivery import Delivery
from bot.telegram.group_limits import OVERALL_PER_SECOND, GroupBudgetLimiter
from bot.telegram.inbox import DurableUpdateQueue, InboxBot, InboxRequest
from bot.telegram.leader import Duties, Leadership
from bot.telegram.maintenance import Retention
from bot.telegram.outage import Outage
from bot.telegram.poison import Quarantine
from bot.telegram.processor import PerChatUpdateProcessor
from bot.telegram.settings import Settings
from bot.telegram.shared_limits import SharedBudgetLimiter
from bot.telegram.webhook import WebhookServer
from bot.vocabulary import Command

log = logging.getLogger(__name__)
# The update kinds the guide subscribes to (each gets an outcome in the adapter). Listing them,
# rather than Update.ALL_TYPES, keeps a newer library from asking an older Bot API server for
# kinds it does not know. chat_member (someone joined or left the operators' group) comes only
# when asked for by name; it updates who may act as an operator at once.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member", "channel_post",
                   "edited_channel_post", "chat_member"]
COMMANDS = tuple(Command)  # the menu Telegram shows residents (bot/vocabulary.py)


@dataclass
class BotParts:
    application: Application
    adapter: TelegramAdapter
    delivery: Delivery
    queue: DurableUpdateQueue
    forum: ForumDesk | None = None  # the Disdukcapil group's desk
    remind_minutes: float = 10.0
    retention: Retention | None = None
    forums: dict[int, ForumDesk] = field(default_factory=dict)  # every operators' group, by chat id
    # Who leads among the workers sharing the database (bot/telegram/leader.py; SQLite: this one).
    leadership: Leadership = field(default_factory=lambda: Leadership(None))


def build_bot(settings: Settings, store: Store, **kwargs) -> BotParts:
    """The guide (with the operator desk on the forum group when one is configured) and the
    Application around it: what ``run``, ``demo`` and the end-to-end tests all start."""
    from bot.assembly import build_guide

    channel = ForumChannel(settings.operator_chat) if settings.operator_chat is not None else None
    routed = bool(settings.operator_groups) and channel is not None
    # Kecamatan groups (bot/desk/routing.py); with none, every ticket goes to the one group.
    groups = (settings.operator_chat, dict(settings.operator_groups)) if settings.operator_chat is not None else None
    guide = build_guide(store, locale=settings.locale, handoff_available=channel is not None, channel=channel,
                        outbox=True, ask_place=routed, operator_groups=groups)
    if settings.operator_chat is not None:
        store.tickets.adopt_topics(settings.operator_chat)
    return build_application(settings, guide, **kwargs)


def telegram_rate_limiter(time_scale: float = 1.0, max_retries: int = 3,
                          store: Store | None = None) -> BaseRateLimiter:
    """Telegram's limits: 30 messages/s overall without bursts, 20/min per group.

    AIORateLimiter's buckets (aiolimiter) are leaky buckets as deep as their rate: the default
    (30 per 1 s) lets 30 through at once and 30 more within that second, and Telegram answers
    the excess with a 429 whose retry_after stalls every send. A bucket one deep that drains at
    28/s never has more than 30 in any second, with room for jitter. Each group has its own
    sliding window of 20 messages a minute (bot/telegram/group_limits.py).
    On PostgreSQL, where several bot processes may share the database, the same figures hold for
    all of them together (bot/telegram/shared_limits.py); SQLite has one process by design.
    ``time_scale`` speeds the clock up for the emulator's time-scaled limits.
    """
    if store is not None and store.db.shared:
        return SharedBudgetLimiter(store.slots, time_scale=time_scale, max_retries=max_retries)
    return GroupBudgetLimiter(overall_max_rate=1, overall_time_period=1.0 / (OVERALL_PER_SECOND * time_scale),
                              group_time_period=60.0 / time_scale, max_retries=max_retries)


def build_application(settings: Settings, guide: Guide, *, chat_interval: float = 1.0,
                      rate_limiter: BaseRateLimiter | None = None, connect_timeout: float = 10.0,
                      request: BaseRequest | None = None, read_timeout: float = 5.0) -> BotParts:
    """``request`` replaces the HTTP client (the benchmarks pass one whose httpx transport
    calls the emulator in-process, so the network does not drown what they measure)."""
    use_timedeltas()
    outage = Outage()  # what to hold back and retry while the database refuses writes
    limiter = rate_limiter or telegram_rate_limiter(store=guide.store)
    bot = _make_bot(settings, limiter, request, connect_timeout, read_timeout, outage, Quarantine(guide.store))
    # Who leads among the workers sharing the database (bot/telegram/leader.py); SQLite: this one.
    leadership = Leadership(settings.database if guide.store.db.shared else None)
    queue = DurableUpdateQueue(guide.store, raw=bot.raw_updates, outage=outage, worker=leadership.worker)
    outage.requeue = queue.put_nowait  # updates whose step the database refused come again
    builder = (
        ApplicationBuilder()
        .bot(bot)
        .update_queue(queue)
        .concurrent_updates(PerChatUpdateProcessor(256, done=queue.handled))
    )
    application = builder.build()
    forum, sender, forums = None, None, {}
    if settings.operator_chat is not None:
        renderer = guide.renderers[guide.default_locale]
        sender = ForumSender(application.bot, guide.store, settings.operator_chat, renderer,
                             laporan=lambda: laporan(guide, guide.default_locale))
        for group in dict.fromkeys((settings.operator_chat, *(g for _, g in settings.operator_groups))):
            forums[group] = ForumDesk(desk_of(guide), application.bot, guide.store, group, renderer,
                                      allow=settings.operators)
        forum = forums[settings.operator_chat]
    delivery = Delivery(application.bot, guide.store, pacing=settings.pacing, chat_interval=chat_interval,
                        forum=sender)
    # What a committed transaction queued may leave now (the one place replies are released).
    guide.store.on_commit = delivery.wake
    adapter = TelegramAdapter(guide, delivery, operator_chat=settings.operator_chat, forum=forum, outage=outage,
                              forums=forums)
    application.add_handler(TypeHandler(Update, adapter.on_update))
    application.add_error_handler(adapter.on_error)
    parts = BotParts(application, adapter, delivery, queue, forum, settings.ticket_remind_minutes,
                     retention=Retention(guide.store, settings.retention_days), forums=forums,
                     leadership=leadership)
    application.bot_data["teman_ikd"] = parts
    return parts


def use_timedeltas() -> None:
    """Opt in to python-telegram-bot's timedelta durations (RetryAfter.retry_after and friends;
    the int form is deprecated since v22.2). PTB reads only this environment variable, on each
    use; it is set when the bot is built, never at import."""
    os.environ.setdefault("PTB_TIMEDELTA", "1")


def _make_bot(settings: Settings, rate_limiter: BaseRateLimiter, request: BaseRequest | None,
              connect_timeout: float, read_timeout: float, outage: Outage, quarantine: Quarantine) -> InboxBot:
    """The bot object, built here rather than by ApplicationBuilder so that its getUpdates
    connection keeps the raw updates and its offset holds back what was not stored (inbox.py)."""
    if request is None:
        request = HTTPXRequest(connection_pool_size=64, connect_timeout=connect_timeout, pool_timeout=connect_timeout,
                               read_timeout=read_timeout)
        updates = InboxRequest(HTTPXRequest(connection_pool_size=1, connect_timeout=connect_timeout))
    else:
        updates = InboxRequest(request)
    return InboxBot(settings.token.reveal(), base_url=settings.base_url, base_file_url=settings.base_file_url,
                    request=request, get_updates_request=updates, rate_limiter=rate_limiter,
                    raw=updates.raw, outage=outage, quarantine=quarantine)


async def startup(parts: BotParts) -> None:
    """After the Application is initialised, in every worker: register commands, check the
    operators' groups, start delivery. (What only the leader does: bot/telegram/leader.py.)"""
    app = parts.application
    t = parts.adapter.guide.renderers[parts.adapter.guide.default_locale].t
    try:
        await app.bot.set_my_commands([BotCommand(c, t.text(f"cmd.{c}")) for c in COMMANDS])
    except Exception as exc:  # noqa: BLE001 -- commands are a convenience: the bot still works without them
        log.warning("could not register commands: %s", type(exc).__name__)
    for forum in parts.forums.values():
        await forum.verify()  # fails fast, saying exactly what is wrong with each group
    await parts.delivery.start()


async def shutdown(parts: BotParts) -> None:
    parts.adapter.outage.stop()
    await parts.delivery.stop()


@dataclass(frozen=True)
class Webhook:
    """Where the webhook server (bot/telegram/webhook.py) listens, the public URL Telegram posts
    to, and the secret Telegram must echo in X-Telegram-Bot-Api-Secret-Token (403 without it)."""

    listen: str
    port: int
    path: str
    url: str
    secret: str


class RunningBot:
    """The bot running, on long polling or a webhook, inside an existing event loop: what
    ``teman-ikd run`` starts (bot/telegram/run.py adds only the signals), and the demo, the
    benchmarks and the tests too. Leaving it stops the bot cleanly: polling and the webhook
    stop first, then the handling of what was fetched, then the delivery (briefly drained)."""

    def __init__(self, parts: BotParts, poll_timeout: int = 1, webhook: Webhook | None = None):
        self.parts = parts
        self.poll_timeout = poll_timeout
        self.webhook = webhook
        self._server: WebhookServer | None = None
        self._leading: asyncio.Task[None] | None = None

    async def __aenter__(self) -> RunningBot:
        app = self.parts.application
        await app.initialize()
        await startup(self.parts)
        if self.webhook:
            w = self.webhook
            # Our own server (bot/telegram/webhook.py): it checks the secret before reading a body.
            self._server = WebhookServer(app.bot, self.parts.queue, listen=w.listen, port=w.port, path=w.path,
                                         secret=w.secret)
            await self._server.start(w.url, ALLOWED_UPDATES)
        await app.start()
        # Long polling and the periodic work are the leader's (bot/telegram/leader.py): on SQLite
        # this process, at once; with several workers, whichever holds the lead.
        duties = Duties(self.parts, poll=None if self.webhook else self._poll, sweep=self.parts.adapter.store.db.shared)
        leadership = self.parts.leadership
        self._leading = asyncio.create_task(leadership.run(duties.start, duties.stop), name="teman-ikd-leadership")
        tried = asyncio.create_task(leadership.tried.wait())
        await asyncio.wait([self._leading, tried], return_when=asyncio.FIRST_COMPLETED)
        tried.cancel()
        if self._leading.done():
            self._leading.result()  # it failed to start: say why
        return self

    async def _poll(self) -> None:
        updater = self.parts.application.updater
        assert updater is not None
        await updater.start_polling(timeout=self.poll_timeout, poll_interval=0.0, allowed_updates=ALLOWED_UPDATES,
                                    drop_pending_updates=False)

    async def __aexit__(self, *exc: object) -> None:
        app = self.parts.application
        if self._leading is not None:  # the leader stops polling and its periodic work
            self._leading.cancel()
            await asyncio.gather(self._leading, return_exceptions=True)
            self._leading = None
        if self._server is not None:
            await self._server.stop()
            self._server = None
        if app.running:
            await app.stop()
        await shutdown(self.parts)
        await app.shutdown()

    async def settle(self, timeout: float = 10.0) -> bool:
        """Wait until every queued update is handled and the outbox is empty.

        Against an emulator of this process, also until it has handed over every update: an
        update sent but not yet fetched by the long poll would otherwise look like a quiet bot
        (a race seen on a loaded machine)."""
        from bot.emulator.emulator import waiting_at

        base_url = self.parts.application.bot.base_url
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        processor = self.parts.application.update_processor
        while loop.time() < deadline:
            # (An update still being handled, e.g. waiting for getChatMember, counts as queued.)
            queue_empty = (self.parts.queue.empty() and not processor.current_concurrent_updates
                           and not waiting_at(base_url))
            if queue_empty and await self.parts.delivery.idle(timeout=max(0.0, deadline - loop.time())):
                await asyncio.sleep(0.05)
                if (self.parts.queue.empty() and not processor.current_concurrent_updates
                        and not waiting_at(base_url) and self.parts.delivery.nothing_pending()):
                    return True
            await asyncio.sleep(0.02)
        return False
