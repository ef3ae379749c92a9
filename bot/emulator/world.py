"""The emulated Telegram world: users, chats, messages, forum topics, files and the update queue.

Boundary: plain in-memory state, no HTTP. Both the server thread (Bot API calls) and the test
thread (residents/operators acting) mutate it, so every access goes through ``World.lock``;
``World.changed`` (a Condition on that lock) wakes test threads waiting for bot output, and
``listeners`` wake the server's long polls and webhook sender when an update is queued.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import bad_request

# Telegram's default when allowed_updates was never set: everything except these.
DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# Keys kept on stored messages for test inspection but never sent to the bot.
PRIVATE_KEYS = ("deleted", "parse_mode", "raw_text")
TOPIC_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)


def now() -> int:
    return int(time.time())


@dataclass
class Topic:
    thread_id: int
    name: str
    icon_color: int
    icon_custom_emoji_id: str | None = None
    closed: bool = False
    deleted: bool = False

    def api(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "message_thread_id": self.thread_id, "name": self.name, "icon_color": self.icon_color
        }
        if self.icon_custom_emoji_id:
            out["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return out


@dataclass
class Chat:
    id: int
    type: str  # private | group | supergroup | channel
    title: str | None = None
    username: str | None = None
    user_id: int | None = None  # private chats: the other party
    is_forum: bool = False
    members: dict[int, str] = field(default_factory=dict)  # user id -> creator|administrator|member
    bot_status: str = "member"  # member | administrator | kicked | left
    bot_can_manage_topics: bool = False
    blocked: bool = False
    started: bool = True
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    order: list[int] = field(default_factory=list)  # message ids in send order
    next_message_id: int = 1
    topics: dict[int, Topic] = field(default_factory=dict)
    inbox: list[dict[str, Any]] = field(default_factory=list)  # messages the bot sent here
    chat_actions: list[str] = field(default_factory=list)
    reply_keyboard: list[list[str]] | None = None
    callback_answers: list[dict[str, Any]] = field(default_factory=list)


class World:
    def __init__(self, bot_id: int, bot_username: str, bot_first_name: str):
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.bot_user: dict[str, Any] = {
            "id": bot_id, "is_bot": True, "first_name": bot_first_name, "username": bot_username,
            "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.users: dict[int, dict[str, Any]] = {}
        self.chats: dict[int, Chat] = {}
        self.updates: list[dict[str, Any]] = []
        # The highest update id handed to the bot (getUpdates result or webhook 2xx): updates above
        # it are still waiting here, which a test's settle() must not mistake for a quiet bot.
        self.handed_through = 0
        self.next_update_id = 1
        self.allowed_updates: frozenset[str] | None = None  # None = Telegram default
        self.webhook: dict[str, Any] | None = None
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.files: dict[str, dict[str, Any]] = {}
        self.callback_queries: dict[str, dict[str, Any]] = {}
        self.listeners: list[Callable[[], None]] = []
        self._ids = itertools.count(1)
        self._user_ids = itertools.count(700_000_001)
        self._group_ids = itertools.count(1)

    def bot_sender(self) -> dict[str, Any]:
        """The bot as a message sender (getMe-only capability flags left out)."""
        return {k: self.bot_user[k] for k in ("id", "is_bot", "first_name", "username")}

    # ---- identities -------------------------------------------------------------------------
    def new_user(self, first_name: str, last_name: str | None = None,
                 username: str | None = None, language_code: str | None = None) -> dict[str, Any]:
        with self.lock:
            user: dict[str, Any] = {"id": next(self._user_ids), "is_bot": False, "first_name": first_name}
            if last_name:
                user["last_name"] = last_name
            if username:
                user["username"] = username
            if language_code:
                user["language_code"] = language_code
            self.users[user["id"]] = user
            return user

    def new_chat(self, kind: str, **kw: Any) -> Chat:
        with self.lock:
            n = next(self._group_ids)
            chat_id = {"group": -4_000_000_000 - n, "supergroup": -1_001_000_000_000 - n,
                       "channel": -1_002_000_000_000 - n}[kind]
            chat = Chat(id=chat_id, type=kind, **kw)
            if chat.is_forum:
                chat.next_message_id = 2  # id 1 is the General topic, never a created topic
            self.chats[chat_id] = chat
            return chat

    def private_chat(self, user: dict[str, Any], started: bool = True) -> Chat:
        with self.lock:
            chat = Chat(id=user["id"], type="private", user_id=user["id"], started=started)
            self.chats[chat.id] = chat
            return chat

    def chat_api(self, chat: Chat) -> dict[str, Any]:
        """The short ``Chat`` object embedded in messages and updates."""
        out: dict[str, Any] = {"id": chat.id, "type": chat.type}
        if chat.type == "private":
            user = self.users[chat.user_id]  # type: ignore[index]
            for key in ("first_name", "last_name", "username"):
                if key in user:
                    out[key] = user[key]
        else:
            out["title"] = chat.title or ""
            if chat.username:
                out["username"] = chat.username
            if chat.is_forum:
                out["is_forum"] = True
        return out

    def resolve_chat(self, chat_id: Any) -> Chat:
        """chat_id is an Integer or an @username; unknown -> 400 chat not found."""
        with self.lock:
            if isinstance(chat_id, str):
                name = chat_id.lstrip("@").lower()
                for chat in self.chats.values():
                    if (chat.username or "").lower() == name and chat_id.startswith("@"):
                        return chat
                try:
                    chat_id = int(chat_id)
                except ValueError:
                    raise bad_request("chat not found") from None
            found = self.chats.get(chat_id)
            if found is None:
                raise bad_request("chat not found")
            return found

    # ---- messages ---------------------------------------------------------------------------
    def add_message(self, chat: Chat, sender: dict[str, Any], body: dict[str, Any],
                    thread_id: int | None = None) -> dict[str, Any]:
        """Store a message (bot's or a person's) and return its record (API fields + private keys)."""
        with self.lock:
            msg: dict[str, Any] = {"message_id": chat.next_message_id, "date": now(),
                                   "chat": self.chat_api(chat)}
            chat.next_message_id += 1
            if chat.type != "channel":
                msg["from"] = dict(sender)
            if thread_id is not None and chat.is_forum:
                msg["message_thread_id"] = thread_id
                msg["is_topic_message"] = True
                topic_msg = chat.messages.get(thread_id)
                if topic_msg is not None and "reply_to_message" not in body:
                    # Telegram marks topic messages as replies to the topic's creation message.
                    msg["reply_to_message"] = self.api_message(topic_msg, nested=True)
            msg.update(body)
            chat.messages[msg["message_id"]] = msg
            chat.order.append(msg["message_id"])
            self.changed.notify_all()
            return msg

    def get_message(self, chat: Chat, message_id: int) -> dict[str, Any]:
        msg = chat.messages.get(message_id)
        if msg is None or msg.get("deleted"):
            raise bad_request("message to edit not found")
        return msg

    @staticmethod
    def api_message(msg: dict[str, Any], nested: bool = False) -> dict[str, Any]:
        """A stored record as the Bot API ``Message`` (only inline keyboards travel along)."""
        out = {k: v for k, v in msg.items() if k not in PRIVATE_KEYS}
        markup = out.get("reply_markup")
        if markup is not None and "inline_keyboard" not in markup:
            del out["reply_markup"]
        if nested:
            out.pop("reply_to_message", None)  # Telegram never nests replies twice
        return out

    # ---- updates ----------------------------------------------------------------------------
    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            if "update_id" not in update:
                update = {"update_id": self.next_update_id, **update}
            self.next_update_id = max(self.next_update_id, int(update["update_id"]) + 1)
            self.updates.append(update)
            self.changed.notify_all()
            listeners = list(self.listeners)
        for wake in listeners:
            wake()
        return update

    def emit(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self.push_update({kind: payload})

    def _allowed(self, update: dict[str, Any], allowed: frozenset[str] | None) -> bool:
        kinds = [k for k in update if k != "update_id"]
        if allowed is None or not allowed:
            return not any(k in DEFAULT_EXCLUDED for k in kinds)
        return any(k in allowed for k in kinds)

    def take_updates(self, offset: int | None, limit: int,
                     allowed: frozenset[str] | None) -> list[dict[str, Any]]:
        """getUpdates semantics: offset confirms (drops) earlier updates; -N keeps the last N."""
        with self.lock:
            if offset is not None and offset < 0:
                self.updates = self.updates[offset:]
            elif offset:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
            # Updates of kinds the bot did not ask for are never delivered; drop them.
            self.updates = [u for u in self.updates if self._allowed(u, allowed)]
            return [dict(u) for u in self.updates[:limit]]

    def mark_handed(self, updates: list[dict[str, Any]]) -> None:
        with self.lock:
            for update in updates:
                self.handed_through = max(self.handed_through, int(update["update_id"]))

    def waiting(self) -> bool:
        """True while an update the bot would receive has not been handed to it yet."""
        with self.lock:
            return any(int(u["update_id"]) > self.handed_through and self._allowed(u, self.allowed_updates)
                       for u in self.updates)

    def confirm_through(self, update_id: int) -> None:
        with self.lock:
            self.handed_through = max(self.handed_through, update_id)
            self.updates = [u for u in self.updates if u["update_id"] > update_id]

    # ---- files ------------------------------------------------------------------------------
    def add_file(self, content: bytes, kind: str, file_id: str | None = None,
                 file_name: str | None = None) -> dict[str, Any]:
        with self.lock:
            n = next(self._ids)
            fid = file_id or f"EMU{kind.upper()}{n:06d}AgADBAAD"
            rec = {"file_id": fid, "file_unique_id": f"U{n:08d}", "file_size": len(content),
                   "file_path": f"{kind}s/file_{n}{_ext(kind, file_name)}", "content": content}
            self.files[fid] = rec
            return rec

    def file_for(self, value: Any, kind: str) -> dict[str, Any]:
        """A sent InputFile: known/unknown file_id or URL strings are accepted, uploads stored."""
        with self.lock:
            if isinstance(value, str):
                if value in self.files:
                    return self.files[value]
                return self.add_file(b"", kind, file_id=value)
            return self.add_file(value.body, kind, file_name=value.filename)

    def next_id(self) -> int:
        return next(self._ids)


def _ext(kind: str, file_name: str | None) -> str:
    if file_name and "." in file_name:
        return "." + file_name.rsplit(".", 1)[1]
    return {"photo": ".jpg", "voice": ".oga", "sticker": ".webp", "video": ".mp4",
            "video_note": ".mp4", "audio": ".mp3", "animation": ".mp4"}.get(kind, ".bin")
