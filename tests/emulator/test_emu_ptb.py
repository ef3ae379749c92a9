"""A real python-telegram-bot ``Bot`` against the emulator: every answer must parse in PTB."""

from __future__ import annotations

import asyncio
import datetime

import pytest
import telegram
from telegram import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest

from bot.emulator import MEDIA_KINDS, Emulator


async def test_get_me_and_commands(bot: telegram.Bot) -> None:
    me = await bot.get_me()
    assert me.username == "TemanIKDBot" and me.is_bot and me.id == 123456
    cmds = [telegram.BotCommand("start", "Mulai"), telegram.BotCommand("bantuan", "Minta bantuan")]
    assert await bot.set_my_commands(cmds, language_code="id")
    assert await bot.get_my_commands(language_code="id") == tuple(cmds)
    assert await bot.get_my_commands() == ()
    assert await bot.delete_my_commands(language_code="id")
    assert await bot.get_my_commands(language_code="id") == ()
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([telegram.BotCommand("Bad Command", "x")])
    assert await bot.log_out() and await bot.close()


async def test_send_keyboards_edit_delete(bot: telegram.Bot, emu: Emulator) -> None:
    siti = emu.resident("Siti")
    m = await bot.send_message(siti.chat_id, "Sudah punya KTP-el?", reply_markup=ReplyKeyboardMarkup(
        [["✅ Sudah", "❌ Belum"]], resize_keyboard=True, one_time_keyboard=True))
    assert m.text == "Sudah punya KTP-el?" and m.from_user.id == 123456 and m.chat.id == siti.chat_id
    assert siti.latest_keyboard == [["✅ Sudah", "❌ Belum"]]
    assert siti.inbox[-1]["reply_markup"]["resize_keyboard"] is True
    await bot.send_message(siti.chat_id, "ok", reply_markup=ReplyKeyboardRemove())
    assert siti.latest_keyboard is None
    await bot.send_message(siti.chat_id, "Nama?", reply_markup=ForceReply())
    kb = InlineKeyboardMarkup([[InlineKeyboardButton("Ya", callback_data="yes"),
                                InlineKeyboardButton("Panduan", url="https://example.org/ikd")]])
    q = await bot.send_message(siti.chat_id, "Lanjut?", reply_markup=kb,
                               reply_parameters=ReplyParameters(m.message_id))
    assert q.reply_markup == kb and q.reply_to_message.message_id == m.message_id
    e = await bot.edit_message_text("Lanjut sekarang?", siti.chat_id, q.message_id, reply_markup=kb)
    assert isinstance(e, telegram.Message) and e.edit_date is not None and e.reply_markup == kb
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Lanjut sekarang?", siti.chat_id, q.message_id, reply_markup=kb)
    e2 = await bot.edit_message_reply_markup(siti.chat_id, q.message_id, reply_markup=None)
    assert e2.reply_markup is None and "reply_markup" not in siti.inbox[-1]
    assert siti.inbox[-1]["text"] == "Lanjut sekarang?"
    assert await bot.delete_message(siti.chat_id, m.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(siti.chat_id, m.message_id)
    assert await bot.delete_messages(siti.chat_id, [q.message_id, 999])
    assert [x.get("deleted", False) for x in siti.inbox] == [True, False, False, True]
    assert await bot.send_chat_action(siti.chat_id, "typing")
    assert siti.chat_actions == ["typing"]
    assert len(siti.wait_for(4, timeout=0.1)) == 4


async def test_media_sends_copy_forward_and_files(bot: telegram.Bot, emu: Emulator) -> None:
    siti = emu.resident()
    p = await bot.send_photo(siti.chat_id, InputFile(b"\x89PNG fake", filename="a.png"), caption="KTP")
    assert p.photo and p.caption == "KTP"
    d = await bot.send_document(siti.chat_id, InputFile(b"%PDF", filename="panduan.pdf"))
    assert d.document.file_name == "panduan.pdf"
    v = await bot.send_voice(siti.chat_id, b"OggS...", duration=2)
    # int or timedelta, depending on PTB_TIMEDELTA (bot.telegram opts in)
    assert v.voice.duration in (2, datetime.timedelta(seconds=2))
    s = await bot.send_sticker(siti.chat_id, "CAACAgIAAxkBAAEsticker")
    assert s.sticker.file_id == "CAACAgIAAxkBAAEsticker"
    again = await bot.send_photo(siti.chat_id, p.photo[-1].file_id)
    assert again.photo[-1].file_id == p.photo[-1].file_id
    f = await bot.get_file(d.document.file_id)
    assert bytes(await f.download_as_bytearray()) == b"%PDF"
    with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
        await bot.send_photo(siti.chat_id, p.photo[-1].file_id, caption="x" * 1025)
    budi = emu.resident("Budi")
    cid = await bot.copy_message(budi.chat_id, siti.chat_id, p.message_id)
    assert isinstance(cid, telegram.MessageId)
    fwd = await bot.forward_message(budi.chat_id, siti.chat_id, d.message_id)
    assert fwd.forward_origin.sender_user.id == 123456 and fwd.document
    assert [("photo" in m, "document" in m) for m in budi.inbox] == [(True, False), (False, True)]
    # A file a resident sent can be fetched and downloaded by the bot.
    emu.resident("Ani").send_media("voice")
    (upd,) = await bot.get_updates()
    vf = await upd.message.voice.get_file()
    assert (await vf.download_as_bytearray()).startswith(b"voice-bytes")


async def test_updates_parse_in_ptb(bot: telegram.Bot, emu: Emulator) -> None:
    siti = emu.resident("Siti", language_code="id")
    siti.send("sdh pak")
    siti.command("/start", "face_check")
    for kind in MEDIA_KINDS:
        siti.send_media(kind, caption="ini" if kind == "photo" else None)
    sent = await bot.send_message(siti.chat_id, "Pilih", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("Sudah", callback_data="done")]]))
    siti.tap("done")
    siti.edit(1, "sudah pak")
    siti.block()
    siti.unblock()
    emu.group("Arisan RT 03")
    emu.channel_post("Pengumuman: layanan IKD buka Sabtu")
    for u in emu.pending_updates:  # every update the emulator produced parses in PTB
        assert Update.de_json(u, bot).update_id == u["update_id"]
    odd = emu.inject({"message_reaction_count": {"weird": True}})  # any shape is accepted...
    assert odd["update_id"] == emu.pending_updates[-2]["update_id"] + 1
    ups = await bot.get_updates()  # ...but that kind is not in the default allowed_updates
    assert len(ups) == len(MEDIA_KINDS) + 8
    msgs = [u.message for u in ups if u.message]
    assert msgs[0].text == "sdh pak" and msgs[0].from_user.language_code == "id"
    assert msgs[1].text == "/start face_check"
    assert msgs[1].entities[0].type == "bot_command" and msgs[1].entities[0].length == 6
    for kind, m in zip(MEDIA_KINDS, msgs[2:], strict=True):
        assert getattr(m, kind), kind
    cq = next(u.callback_query for u in ups if u.callback_query)
    assert cq.data == "done" and cq.message.message_id == sent.message_id
    assert await cq.answer("Terima kasih")
    assert siti.callback_answers == [{"text": "Terima kasih"}]
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await cq.answer()
    assert next(u.edited_message for u in ups if u.edited_message).text == "sudah pak"
    changes = [u.my_chat_member for u in ups if u.my_chat_member]
    assert [c.new_chat_member.status for c in changes] == [
        ChatMemberStatus.BANNED, ChatMemberStatus.MEMBER, ChatMemberStatus.MEMBER]
    assert changes[2].chat.type == "group"
    assert next(u.channel_post for u in ups if u.channel_post).text.startswith("Pengumuman")
    # Confirming with offset drops them.
    assert await bot.get_updates(offset=ups[-1].update_id + 1) == ()


async def test_forum_topics_and_members(bot: telegram.Bot, emu: Emulator) -> None:
    grp = emu.forum_group("Operator IKD")
    rina = emu.operator(grp, "Rina")
    chat = await bot.get_chat(grp.chat_id)
    assert isinstance(chat, telegram.ChatFullInfo) and chat.is_forum and chat.title == "Operator IKD"
    me = await bot.get_chat_member(grp.chat_id, 123456)
    assert isinstance(me, telegram.ChatMemberAdministrator) and me.can_manage_topics
    assert (await bot.get_chat_member(grp.chat_id, rina.id)).status == ChatMemberStatus.MEMBER
    admins = await bot.get_chat_administrators(grp.chat_id)
    assert {a.status for a in admins} == {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR}
    topic = await bot.create_forum_topic(grp.chat_id, "Siti #1")
    tid = topic.message_thread_id
    m = await bot.send_message(grp.chat_id, "Warga butuh bantuan", message_thread_id=tid)
    assert m.message_thread_id == tid and m.is_topic_message
    rina.send("Saya bantu", thread_id=tid)
    assert await bot.edit_forum_topic(grp.chat_id, tid, name="Siti #1 (selesai)")
    assert await bot.close_forum_topic(grp.chat_id, tid)
    with pytest.raises(BadRequest, match=r"(?i)topic_closed"):
        await bot.send_message(grp.chat_id, "x", message_thread_id=tid)
    assert await bot.reopen_forum_topic(grp.chat_id, tid)
    await bot.send_message(grp.chat_id, "dibuka lagi", message_thread_id=tid)
    assert [x["text"] for x in grp.messages_in(tid)] == ["Warga butuh bantuan", "dibuka lagi"]
    assert await bot.delete_forum_topic(grp.chat_id, tid)
    assert grp.topics[tid] == {"name": "Siti #1 (selesai)", "closed": False, "deleted": True}
    with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
        await bot.send_message(grp.chat_id, "x", message_thread_id=tid)
    with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
        await bot.send_message(grp.chat_id, "x", message_thread_id=9999)
    plain = emu.group("Arisan RT 03")
    with pytest.raises(BadRequest, match=r"(?i)the chat is not a forum"):
        await bot.create_forum_topic(plain.chat_id, "x")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.create_forum_topic(-100999, "x")
    ups = await bot.get_updates()
    topic_msg = next(u.message for u in ups if u.message and u.message.text == "Saya bantu")
    assert topic_msg.message_thread_id == tid and topic_msg.reply_to_message.forum_topic_created
    siti = emu.resident()
    assert (await bot.get_chat(siti.chat_id)).first_name == "Siti"
    with pytest.raises(BadRequest, match=r"(?i)no administrators in the private chat"):
        await bot.get_chat_administrators(siti.chat_id)


async def test_operator_taps_in_group(bot: telegram.Bot, emu: Emulator) -> None:
    grp = emu.forum_group()
    rina = emu.operator(grp)
    t = await bot.create_forum_topic(grp.chat_id, "Budi")
    await bot.send_message(grp.chat_id, "Ambil?", message_thread_id=t.message_thread_id,
                           reply_markup=InlineKeyboardMarkup(
                               [[InlineKeyboardButton("Ambil", callback_data="claim:1")]]))
    rina.tap("claim:1")
    with pytest.raises(AssertionError):
        rina.tap("claim:2")
    ups = await bot.get_updates(allowed_updates=["callback_query"])
    assert [u.callback_query.data for u in ups] == ["claim:1"]
    assert ups[0].callback_query.message.message_thread_id == t.message_thread_id


async def test_long_poll_wakes_promptly(bot: telegram.Bot, emu: Emulator) -> None:
    siti = emu.resident()
    loop = asyncio.get_running_loop()
    loop.call_later(0.2, siti.send, "halo")
    t0 = loop.time()
    ups = await bot.get_updates(timeout=5)
    elapsed = loop.time() - t0
    assert [u.message.text for u in ups] == ["halo"]
    assert 0.15 < elapsed < 1.0
    t0 = loop.time()
    assert await bot.get_updates(offset=ups[0].update_id + 1, timeout=1) == ()
    assert loop.time() - t0 >= 0.95  # an empty long poll waits the full timeout
