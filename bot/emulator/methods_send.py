"""Bot API methods that put messages into chats: send*, copy/forward, edit, delete, actions.

Boundary: runs inside ``BotApi.call`` with parameters already type-checked against the spec
(see spec.py) and the world lock held; translates each call into World changes and returns
the Bot API result object. Telegram's content rules (text/caption/button limits, topic
state, blocked users, flood limits) are enforced here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import bad_request, forbidden
from .textfmt import check_caption, check_text
from .world import Chat, World, now

if TYPE_CHECKING:
    from .botapi import Stats
    from .limits import RateLimiter

CHAT_ACTIONS = {
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
}
TEXT_BUTTON_INLINE = "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def check_markup(markup: dict[str, Any] | None, inline_only: bool = False) -> None:
    """Validate reply_markup the way Telegram rejects bad keyboards."""
    if markup is None:
        return
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"])
        return
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        _check_reply_keyboard(markup["keyboard"])
        return
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return
    raise bad_request("can't parse reply keyboard markup JSON object")


_INLINE_ACTIONS = ("web_app", "login_url", "switch_inline_query", "switch_inline_query_current_chat",
                   "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay")


def _check_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    for button in (b for row in rows for b in row):
        if not isinstance(button, dict) or not button.get("text"):
            raise bad_request(TEXT_BUTTON_INLINE)
        if "callback_data" in button:
            size = len(str(button["callback_data"]).encode("utf-8"))
            if not 1 <= size <= 64:
                raise bad_request("BUTTON_DATA_INVALID")
        elif "url" in button:
            if not str(button["url"]).startswith(("http://", "https://", "tg://")):
                raise bad_request(f"inline keyboard button URL '{button['url']}' is invalid: Wrong HTTP URL")
        elif not any(k in button for k in _INLINE_ACTIONS):
            raise bad_request(TEXT_BUTTON_INLINE)


def _check_reply_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
        raise bad_request("can't parse reply keyboard markup JSON object")
    for button in (b for row in rows for b in row):
        text = button if isinstance(button, str) else (button or {}).get("text")
        if not text:
            raise bad_request("can't parse keyboard button: Field \"text\" must be of type String")


def keyboard_labels(markup: dict[str, Any]) -> list[list[str]]:
    return [[b if isinstance(b, str) else b["text"] for b in row] for row in markup["keyboard"]]


class SendMethods:
    """Mixin for :class:`BotApi`; ``self.world``, ``self.limiter``, ``self.stats`` come from it."""

    # The BotApi's state, which these methods share (declared here for the type checker).
    world: World
    limiter: RateLimiter
    stats: Stats

    # ---- shared checks ----------------------------------------------------------------------
    def writable_chat(self, p: dict[str, Any]) -> tuple[Chat, int | None]:
        chat = self.world.resolve_chat(p["chat_id"])
        if chat.type == "private":
            if chat.blocked:
                raise forbidden("bot was blocked by the user")
            if not chat.started:
                raise forbidden("bot can't initiate conversation with a user")
        elif chat.bot_status == "kicked":
            raise forbidden(f"bot was kicked from the {'supergroup ' if chat.type == 'supergroup' else 'group '}chat")
        elif chat.bot_status == "left":
            raise forbidden("bot is not a member of the group chat")
        thread_id = p.get("message_thread_id")
        if chat.is_forum and thread_id not in (None, 1):
            topic = chat.topics.get(thread_id)
            if topic is None or topic.deleted:
                raise bad_request("message thread not found")
            if topic.closed:
                raise bad_request("TOPIC_CLOSED")
        elif thread_id == 1 or not chat.is_forum:
            thread_id = None  # General topic / non-forum chats carry no thread id
        return chat, thread_id

    def reply_part(self, chat: Chat, p: dict[str, Any]) -> dict[str, Any]:
        rp = p.get("reply_parameters")
        if not rp:
            return {}
        target_chat = self.world.resolve_chat(rp["chat_id"]) if rp.get("chat_id") else chat
        target = target_chat.messages.get(rp.get("message_id", 0))
        if target is None or target.get("deleted"):
            if rp.get("allow_sending_without_reply"):
                return {}
            raise bad_request("message to be replied not found")
        return {"reply_to_message": self.world.api_message(target, nested=True)}

    def deliver(self, chat: Chat, thread_id: int | None, body: dict[str, Any],
                p: dict[str, Any]) -> dict[str, Any]:
        """Common tail of every send: markup check, flood limit, store, bookkeeping."""
        markup = p.get("reply_markup")
        check_markup(markup, inline_only=chat.type == "channel")
        extra = self.reply_part(chat, p)
        self.limiter.hit(chat.id, chat.type)
        if markup is not None:
            body["reply_markup"] = markup
        if p.get("parse_mode"):
            body["parse_mode"] = p["parse_mode"]
        msg = self.world.add_message(chat, self.world.bot_sender(), {**extra, **body}, thread_id)
        chat.inbox.append(msg)
        if markup is not None and "keyboard" in markup:
            chat.reply_keyboard = keyboard_labels(markup)
        elif markup is not None and markup.get("remove_keyboard"):
            chat.reply_keyboard = None
        self.stats["sends"] += 1
        return self.world.api_message(msg)

    def media_send(self, p: dict[str, Any], kind: str, media: Any) -> dict[str, Any]:
        chat, thread_id = self.writable_chat(p)
        body: dict[str, Any] = {kind: media}
        caption = check_caption(p.get("caption"), p.get("parse_mode"))
        if caption:
            body["caption"] = caption
        return self.deliver(chat, thread_id, body, p)

    # ---- methods ----------------------------------------------------------------------------
    def m_sendMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        chat, thread_id = self.writable_chat(p)
        text = check_text(p["text"], p.get("parse_mode"))
        return self.deliver(chat, thread_id, {"text": text, "raw_text": p["text"]}, p)

    def m_sendPhoto(self, p: dict[str, Any]) -> dict[str, Any]:
        f = self.world.file_for(p["photo"], "photo")
        sizes = [{"file_id": f["file_id"], "file_unique_id": f["file_unique_id"] + s,
                  "width": w, "height": w, "file_size": f["file_size"]}
                 for s, w in (("s", 90), ("m", 320), ("x", 800))]
        return self.media_send(p, "photo", sizes)

    def m_sendDocument(self, p: dict[str, Any]) -> dict[str, Any]:
        f = self.world.file_for(p["document"], "document")
        doc = {"file_id": f["file_id"], "file_unique_id": f["file_unique_id"],
               "file_size": f["file_size"]}
        name = getattr(p["document"], "filename", None)
        if name:
            doc["file_name"] = name
            doc["mime_type"] = getattr(p["document"], "content_type", "application/octet-stream")
        return self.media_send(p, "document", doc)

    def m_sendVoice(self, p: dict[str, Any]) -> dict[str, Any]:
        f = self.world.file_for(p["voice"], "voice")
        voice = {"file_id": f["file_id"], "file_unique_id": f["file_unique_id"],
                 "duration": int(p.get("duration") or 1), "mime_type": "audio/ogg",
                 "file_size": f["file_size"]}
        return self.media_send(p, "voice", voice)

    def m_sendSticker(self, p: dict[str, Any]) -> dict[str, Any]:
        f = self.world.file_for(p["sticker"], "sticker")
        sticker = {"file_id": f["file_id"], "file_unique_id": f["file_unique_id"],
                   "type": "regular", "width": 512, "height": 512, "is_animated": False,
                   "is_video": False}
        if p.get("emoji"):
            sticker["emoji"] = p["emoji"]
        p = {k: v for k, v in p.items() if k != "caption"}  # stickers carry no caption
        return self.media_send(p, "sticker", sticker)

    def m_sendChatAction(self, p: dict[str, Any]) -> bool:
        chat, _ = self.writable_chat(p)
        if p["action"] not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        chat.chat_actions.append(p["action"])
        self.world.changed.notify_all()
        return True

    def _source(self, p: dict[str, Any], verb: str) -> dict[str, Any]:
        src_chat = self.world.resolve_chat(p["from_chat_id"])
        src = src_chat.messages.get(p["message_id"])
        if src is None or src.get("deleted"):
            raise bad_request(f"message to {verb} not found")
        return src

    def m_copyMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        src = self._source(p, "copy")
        chat, thread_id = self.writable_chat(p)
        keep = ("text", "photo", "document", "voice", "sticker", "video", "audio", "animation",
                "video_note", "location", "contact", "dice", "poll")
        body = {k: v for k, v in src.items() if k in keep}
        if not body:
            raise bad_request("message can't be copied")
        if "caption" in p:
            caption = check_caption(p.get("caption"), p.get("parse_mode"))
            if caption:
                body["caption"] = caption
        elif "caption" in src:
            body["caption"] = src["caption"]
        msg = self.deliver(chat, thread_id, body, p)
        return {"message_id": msg["message_id"]}

    def m_forwardMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        src = self._source(p, "forward")
        chat, thread_id = self.writable_chat(p)
        body = {k: v for k, v in src.items()
                if k not in ("message_id", "date", "chat", "from", "reply_to_message",
                             "message_thread_id", "is_topic_message", "reply_markup")}
        if "from" in src:
            origin = {"type": "user", "date": src["date"], "sender_user": src["from"]}
        else:
            origin = {"type": "channel", "date": src["date"], "chat": src["chat"],
                      "message_id": src["message_id"]}
        body["forward_origin"] = origin
        return self.deliver(chat, thread_id, body, {k: v for k, v in p.items() if k != "reply_markup"})

    # ---- edits and deletes ------------------------------------------------------------------
    def _own_message(self, p: dict[str, Any]) -> tuple[Chat, dict[str, Any]]:
        if "inline_message_id" in p and "chat_id" not in p:
            raise bad_request("inline messages are not supported by the emulator")
        if "chat_id" not in p or "message_id" not in p:
            raise bad_request("message identifier is not specified")
        chat = self.world.resolve_chat(p["chat_id"])
        msg = self.world.get_message(chat, p["message_id"])
        if msg.get("from", {}).get("id") != self.world.bot_user["id"] and chat.type != "channel":
            raise bad_request("message can't be edited")
        return chat, msg

    def m_editMessageText(self, p: dict[str, Any]) -> dict[str, Any]:
        chat, msg = self._own_message(p)
        if "text" not in msg:
            raise bad_request("there is no text in the message to edit")
        text = check_text(p["text"], p.get("parse_mode"))
        markup = p.get("reply_markup")
        check_markup(markup, inline_only=True)
        # Omitting reply_markup removes the inline keyboard, exactly like Telegram.
        if text == msg["text"] and markup == msg.get("reply_markup"):
            raise bad_request(NOT_MODIFIED)
        self.limiter.hit(chat.id, chat.type)
        msg.update(text=text, raw_text=p["text"], edit_date=_date(msg))
        msg.pop("reply_markup", None)
        if markup:
            msg["reply_markup"] = markup
        self.stats["edits"] += 1
        self.world.changed.notify_all()
        return self.world.api_message(msg)

    def m_editMessageReplyMarkup(self, p: dict[str, Any]) -> dict[str, Any]:
        chat, msg = self._own_message(p)
        markup = p.get("reply_markup")
        check_markup(markup, inline_only=True)
        current = msg.get("reply_markup") if "inline_keyboard" in msg.get("reply_markup", {}) else None
        if (markup or None) == current:
            raise bad_request(NOT_MODIFIED)
        self.limiter.hit(chat.id, chat.type)
        msg.pop("reply_markup", None)
        if markup:
            msg["reply_markup"] = markup
        msg["edit_date"] = _date(msg)
        self.stats["edits"] += 1
        self.world.changed.notify_all()
        return self.world.api_message(msg)

    def _delete_one(self, chat: Chat, message_id: int) -> bool:
        msg = chat.messages.get(message_id)
        if msg is None or msg.get("deleted"):
            return False
        own = msg.get("from", {}).get("id") == self.world.bot_user["id"]
        if not own and chat.type != "private" and chat.bot_status != "administrator":
            raise bad_request("message can't be deleted")
        msg["deleted"] = True
        self.world.changed.notify_all()
        return True

    def m_deleteMessage(self, p: dict[str, Any]) -> bool:
        chat = self.world.resolve_chat(p["chat_id"])
        if not self._delete_one(chat, p["message_id"]):
            raise bad_request("message to delete not found")
        return True

    def m_deleteMessages(self, p: dict[str, Any]) -> bool:
        chat = self.world.resolve_chat(p["chat_id"])
        ids = p["message_ids"]
        if not 1 <= len(ids) <= 100:
            raise bad_request("MESSAGE_IDS_INVALID")
        deleted = [self._delete_one(chat, mid) for mid in ids]
        if not any(deleted):
            raise bad_request("message to delete not found")
        return True


def _date(msg: dict[str, Any]) -> int:
    return max(now(), msg["date"])
