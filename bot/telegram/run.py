"""``teman-ikd run``: the production bot, on long polling or a webhook."""

from __future__ import annotations

import argparse
import logging
import secrets
import sqlite3
import sys


from bot.telegram.settings import SettingsError, load_settings

log = logging.getLogger("bot.telegram.run")


def main_run(args: argparse.Namespace) -> int:
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"teman-ikd: {exc}", file=sys.stderr)
        return 2
    from bot.desk.telegram import OperatorGroupError
    from bot.store import Store
    from bot.telegram.app import ALLOWED_UPDATES, build_bot
    from bot.telegram.logs import configure_logging

    configure_logging(settings.log_level, settings.token.reveal())
    problem = _startup_problem(settings)
    if problem:
        print(f"teman-ikd: {problem}", file=sys.stderr)
        return 2
    try:
        store = Store(settings.database)
    except (sqlite3.Error, OSError) as exc:  # changed since the check a moment ago
        print(f"teman-ikd: database {settings.database} cannot be used ({exc})", file=sys.stderr)
        return 2
    parts = build_bot(settings, store)
    app = parts.application
    log.info("Teman IKD starting (%s, database %s)", "webhook" if args.webhook else "long polling", settings.database)
    # run_polling / run_webhook stop cleanly on SIGINT and SIGTERM (PTB installs the handlers).
    try:
        _serve(app, args, settings, ALLOWED_UPDATES)
    except OperatorGroupError as exc:
        print(f"teman-ikd: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
    return 0


def _startup_problem(settings) -> str | None:
    """What stops the bot before it starts, as one line (database first: it needs no network)."""
    import asyncio

    from bot.store.health import database_problem
    from bot.telegram.preflight import api_problem

    return database_problem(settings.database) or asyncio.run(api_problem(settings))


def _serve(app, args: argparse.Namespace, settings, allowed_updates: list[str]) -> None:
    if args.webhook:
        from urllib.parse import urlparse

        # Telegram must send this header back with every update; PTB rejects requests without it.
        secret = settings.webhook_secret or secrets.token_urlsafe(32)
        app.run_webhook(listen=args.listen, port=args.port, url_path=urlparse(args.webhook).path.lstrip("/"),
                        webhook_url=args.webhook,
                        secret_token=secret, allowed_updates=allowed_updates, drop_pending_updates=False)
    else:
        app.run_polling(allowed_updates=allowed_updates, drop_pending_updates=False)
