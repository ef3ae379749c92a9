"""Telegram limits: text/caption/button sizes, flood control (429), blocked users (403), faults."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter

from bot.emulator import DEFAULT_TOKEN, ApiError, Emulator, Faults, Limits
from bot.emulator.limits import RateLimiter


def test_text_limits(http: httpx.Client, emu: Emulator) -> None:
    siti = emu.resident()
    assert http.post("/sendMessage", data={"chat_id": siti.chat_id, "text": "a" * 4096}).status_code == 200
    r = http.post("/sendMessage", data={"chat_id": siti.chat_id, "text": "a" * 4097})
    assert r.status_code == 400 and r.json()["description"] == "Bad Request: message is too long"
    # Length is measured after entity parsing: markup does not count.
    r = http.post("/sendMessage", data={"chat_id": siti.chat_id, "parse_mode": "HTML",
                                        "text": "<b>" + "a" * 4096 + "</b>"})
    assert r.status_code == 200


async def test_callback_data_limit(bot: telegram.Bot, emu: Emulator) -> None:
    siti = emu.resident()
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="x" * 64)]])
    await bot.send_message(siti.chat_id, "ok", reply_markup=ok)
    bad = InlineKeyboardMarkup([[InlineKeyboardButton("no", callback_data="é" * 33)]])  # 66 bytes
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(siti.chat_id, "no", reply_markup=bad)


async def test_private_chat_burst_gets_429() -> None:
    with Emulator(limits=Limits(time_scale=10)) as emu:
        siti = emu.resident()
        async with telegram.Bot(DEFAULT_TOKEN, base_url=emu.base_url) as bot:
            for i in range(3):  # chat_burst=3
                await bot.send_message(siti.chat_id, f"m{i}")
            with pytest.raises(RetryAfter):
                await bot.send_message(siti.chat_id, "too fast")
            assert emu.stats["429"] == 1 and len(siti.inbox) == 3
            await asyncio.sleep(0.11)  # one token back after 1 s / time_scale
            await bot.send_message(siti.chat_id, "later")
            assert len(siti.inbox) == 4


def test_429_body_shape() -> None:
    with Emulator() as emu, httpx.Client() as client:
        siti = emu.resident()
        url = f"{emu.base_url}{DEFAULT_TOKEN}/sendMessage"
        codes = [client.post(url, data={"chat_id": siti.chat_id, "text": "x"}).status_code
                 for _ in range(4)]
        r = client.post(url, data={"chat_id": siti.chat_id, "text": "x"})
        assert codes == [200, 200, 200, 429] and r.status_code == 429
        body = r.json()
        assert body["ok"] is False and body["error_code"] == 429
        n = body["parameters"]["retry_after"]
        assert isinstance(n, int) and n >= 1 and body["description"] == f"Too Many Requests: retry after {n}"


def test_rate_limiter_windows() -> None:
    t = [0.0]
    lim = RateLimiter(Limits(global_per_second=5, group_per_minute=3), clock=lambda: t[0])
    for _ in range(3):
        lim.hit(-100, "supergroup")
    with pytest.raises(ApiError) as info:
        lim.hit(-100, "supergroup")
    assert info.value.parameters == {"retry_after": 60}
    t[0] = 30.0
    lim.hit(-200, "group")  # other groups are independent
    t[0] = 60.5
    lim.hit(-100, "supergroup")  # the minute window slid past the first hits
    t[0] = 100.0
    for uid in range(10, 15):
        lim.hit(uid, "private")
    with pytest.raises(ApiError) as info:  # global: 5 per second across chats
        lim.hit(99, "private")
    assert info.value.code == 429 and info.value.parameters == {"retry_after": 1}
    t[0] = 101.0
    for _ in range(3):  # private burst of 3, then 1 per second
        lim.hit(7, "private")
    with pytest.raises(ApiError):
        lim.hit(7, "private")
    t[0] = 102.0
    lim.hit(7, "private")


async def test_group_limit_counts_topics_and_sends() -> None:
    with Emulator(limits=Limits(group_per_minute=4, time_scale=60)) as emu:
        grp = emu.forum_group()
        async with telegram.Bot(DEFAULT_TOKEN, base_url=emu.base_url) as bot:
            t = await bot.create_forum_topic(grp.chat_id, "A")
            m = await bot.send_message(grp.chat_id, "1", message_thread_id=t.message_thread_id)
            await bot.edit_message_text("1b", grp.chat_id, m.message_id)
            await bot.send_message(grp.chat_id, "general")
            with pytest.raises(RetryAfter):
                await bot.create_forum_topic(grp.chat_id, "B")
            assert emu.stats["429"] == 1


async def test_blocked_user_403_and_updates(bot: telegram.Bot, emu: Emulator) -> None:
    siti = emu.resident()
    siti.block()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(siti.chat_id, "halo")
    assert emu.stats["403"] == 1
    assert (await bot.get_chat_member(siti.chat_id, 123456)).status == "kicked"
    siti.unblock()
    await bot.send_message(siti.chat_id, "halo lagi")
    ups = await bot.get_updates()
    assert [(u.my_chat_member.old_chat_member.status, u.my_chat_member.new_chat_member.status)
            for u in ups] == [("member", "kicked"), ("kicked", "member")]
    stranger = emu.resident("Ujang", started=False)
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await bot.send_message(stranger.chat_id, "halo")


async def test_closed_topic_rejected(bot: telegram.Bot, emu: Emulator) -> None:
    grp = emu.forum_group()
    t = await bot.create_forum_topic(grp.chat_id, "Siti")
    await bot.close_forum_topic(grp.chat_id, t.message_thread_id)
    with pytest.raises(BadRequest, match=r"(?i)topic_closed"):
        await bot.send_message(grp.chat_id, "x", message_thread_id=t.message_thread_id)
    assert grp.topics[t.message_thread_id]["closed"] is True
    no_rights = emu.forum_group(bot_is_admin=False)
    with pytest.raises(BadRequest, match=r"(?i)not enough rights"):
        await bot.create_forum_topic(no_rights.chat_id, "x")


def test_faults_are_seeded_and_counted() -> None:
    a, b = Faults(rate=0.3, seed=7), Faults(rate=0.3, seed=7)
    assert [a.pick("sendMessage") for _ in range(50)] == [b.pick("sendMessage") for _ in range(50)]
    assert Faults(rate=1.0).pick("getUpdates") is None
    with pytest.raises(ValueError):
        Faults(kinds=("meteor",))
    with Emulator() as emu:
        siti = emu.resident()
        emu.faults = Faults(rate=1.0, kinds=("500",))
        url = f"{emu.base_url}{DEFAULT_TOKEN}/sendMessage"
        r = httpx.post(url, data={"chat_id": siti.chat_id, "text": "x"})
        assert r.status_code == 500 and siti.inbox == []
        emu.faults = Faults(rate=1.0, kinds=("drop",))
        with pytest.raises(httpx.HTTPError):
            httpx.post(url, data={"chat_id": siti.chat_id, "text": "dropped"})
        assert [m["text"] for m in siti.inbox] == ["dropped"]  # executed, answer lost
        emu.faults = Faults(rate=1.0, kinds=("timeout",), hang_seconds=2)
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(url, data={"chat_id": siti.chat_id, "text": "slow"}, timeout=0.3)
        emu.faults = None
        assert httpx.post(url, data={"chat_id": siti.chat_id, "text": "ok"}).status_code == 200
        assert emu.stats["faults"] == 3
