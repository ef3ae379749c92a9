"""The in-process test API (residents, operators, groups) driving a real PTB Application."""

from __future__ import annotations

import asyncio

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot.emulator import Emulator, Limits


def build_app(emu: Emulator, group_id: list[int]) -> Application:
    async def start(update: Update, ctx: ContextTypes.DEFAULT_TYPE) -> None:
        await ctx.bot.send_chat_action(update.effective_chat.id, "typing")
        await update.message.reply_text(
            f"Halo! arg={ctx.args}", reply_markup=ReplyKeyboardMarkup([["✅ Sudah", "❌ Belum"]]))

    async def text(update: Update, ctx: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message.text == "✅ Sudah":
            await update.message.reply_text("Mantap", reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("Minta operator", callback_data="handoff")]]))
        else:
            await update.message.reply_text(f"echo: {update.message.text}")

    async def handoff(update: Update, ctx: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer("Sebentar")
        topic = await ctx.bot.create_forum_topic(group_id[0], update.effective_user.first_name)
        await ctx.bot.send_message(group_id[0], "Warga minta bantuan",
                                   message_thread_id=topic.message_thread_id)
        await update.callback_query.edit_message_text("Operator dihubungi")

    app = (Application.builder().token(emu.token).base_url(emu.base_url)
           .base_file_url(emu.base_file_url).build())
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(handoff))
    app.add_handler(MessageHandler(filters.TEXT & filters.ChatType.PRIVATE, text))
    return app


async def test_application_round_trip() -> None:
    with Emulator(limits=Limits(time_scale=10)) as emu:
        grp = emu.forum_group("Operator IKD")
        app = build_app(emu, [grp.chat_id])
        async with app:
            await app.updater.start_polling(poll_interval=0, timeout=5)
            await app.start()
            try:
                siti = emu.resident("Siti")
                siti.command("/start", "face_check")
                (hello,) = await asyncio.to_thread(siti.wait_for, 1)
                assert hello["text"] == "Halo! arg=['face_check']"
                assert siti.latest_keyboard == [["✅ Sudah", "❌ Belum"]]
                assert siti.chat_actions == ["typing"]
                with pytest.raises(AssertionError):
                    siti.press("Mungkin")
                siti.press("✅ Sudah")
                (ok,) = await asyncio.to_thread(siti.wait_for, 1)
                assert ok["text"] == "Mantap"
                siti.tap("handoff")
                for _ in range(200):
                    if grp.messages_in(next(iter(grp.topics), -1)):
                        break
                    await asyncio.sleep(0.01)
                (tid,) = grp.topics
                assert grp.topics[tid]["name"] == "Siti"
                assert [m["text"] for m in grp.messages_in(tid)] == ["Warga minta bantuan"]
                for _ in range(200):
                    if siti.inbox[-1]["text"] == "Operator dihubungi":
                        break
                    await asyncio.sleep(0.01)
                assert siti.inbox[-1]["text"] == "Operator dihubungi" and len(siti.inbox) == 2
                assert siti.callback_answers == [{"text": "Sebentar"}]
                with pytest.raises(TimeoutError, match="got 0"):
                    siti.wait_for(1, timeout=0.05)
            finally:
                await app.updater.stop()
                await app.stop()
        methods = [m for m, _ in emu.requests]
        assert {"getMe", "getUpdates", "sendMessage", "answerCallbackQuery",
                "createForumTopic", "editMessageText"} <= set(methods)


def test_people_views(emu: Emulator) -> None:
    siti = emu.resident("Siti")
    m = siti.send("sdh pak")
    assert m["from"]["first_name"] == "Siti" and m["chat"]["type"] == "private"
    with pytest.raises(ValueError):
        siti.send_media("hologram")
    with pytest.raises(AssertionError):
        siti.tap("nothing")
    grp = emu.forum_group()
    rina = emu.operator(grp, "Rina", is_admin=True)
    msg = rina.send("halo semua")
    assert msg["chat"]["id"] == grp.chat_id and "message_thread_id" not in msg
    assert grp.messages_in(None) == []  # only bot messages by default
    assert [x["text"] for x in grp.messages_in(None, everyone=True)] == ["halo semua"]
    assert siti.press("anything", force=True)["text"] == "anything"
    kinds = [next(k for k in u if k != "update_id") for u in emu.pending_updates]
    assert kinds == ["message", "my_chat_member", "message", "message"]
