"""``teman-ikd run``: the production bot, on long polling or a webhook."""

from __future__ import annotations

import argparse
import logging
import secrets
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

    # The webhook's secret is chosen before anything logs, so that every log line can hide it.
    webhook_secret = (settings.webhook_secret or secrets.token_urlsafe(32)) if args.webhook else None
    configure_logging(settings.log_level, settings.token.reveal(), secrets=[settings.webhook_secret, webhook_secret],
                      guard_stderr=True)
    store = Store(settings.database)
    parts = build_bot(settings, store)
    app = parts.application
    log.info("Teman IKD starting (%s, database %s)", "webhook" if args.webhook else "long polling", settings.database)
    # run_polling / run_webhook stop cleanly on SIGINT and SIGTERM (PTB installs the handlers).
    try:
        _serve(app, args, ALLOWED_UPDATES, webhook_secret)
    except OperatorGroupError as exc:
        print(f"teman-ikd: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
    return 0


def _serve(app, args: argparse.Namespace, allowed_updates: list[str], secret: str | None) -> None:
    if args.webhook:
        from urllib.parse import urlparse

        # Telegram must send this header back with every update; PTB rejects requests without it.
        app.run_webhook(listen=args.listen, port=args.port, url_path=urlparse(args.webhook).path.lstrip("/"),
                        webhook_url=args.webhook,
                        secret_token=secret, allowed_updates=allowed_updates, drop_pending_updates=False)
    else:
        app.run_polling(allowed_updates=allowed_updates, drop_pending_updates=False)
