"""Logging that never shows the bot token, the webhook secret or a resident's secrets, at any level.

httpx logs every request URL at INFO, and Telegram URLs carry the token; PTB logs its base URL
(with the token) and every call's parameters (setWebhook's secret_token among them) at DEBUG,
and whole updates, which carry what residents type. A filter on every handler replaces the
token and the webhook secret and masks NIKs, PINs and codes (bot.redaction) in the final text
of each record, its traceback included. ``teman-ikd run`` also puts a masking stream in front
of stderr, so that a traceback Python prints itself, or any line printed there, never shows
the token or the secret either.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import TextIO
from urllib.parse import quote

from bot.redaction import redact


class SecretFilter(logging.Filter):
    """Replaces the bot's own secrets (token, webhook secret) and masks residents' secrets."""

    def __init__(self, secrets: Iterable[str | None] = ()):
        super().__init__()
        self._secrets: list[tuple[str, str]] = []
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None, label: str = "<secret>") -> None:
        """Mask ``secret`` from now on, and its forms in a URL; a token also by its secret half
        (what follows the bot id), which is all a reader needs to act as the bot."""
        if not secret:
            return
        forms = {secret, quote(secret, safe="")}
        bot_id, colon, rest = secret.partition(":")
        if colon and bot_id.isdigit() and len(rest) >= 8:
            label = "<token>"
            forms.add(rest)
        known = {s for s, _ in self._secrets}
        # Longest first, so a token is replaced whole before its secret half is looked for.
        self._secrets = sorted(self._secrets + [(f, label) for f in forms if f not in known],
                               key=lambda pair: -len(pair[0]))

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = self._message(record)
        except Exception:  # noqa: BLE001 -- a broken format string must not hide the record
            message = self.clean(str(record.msg))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.clean(record.exc_text)
        if record.stack_info:
            record.stack_info = self.clean(record.stack_info)
        record.msg, record.args = message, None
        return True

    def _message(self, record: logging.LogRecord) -> str:
        """The record's text with every argument cleaned on its own: numbers (update, chat and
        ticket ids) stay readable, since the redaction would read a long id as a NIK part."""
        args = record.args
        if not isinstance(args, tuple) or not args:
            return self.clean(record.getMessage())
        try:
            return self.clean(str(record.msg)) % tuple(
                a if type(a) in (int, float) else _Cleaned(self, a) for a in args)
        except (TypeError, ValueError):  # %d of a string, a template the redaction changed
            return self.clean(record.getMessage())

    def hide(self, text: str) -> str:
        """The bot's own secrets replaced (cheap: for every write to a guarded stream)."""
        for secret, label in self._secrets:
            if secret in text:
                text = text.replace(secret, label)
        return text

    def clean(self, text: str) -> str:
        return redact(self.hide(text)).text


class _Cleaned:
    """A log argument as %s or %r shows it, cleaned."""

    __slots__ = ("_guard", "_value")

    def __init__(self, guard: SecretFilter, value: object):
        self._guard = guard
        self._value = value

    def __str__(self) -> str:
        return self._guard.clean(str(self._value))

    def __repr__(self) -> str:
        return self._guard.clean(repr(self._value))


class GuardedStream:
    """A text stream that writes through ``guard.hide``: what reaches the terminal or the
    service's journal never holds the token or the webhook secret, whoever wrote it."""

    def __init__(self, stream: TextIO, guard: SecretFilter):
        self._stream = stream
        self._guard = guard

    def write(self, text: str) -> int:
        self._stream.write(self._guard.hide(text))
        return len(text)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def configure_logging(level: str, token: str, stream: TextIO | None = None, *, secrets: Iterable[str | None] = (),
                      guard_stderr: bool = False) -> logging.Handler:
    """Install one filtered handler on the root logger (and the filter on any other handler
    already installed); quiet httpx's per-request lines. ``guard_stderr``: also mask what is
    written to sys.stderr directly (tracebacks Python prints itself)."""
    guard = SecretFilter([token, *secrets])
    if guard_stderr and not isinstance(sys.stderr, GuardedStream):
        sys.stderr = GuardedStream(sys.stderr, guard)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(guard)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for logger in list(logging.root.manager.loggerDict.values()):
        for other in getattr(logger, "handlers", ()):
            if guard not in other.filters:
                other.addFilter(guard)
    logging.captureWarnings(True)  # warnings go through the same handler, filtered
    # httpx/httpcore log request URLs (with the token) at INFO and DEBUG: keep them at WARNING.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler
