"""The webhook checks the secret before it reads a body and caps the body; a full disk answers
500 (Telegram sends the update again) and loses nothing; an unreadable update is quarantined."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from pathlib import Path

from bot.emulator import Emulator
from bot.telegram.app import RunningBot, Webhook
from bot.telegram.webhook import MAX_BODY
from tests.conftest import make_parts
from tests.telegram.test_e2e_journey import say
from tests.telegram.test_faults_storage import STORY, fill_disk, free_disk
from tests.telegram.test_limits_and_webhook import _free_port

SECRET = "rahasia-webhook-123"


def hook() -> Webhook:
    port = _free_port()
    return Webhook("127.0.0.1", port, "telegram", f"http://127.0.0.1:{port}/telegram", SECRET)


def post_headers(w: Webhook, length: int, secret: str | None, chunked: bool = False) -> bytes:
    lines = [f"POST /{w.path} HTTP/1.1", f"Host: 127.0.0.1:{w.port}", "Content-Type: application/json",
             "Transfer-Encoding: chunked" if chunked else f"Content-Length: {length}"]
    if secret is not None:
        lines.append(f"X-Telegram-Bot-Api-Secret-Token: {secret}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def answer_to_headers_alone(w: Webhook, length: int, secret: str | None) -> str:
    """Send only the headers of a huge POST and read what comes back (no body is ever sent)."""
    with socket.create_connection(("127.0.0.1", w.port), timeout=3.0) as s:
        s.sendall(post_headers(w, length, secret))
        return s.recv(200).decode(errors="replace").split("\r\n")[0]


async def test_the_secret_and_the_size_are_checked_before_the_body_is_read(emu: Emulator, tmp_path: Path) -> None:
    w = hook()
    parts = make_parts(emu, tmp_path / "bot.sqlite3")
    async with RunningBot(parts, webhook=w):
        huge = 90 * 1024 * 1024
        started = time.monotonic()
        missing = await asyncio.to_thread(answer_to_headers_alone, w, huge, None)
        wrong = await asyncio.to_thread(answer_to_headers_alone, w, huge, "salah")
        too_big = await asyncio.to_thread(answer_to_headers_alone, w, MAX_BODY + 1, SECRET)
        elapsed = time.monotonic() - started
    parts.adapter.store.close()
    assert " 403 " in missing and " 403 " in wrong  # answered without waiting for 90 MB
    assert " 413 " in too_big
    assert elapsed < 3.0


def chunked_flood(w: Webhook, megabytes: int) -> tuple[int, str]:
    """With the right secret and no announced size: how much is read before the server stops?"""
    sent = 0
    chunk = b"1" * 65536
    with socket.create_connection(("127.0.0.1", w.port), timeout=3.0) as s:
        s.sendall(post_headers(w, 0, SECRET, chunked=True))
        try:
            while sent < megabytes * 1024 * 1024:
                s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
        except OSError:
            pass  # the server closed the connection: it stopped reading
        try:
            first = s.recv(200).decode(errors="replace").split("\r\n")[0]
        except OSError:
            first = ""
    return sent, first


async def test_a_body_without_announced_size_is_cut_at_the_cap(emu: Emulator, tmp_path: Path) -> None:
    w = hook()
    parts = make_parts(emu, tmp_path / "bot.sqlite3")
    async with RunningBot(parts, webhook=w):
        sent, first = await asyncio.to_thread(chunked_flood, w, 64)
    parts.adapter.store.close()
    assert sent < 16 * 1024 * 1024  # stopped long before 64 MB (socket buffers hold a few MB)
    assert first == "" or " 413 " in first or " 400 " in first


async def test_a_full_disk_answers_500_and_every_resident_is_answered_once_later(emu: Emulator, tmp_path: Path) -> None:
    w = hook()
    parts = make_parts(emu, tmp_path / "bot.sqlite3")
    parts.adapter.outage.max_backoff = 0.4
    async with RunningBot(parts, webhook=w) as bot:
        residents = [emu.resident(f"Warga{i}") for i in range(4)]
        for r in residents:
            await say(bot, lambda r=r: r.command("start"))
        fill_disk(parts.adapter.store)
        for r in residents:
            r.send(STORY)
        await asyncio.sleep(3.0)
        assert emu.stats["webhook_failures"] > 0  # refused: Telegram keeps them and tries again
        assert [len(r.inbox) for r in residents] == [1] * 4
        free_disk(parts.adapter.store)
        for _ in range(3):
            assert await bot.settle(20.0)
            await asyncio.sleep(1.0)
    parts.adapter.store.close()
    assert [len(r.inbox) for r in residents] == [2] * 4
    assert not emu.pending_updates


async def test_an_unreadable_update_on_the_webhook_is_quarantined(emu: Emulator, tmp_path: Path) -> None:
    w = hook()
    parts = make_parts(emu, tmp_path / "bot.sqlite3")
    async with RunningBot(parts, webhook=w) as bot:
        siti = emu.resident("Siti")
        bad = {"message_id": 9, "text": "pin saya 246813", "chat": {"id": siti.chat_id, "type": "private"}}
        bad_id = emu.inject_json("message", json.dumps(bad))  # no date: PTB cannot read it
        await say(bot, lambda: siti.command("start"))
        await asyncio.sleep(0.5)
        quarantined = parts.adapter.store.inbox.quarantined()
    parts.adapter.store.close()
    assert len(siti.inbox) == 1 and not emu.pending_updates
    assert [q[0] for q in quarantined] == [bad_id] and "246813" not in quarantined[0][1]
