"""Settings fail fast with one clear line; splitting, ordering and log filtering hold."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import logging

import pytest
from telegram import Chat, Message, Update, User

from bot.telegram.logs import configure_logging
from bot.telegram.processor import PerChatUpdateProcessor
from bot.telegram.settings import SettingsError, load_settings
from bot.telegram.split import split_text

GOOD = {"TEMAN_IKD_TOKEN": "123456:ABCdef_ghi-jkl"}


def test_defaults_and_frozen() -> None:
    s = load_settings(GOOD, env_file=None)
    assert s.api_url == "https://api.telegram.org" and s.locale == "id" and s.pacing == 1.0
    assert s.base_url == "https://api.telegram.org/bot"
    assert "ABCdef" not in repr(s) and "ABCdef" not in str(s.token)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.locale = "en"  # type: ignore[misc]


@pytest.mark.parametrize("env, fragment", [
    ({}, "TEMAN_IKD_TOKEN is not set"),
    ({"TEMAN_IKD_TOKEN": "nonsense"}, "does not look like a bot token"),
    ({**GOOD, "TEMAN_IKD_PACING": "slow"}, "TEMAN_IKD_PACING must be a number"),
    ({**GOOD, "TEMAN_IKD_PACING": "-1"}, "between 0 and 30"),
    ({**GOOD, "TEMAN_IKD_OPERATOR_CHAT": "operators"}, "TEMAN_IKD_OPERATOR_CHAT must be a chat id"),
    ({**GOOD, "TEMAN_IKD_LOG_LEVEL": "LOUD"}, "TEMAN_IKD_LOG_LEVEL must be one of"),
    ({**GOOD, "TEMAN_IKD_API_URL": "ftp://x"}, "TEMAN_IKD_API_URL must start with"),
])
def test_bad_settings_fail_with_one_clear_line(env: dict, fragment: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(env, env_file=None)
    assert fragment in str(caught.value) and "\n" not in str(caught.value)
    assert "ABCdef" not in str(caught.value)


def test_env_file_is_read_and_environment_wins(tmp_path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("TEMAN_IKD_TOKEN=1:fromfile\nTEMAN_IKD_LOCALE=en\nTEMAN_IKD_DATABASE=sqlite:///x.db\n")
    s = load_settings({"TEMAN_IKD_LOCALE": "id"}, env_file=env_file)
    assert s.token.reveal() == "1:fromfile" and s.locale == "id" and s.database == "sqlite:///x.db"


def test_split_at_sentence_boundaries() -> None:
    sentence = "Ini kalimat pendek yang cukup jelas. "
    text = sentence * 300
    parts = split_text(text)
    assert len(parts) > 1 and all(len(p) <= 4096 for p in parts)
    assert all(p.endswith(".") for p in parts)
    assert " ".join(parts).split() == text.split()


def test_log_filter_hides_token_and_secrets_at_debug() -> None:
    stream = io.StringIO()
    handler = configure_logging("DEBUG", "123456:SECRET-token", stream)
    try:
        logging.getLogger("telegram.test").debug("url https://x/bot%s/getMe text=%s", "123456:SECRET-token",
                                                 "nik 3673041234560001")
        try:
            raise RuntimeError("boom with 123456:SECRET-token")
        except RuntimeError:
            logging.getLogger("x").exception("failed")
    finally:
        logging.getLogger().removeHandler(handler)
    out = stream.getvalue()
    assert "SECRET-token" not in out and "3673041234560001" not in out and "<token>" in out


def test_log_lines_keep_ids_readable_and_mask_every_secret_in_arguments() -> None:
    stream = io.StringIO()
    handler = configure_logging("DEBUG", "123456:SECRET-token", stream, secrets=["hook-secret-value"])
    try:
        log = logging.getLogger("bot.test")
        log.info("could not handle update %s for resident %d", 987654321, 700000003)
        log.debug("parameters %r", {"text": "pin saya 246813", "secret_token": "hook-secret-value"})
        log.info("resident wrote %s", "nik 3673 0412 3456 0001")
        log.info(f"an f-string with nik {'3673041234560002'}")
        log.info("bad %d", "3673041234560003")
    finally:
        logging.getLogger().removeHandler(handler)
    out = stream.getvalue()
    assert "update 987654321 for resident 700000003" in out  # ids are not secrets
    for raw in ("246813", "hook-secret-value", "0412 3456", "3673041234560002", "3673041234560003"):
        assert raw not in out
    assert "<secret>" in out and "pin saya ••••••" in out


def _update(update_id: int, chat_id: int) -> Update:
    user = User(chat_id, "x", False)
    return Update(update_id, message=Message(update_id, None, Chat(chat_id, "private"), from_user=user, text="x"))


async def test_processor_orders_within_a_chat_and_overlaps_across_chats() -> None:
    processor = PerChatUpdateProcessor(16)
    log: list[tuple[int, int]] = []
    active: set[int] = set()
    overlap = []

    async def work(chat: int, n: int) -> None:
        overlap.append(len(active))
        active.add(chat)
        await asyncio.sleep(0.01 * (3 - n % 3))
        log.append((chat, n))
        active.discard(chat)

    tasks = [asyncio.create_task(processor.process_update(_update(i * 10 + c, c), work(c, i)))
             for i in range(6) for c in (1, 2)]
    await asyncio.gather(*tasks)
    for chat in (1, 2):
        assert [n for c, n in log if c == chat] == list(range(6))
    assert max(overlap) >= 1  # the two chats ran at the same time
