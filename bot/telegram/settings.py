"""Configuration from TEMAN_IKD_* environment variables (and a .env file), read once at start.

The result is a frozen Settings; anything missing or malformed raises SettingsError with one
clear line. The token is kept in a Token object whose repr never shows it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values

DEFAULT_API_URL = "https://api.telegram.org"
_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,100}$")
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message is one line a person can act on."""


class Token:
    """The bot token: usable, but never printed by repr(), str() or f-strings."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Token('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Token) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Settings:
    token: Token
    api_url: str = DEFAULT_API_URL
    database: str = "teman-ikd.sqlite3"
    operator_chat: int | None = None
    locale: str = "id"
    log_level: str = "INFO"
    pacing: float = 1.0
    webhook_secret: str | None = None
    retention_days: int = 30  # transcripts older than this are purged (bot/telegram/maintenance.py)
    operators: frozenset[int] = frozenset()  # allow-list on top of the group's members
    ticket_remind_minutes: float = 10.0
    # Kecamatan operators' groups, by the key the region file names ("curug" -> its chat id);
    # a kecamatan whose key is not here is served by the Disdukcapil group (operator_chat).
    operator_groups: tuple[tuple[str, int], ...] = ()

    @property
    def base_url(self) -> str:
        """PTB appends the token and method: {root}/bot{token}/{method}."""
        return f"{self.api_url.rstrip('/')}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.api_url.rstrip('/')}/file/bot"


def load_settings(environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env") -> Settings:
    """Environment variables win over the .env file; both are read once, here."""
    values: dict[str, str] = {}
    if env_file and Path(env_file).is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    get = lambda name: (values.get(name) or "").strip()  # noqa: E731

    token = get("TEMAN_IKD_TOKEN")
    if not token:
        raise SettingsError("TEMAN_IKD_TOKEN is not set: put the token from @BotFather in the environment or .env")
    if not _TOKEN.match(token):
        raise SettingsError("TEMAN_IKD_TOKEN does not look like a bot token (digits, a colon, then letters)")
    api_url = get("TEMAN_IKD_API_URL") or DEFAULT_API_URL
    if not re.match(r"^https?://[^\s/]+", api_url):
        raise SettingsError(f"TEMAN_IKD_API_URL must start with http:// or https:// (got {api_url!r})")
    operator_chat = get("TEMAN_IKD_OPERATOR_CHAT")
    if operator_chat and not re.match(r"^-?\d+$", operator_chat):
        raise SettingsError(f"TEMAN_IKD_OPERATOR_CHAT must be a chat id such as -1001234567890 (got {operator_chat!r})")
    level = (get("TEMAN_IKD_LOG_LEVEL") or "INFO").upper()
    if level not in _LEVELS:
        raise SettingsError(f"TEMAN_IKD_LOG_LEVEL must be one of {', '.join(_LEVELS)} (got {level!r})")
    pacing = _number_between(get("TEMAN_IKD_PACING") or "1.0", 0, 30,
                             "TEMAN_IKD_PACING must be a number of seconds such as 1.5 or 0",
                             "TEMAN_IKD_PACING must be between 0 and 30 seconds")
    locale = get("TEMAN_IKD_LOCALE") or "id"
    if not re.match(r"^[a-z]{2,3}(_[A-Z]{2})?$", locale):
        raise SettingsError(f"TEMAN_IKD_LOCALE must be a language code such as id or en (got {locale!r})")
    secret = get("TEMAN_IKD_WEBHOOK_SECRET") or None
    if secret and not re.match(r"^[A-Za-z0-9_-]{1,256}$", secret):
        raise SettingsError("TEMAN_IKD_WEBHOOK_SECRET may only hold letters, digits, _ and - (1-256 characters)")
    operators_raw = get("TEMAN_IKD_OPERATORS")
    if operators_raw and not re.match(r"^\s*\d+(\s*,\s*\d+)*\s*$", operators_raw):
        raise SettingsError("TEMAN_IKD_OPERATORS must be Telegram user ids separated by commas, e.g. 123,456")
    remind = _number_between(get("TEMAN_IKD_TICKET_REMIND_MINUTES") or "10", 1, 24 * 60,
                             "TEMAN_IKD_TICKET_REMIND_MINUTES must be a number of minutes",
                             "TEMAN_IKD_TICKET_REMIND_MINUTES must be between 1 and 1440")
    groups = _operator_groups(get("TEMAN_IKD_OPERATOR_GROUPS"), operator_chat)
    retention_raw = get("TEMAN_IKD_RETENTION_DAYS") or "30"
    if not re.match(r"^\d{1,4}$", retention_raw) or not 1 <= int(retention_raw) <= 3650:
        raise SettingsError(f"TEMAN_IKD_RETENTION_DAYS must be a whole number of days from 1 to 3650 "
                            f"(got {retention_raw!r})")
    return Settings(
        retention_days=int(retention_raw), operator_groups=groups,
        operators=frozenset(int(x) for x in operators_raw.split(",")) if operators_raw else frozenset(),
        ticket_remind_minutes=remind,
        token=Token(token), api_url=api_url.rstrip("/"), database=get("TEMAN_IKD_DATABASE") or "teman-ikd.sqlite3",
        operator_chat=int(operator_chat) if operator_chat else None, locale=locale, log_level=level,
        pacing=pacing, webhook_secret=secret)


def _number_between(raw: str, low: float, high: float, not_a_number: str, out_of_range: str) -> float:
    """``raw`` as a number from ``low`` to ``high``; otherwise the setting's one-line complaint."""
    try:
        number = float(raw)
    except ValueError:
        raise SettingsError(f"{not_a_number} (got {raw!r})") from None
    if not low <= number <= high:
        raise SettingsError(f"{out_of_range} (got {raw!r})")
    return number


def _operator_groups(raw: str, operator_chat: str) -> tuple[tuple[str, int], ...]:
    """TEMAN_IKD_OPERATOR_GROUPS ("curug=-100…,kasemen=-100…") as (kecamatan key, chat id) pairs."""
    if not raw:
        return ()
    if not re.match(r"^\s*[a-z_]+\s*=\s*-?\d+(\s*,\s*[a-z_]+\s*=\s*-?\d+)*\s*$", raw):
        raise SettingsError("TEMAN_IKD_OPERATOR_GROUPS must be kecamatan keys and chat ids, e.g. "
                            "curug=-1001234567890,kasemen=-1009876543210")
    if not operator_chat:
        raise SettingsError("TEMAN_IKD_OPERATOR_GROUPS needs TEMAN_IKD_OPERATOR_CHAT (the Disdukcapil group) as well")
    pairs = (pair.split("=") for pair in raw.split(","))
    return tuple((k.strip(), int(v)) for k, v in pairs)
