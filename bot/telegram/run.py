"""``teman-ikd run``: the production bot, on long polling or a webhook."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import logging
import signal
import sqlite3
import sys

from bot.telegram.settings import SettingsError, load_settings

log = logging.getLogger("bot.telegram.run")
POLL_TIMEOUT = 10  # seconds a getUpdates call waits for updates (PTB's run_polling default)


def main_run(args: argparse.Namespace) -> int:
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"teman-ikd: {exc}", file=sys.stderr)
        return 2
    from bot.desk.telegram import OperatorGroupError
    from bot.store import Store
    from bot.store.postgres import display_url
    from bot.telegram.app import ALLOWED_UPDATES, build_bot
    from bot.telegram.logs import configure_logging

    # The webhook's secret is chosen before anything logs, so that every log line can hide it.
    webhook_secret = (settings.webhook_secret or webhook_secret_of(settings.token.reveal())) if args.webhook else None
    configure_logging(settings.log_level, settings.token.reveal(), secrets=[settings.webhook_secret, webhook_secret],
                      guard_stderr=True)
    problem = _startup_problem(settings)
    if problem:
        print(f"teman-ikd: {problem}", file=sys.stderr)
        return 2
    try:
        store = Store(settings.database)
    except (sqlite3.Error, OSError) as exc:  # changed since the check a moment ago
        print(f"teman-ikd: database {display_url(settings.database)} cannot be used ({exc})", file=sys.stderr)
        return 2
    parts = build_bot(settings, store)
    app = parts.application
    log.info("Teman IKD starting (%s, database %s)", "webhook" if args.webhook else "long polling",
             display_url(settings.database))
    # Stops cleanly on SIGINT and SIGTERM (serve_until_signalled).
    try:
        _serve(app, args, ALLOWED_UPDATES, webhook_secret)
    except OperatorGroupError as exc:
        print(f"teman-ikd: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
    return 0


def webhook_secret_of(token: str) -> str:
    """The webhook's secret when none is set: derived from the token (HMAC-SHA256), so every
    worker behind a load balancer registers and checks the same one (a random one per start
    would make each worker's start lock the others out), and nobody without the token can
    compute it. Telegram allows A-Z, a-z, 0-9, _ and - : hex digits qualify."""
    return hmac.new(token.encode(), b"teman-ikd webhook secret", hashlib.sha256).hexdigest()


def _startup_problem(settings) -> str | None:
    """What stops the bot before it starts, as one line (database first: it needs no network)."""
    from bot.store.health import database_problem
    from bot.telegram.preflight import api_problem

    return database_problem(settings.database) or asyncio.run(api_problem(settings))


def _serve(app, args: argparse.Namespace, allowed_updates: list[str], secret: str | None) -> None:
    webhook = None
    if args.webhook:
        from urllib.parse import urlparse

        from bot.telegram.app import Webhook

        # Telegram must send this header back with every update; the server refuses requests
        # without it before reading them (bot/telegram/webhook.py).
        assert secret is not None
        webhook = Webhook(args.listen, args.port, urlparse(args.webhook).path.lstrip("/"), args.webhook, secret)
    asyncio.run(serve_until_signalled(app.bot_data["teman_ikd"], webhook))


async def serve_until_signalled(parts, webhook=None) -> None:
    """Run the bot (long polling, or ``webhook``) until SIGINT or SIGTERM, then stop it cleanly:
    the same RunningBot the tests, the benchmarks and the demo start."""
    from bot.telegram.app import RunningBot

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with RunningBot(parts, poll_timeout=POLL_TIMEOUT, webhook=webhook):
        await stop.wait()
