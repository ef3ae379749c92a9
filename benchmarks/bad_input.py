"""7. Bad input: a generated corpus of odd updates, each injected into the emulator (or, for kinds
the bot does not subscribe to, also handed straight to its update queue, as a misconfigured
webhook would), with the outcome of each classified: answered, or ignored by design.

``errors`` counts log records at ERROR (an exception reaching the adapter's or PTB's error
path); ``bad_input_unexpected`` lists items whose outcome differs from the design's.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update

from benchmarks.harness import bot_parts, counting_errors, workdir
from bot.emulator import MEDIA_KINDS, Emulator, Limits
from bot.telegram.app import RunningBot

ANSWERED, IGNORED = "answered", "ignored"

TEXTS = [
    "", " ", "\n\n\n", "\t", "a" * 4096, "tolong " * 1500, "\x00\x01\x02\x1b[31m", "\u200b", "\u200b\u200c\u200d\ufeff",
    "\u202eaynabmot", "مرحبا، أحتاج مساعدة", "שלום", "😀😀😀", "👍", "🙋", "🏳️‍🌈" * 200, "e\u0301" * 400, "%s %d {0} {{}}",
    "<b>tebal</b>", "*_`[]()~>#+-=|{}.!", "'; DROP TABLE conversations; --", "\\", "1", "0", "-1", "3", "99",
    "99999999999999999999", "NIK saya 3604123456789012", "PIN 123456", "kode OTP 4821", "null", "NaN", "ya " * 1300,
    "Ya", "YA!!!", "sudah", "tidak", "ᴮᴬᴾᴬᴷ", "ｙａ", "\r\n", "…", "🙏🏽🙏🏽", "Kembali", "⬅️", "?", "??????",
    "\u0000", "\ud7ff\ue000", "\u2028\u2029", "\u00a0\u00a0", "\u180e", "\u2066isolate\u2069", "A\u0308\u0308\u0308" * 100,
    "https://ikd.dukcapil.go.id", "t.me/TemanIKDBot?start=set_pin", "@TemanIKDBot", "#ikd", "+6281234567890",
    "email saya warga@example.com", "08123456789", "kata sandi: rahasia123", "1️⃣", "🅰️🅱️", "👨‍👩‍👧‍👦", "\U0001F3FB",
    "ⓨⓐ", "ＳＵＤＡＨ", "sudaaaaaah", "s u d a h", "belom", "gk", "ga bisa", "tdk tau", "bantuan", "orang", "petugas",
]
COMMANDS = [
    "/", "//", "/start", "/start nonexistent", "/start ../../etc/passwd", "/start face_check", "/START", "/start@TemanIKDBot",
    "/start@OtherBot", "/bantuan@TemanIKDBot", "/terbang", "/" + "a" * 300, "/hapusdata", "/kembali", "/ulangi",
    "/berhenti", "/tanya", "/mulai", "/start " + "x" * 500, "/ulangi extra words here", "/kembali\n/kembali",
]


@dataclass
class Item:
    name: str
    expect: str
    chat_id: int | None  # where an answer would appear
    act: Callable[[], Any]
    direct: bool = False  # also handed straight to the update queue
    raw: dict[str, Any] = field(default_factory=dict)
    outcome: str = ""


def _user(uid: int, name: str = "Warga") -> dict[str, Any]:
    return {"id": uid, "is_bot": False, "first_name": name}


def _private(uid: int) -> dict[str, Any]:
    return {"id": uid, "type": "private", "first_name": "Warga"}


def build_corpus(emu: Emulator, started: Callable[[], Any], fresh: Callable[[], Any], groups: Callable[[], Any],
                 state_of: Callable[[int], str], every: int = 1) -> list[Item]:
    """Every odd update, each for its own resident or group; ``every``: keep every n-th of each kind."""
    items: list[Item] = []

    def pick(seq):
        return list(seq)[::every]

    now = int(time.time())
    for make, who in ((started, "started"), (fresh, "new")):
        for text in pick(TEXTS + COMMANDS):
            r = make()
            items.append(Item(f"text[{who}]:{text[:20]!r}", ANSWERED, r.chat_id, (lambda r=r, t=text: r.send(t))))
        for kind in pick(MEDIA_KINDS):
            r = make()
            items.append(Item(f"media[{who}]:{kind}", ANSWERED, r.chat_id, (lambda r=r, k=kind: r.send_media(k))))
        r = make()
        items.append(Item(f"media[{who}]:photo+secret caption", ANSWERED, r.chat_id,
                          (lambda r=r: r.send_media("photo", caption="PIN saya 123456"))))
    for text in pick(("sudah", "NIK 3604123456789012", "", "/start", "🙋", "ya", "tidak", "\u200b", "x" * 4096,
                      "/hapusdata", "PIN 123456", "😀", "/kembali", "belum", "\u202e")):  # edited messages
        r = started()
        sent = r.send("halo")
        items.append(Item(f"edited:{text[:15]!r}", ANSWERED, r.chat_id, (lambda r=r, m=sent, t=text: r.edit(m["message_id"], t)),
                          raw={"pre": True}))
    for make, who in ((started, "started"), (fresh, "new")):
        for data in pick(("", "b", "b1", "b1:", "b999:{s}", "b1:{s}", "bX:{s}", "x" * 64, "b-1:{s}", "b0:{s}",
                          "b1:{s}x", "b1:nonexistent_state", "b2:{s}", "\u200b", "b1:{s}:{s}")):
            r = make()
            if who == "new":
                r.send("halo")  # a message to press on: the newcomer's first words
            items.append(Item(f"callback[{who}]:{data[:20]!r}", ANSWERED, r.chat_id, _callback(emu, r, data, state_of)))
    r = started()
    items.append(Item("callback:no message (inline)", ANSWERED, r.chat_id, _inline_callback(emu, r)))
    for label, body in pick((("plain text", {"text": "halo semua"}), ("command", {"text": "/start"}),
                        ("mention", {"text": "@TemanIKDBot tolong", "entities": [{"type": "mention", "offset": 0, "length": 12}]}),
                        ("sticker-less service", {"new_chat_title": "Arisan baru"}), ("photo", {"photo": []}))):
        g = groups()
        items.append(Item(f"group:{label}", IGNORED, g.chat_id, _group_message(emu, g, body, now)))
    for label, extra in pick((("new_chat_members", {"new_chat_members": [_user(42)]}), ("left_chat_member", {"left_chat_member": _user(42)}),
                         ("pinned", {"pinned_message": {"message_id": 1, "date": 0, "chat": None}}),
                         ("web_app_data", {"web_app_data": {"data": "x" * 100, "button_text": "Buka"}}),
                         ("no content", {}), ("forwarded", {"text": "diteruskan", "forward_origin": {"type": "hidden_user", "date": now, "sender_user_name": "X"}}),
                         ("future date", {"text": "halo", "date": now + 10 ** 6}), ("zero date", {"text": "halo", "date": 0}),
                         ("thread in private", {"text": "halo", "message_thread_id": 77, "is_topic_message": True}),
                         ("reply to unknown", {"text": "ya", "reply_to_message": {"message_id": 999999, "date": 0, "chat": None}}),
                         ("via bot", {"text": "halo", "via_bot": {"id": 1, "is_bot": True, "first_name": "B", "username": "b"}}),
                         ("sender_chat only", {"text": "halo", "from": None}),
                         ("bot author", {"text": "halo", "from": {"id": 77, "is_bot": True, "first_name": "Bot"}}))):
        r = started()
        expect = IGNORED if label in ("new_chat_members", "left_chat_member", "pinned", "web_app_data", "no content") else ANSWERED
        items.append(Item(f"odd message:{label}", expect, r.chat_id, _odd_message(emu, r, extra, now)))
    r = started()
    items.append(Item("channel post", IGNORED, None, lambda: emu.channel_post("Info IKD")))
    for kind, body in pick(_unsubscribed(now, r.chat_id).items()):
        items.append(Item(f"unsubscribed:{kind}", IGNORED, r.chat_id, (lambda k=kind, b=body: emu.inject({k: b})),
                          direct=True, raw={kind: body}))
    for label in ("block", "unblock"):
        r2 = started()
        items.append(Item(f"membership:{label}", IGNORED, r2.chat_id,
                          (lambda r2=r2, lb=label: r2.block() if lb == "block" else (r2.block(), r2.unblock()))))
    return items


def _callback(emu: Emulator, r, data: str, state_of: Callable[[int], str]) -> Callable[[], Any]:
    def act() -> Any:
        filled = data.replace("{s}", state_of(r.chat_id))
        qid = f"cb-{r.chat_id}"
        with emu.world.lock:
            emu.world.callback_queries[qid] = {"chat_id": r.chat_id, "answer": None}
            message = emu.world.api_message(r.chat.messages[r.chat.order[-1]])
        return emu.inject({"callback_query": {"id": qid, "from": _user(r.chat_id), "chat_instance": "1",
                                              "data": filled, "message": message}})
    return act


def _inline_callback(emu: Emulator, r) -> Callable[[], Any]:
    def act() -> Any:
        qid = f"cb-inline-{r.chat_id}"
        with emu.world.lock:
            emu.world.callback_queries[qid] = {"chat_id": r.chat_id, "answer": None}
        return emu.inject({"callback_query": {"id": qid, "from": _user(r.chat_id), "chat_instance": "1",
                                              "inline_message_id": "abc", "data": "b1:x"}})
    return act


def _group_message(emu: Emulator, g, body: dict[str, Any], now: int) -> Callable[[], Any]:
    def act() -> Any:
        chat = {"id": g.chat_id, "type": g.chat.type, "title": "Grup"}
        return emu.inject({"message": {"message_id": 10 ** 6, "date": now, "chat": chat, "from": _user(4242), **body}})
    return act


def _odd_message(emu: Emulator, r, extra: dict[str, Any], now: int) -> Callable[[], Any]:
    def act() -> Any:
        message = {"message_id": 10 ** 6 + len(r.inbox), "date": now, "chat": _private(r.chat_id), "from": _user(r.chat_id)}
        message.update(extra)
        for key in ("pinned_message", "reply_to_message"):
            if key in message:
                message[key]["chat"] = _private(r.chat_id)
        if message.get("from") is None:
            message.pop("from")
            message["sender_chat"] = _private(r.chat_id)
        return emu.inject({"message": message})
    return act


def _unsubscribed(now: int, uid: int) -> dict[str, dict[str, Any]]:
    user, chat = _user(uid), _private(uid)
    return {
        "inline_query": {"id": "iq1", "from": user, "query": "ikd", "offset": ""},
        "chosen_inline_result": {"result_id": "r1", "from": user, "query": "ikd"},
        "poll": {"id": "p1", "question": "Sudah?", "options": [{"persistent_id": "0", "text": "Ya", "voter_count": 0}], "total_voter_count": 0,
                 "is_closed": False, "is_anonymous": True, "type": "regular", "allows_multiple_answers": False,
                 "allows_revoting": False, "members_only": False},
        "poll_answer": {"poll_id": "p1", "option_ids": [0], "option_persistent_ids": ["0"], "user": user},
        "chat_join_request": {"chat": {"id": -100777, "type": "supergroup", "title": "G"}, "from": user,
                              "user_chat_id": uid, "date": now},
        "message_reaction": {"chat": chat, "message_id": 1, "date": now, "old_reaction": [],
                             "new_reaction": [{"type": "emoji", "emoji": "👍"}], "user": user},
        "message_reaction_count": {"chat": chat, "message_id": 1, "date": now, "reactions": []},
        "shipping_query": {"id": "s1", "from": user, "invoice_payload": "x", "shipping_address": {
            "country_code": "ID", "state": "Banten", "city": "Serang", "street_line1": "Jl. A", "street_line2": "",
            "post_code": "42111"}},
        "pre_checkout_query": {"id": "pc1", "from": user, "currency": "IDR", "total_amount": 1000, "invoice_payload": "x"},
        "chat_member": {"chat": {"id": -100777, "type": "supergroup", "title": "G"}, "from": user, "date": now,
                        "old_chat_member": {"status": "left", "user": user}, "new_chat_member": {"status": "member", "user": user}},
    }


async def measure(replays: int = 20, every: int = 1) -> dict[str, Any]:
    """``every``: keep every n-th corpus item only (the smoke test's tiny run)."""
    with workdir("bad") as wd, Emulator(limits=Limits(time_scale=20.0)) as emu, counting_errors() as errors:
        parts = bot_parts(emu, wd / "bot.sqlite3", chat_interval=0.05)
        store = parts.adapter.store
        async with RunningBot(parts) as bot:
            made = []

            def started():
                r = emu.resident(f"Warga{len(made)}")
                r.command("start")
                made.append(r)
                return r

            def fresh():
                r = emu.resident(f"Baru{len(made)}")
                made.append(r)
                return r

            def groups():
                return emu.group(f"Grup {len(made)}")

            def state_of(chat_id: int) -> str:
                stored = store.load(chat_id)
                return stored.conversation.state if stored else "none"

            items = build_corpus(emu, started, fresh, groups, state_of, every)
            await bot.settle(60.0)
            before = {id(i): _seen(emu, i.chat_id) for i in items}
            injected, invalid = [], []
            for item in items:
                result = item.act()
                if isinstance(result, dict) and "update_id" in result:
                    injected.append(result)
                if item.direct:
                    data = dict(item.raw, update_id=10 ** 7 + len(injected))
                    try:
                        update = Update.de_json(data, parts.application.bot)
                    except (TypeError, KeyError, ValueError) as exc:  # the corpus's fault, not the bot's
                        invalid.append(f"{item.name}: {exc}")
                        continue
                    await parts.application.update_queue.put(update)
            await bot.settle(120.0)
            for item in items:
                item.outcome = ANSWERED if _seen(emu, item.chat_id) > before[id(item)] else IGNORED
            # Replays: updates already handled arrive again (a redelivery): nothing must happen.
            sends = emu.stats["sends"]
            for data in [u for u in injected if "message" in u or "callback_query" in u][:replays]:
                await parts.application.update_queue.put(Update.de_json(dict(data), parts.application.bot))
            await bot.settle(30.0)
            replay_answers = emu.stats["sends"] - sends
        store.close()
    counts = {ANSWERED: 0, IGNORED: 0}
    for item in items:
        counts[item.outcome] += 1
    unexpected = [f"{i.name}: {i.outcome} (designed: {i.expect})" for i in items if i.outcome != i.expect]
    return {
        "bad_input_updates": len(items) + replays,
        "bad_input_answered": counts[ANSWERED],
        "bad_input_ignored": counts[IGNORED] + replays,
        "bad_input_replays_answered": replay_answers,
        "bad_input_errors": errors.count,
        "bad_input_unexpected": unexpected,
        "bad_input_error_lines": errors.records[:5],
        "bad_input_corpus_invalid": invalid,
        "errors": errors.count,
    }


def _seen(emu: Emulator, chat_id: int | None) -> int:
    if chat_id is None:
        return 0
    with emu.world.lock:
        chat = emu.world.chats.get(chat_id)
        if chat is None:
            return 0
        answered = sum(1 for q in emu.world.callback_queries.values() if q["chat_id"] == chat_id and q["answer"] is not None)
        return len(chat.inbox) + answered


if __name__ == "__main__":
    import json

    print(json.dumps(asyncio.run(measure()), indent=1, ensure_ascii=False))
