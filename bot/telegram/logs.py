"""Logging that never shows the bot token or a resident's secrets, at any level.

httpx logs every request URL at INFO, and Telegram URLs carry the token; PTB logs whole
updates at DEBUG, and updates carry what residents type. A filter on every handler replaces
the token and masks NIKs, PINs and codes (bot.redaction) in the final text of each record.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from bot.redaction import redact


class SecretFilter(logging.Filter):
    def __init__(self, secrets: list[str]):
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not hide the record
            message = str(record.msg)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        message = self.clean(message)
        if record.exc_text:
            record.exc_text = self.clean(record.exc_text)
        record.msg, record.args = message, None
        return True

    def clean(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "<token>")
        return redact(text).text


def configure_logging(level: str, token: str, stream: TextIO | None = None) -> logging.Handler:
    """Install one filtered handler on the root logger; quiet httpx's per-request lines."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(SecretFilter([token]))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx/httpcore log request URLs (with the token) at INFO and DEBUG: keep them at WARNING.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler
