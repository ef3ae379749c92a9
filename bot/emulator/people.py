"""Handles for the humans in the emulated world: residents (private chats), operators and groups.

Boundary: the test-facing side. Each action builds the Telegram update a real client would
cause and queues it in the World; each view (inbox, keyboard, topics) reads World state under
its lock. No HTTP here -- the bot only learns about these actions through getUpdates/webhook.
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING, Any

from .methods_chat import member_api
from .world import Chat, World, now

if TYPE_CHECKING:
    from .emulator import Emulator

MEDIA_KINDS = ("sticker", "voice", "photo", "video", "document", "location", "contact",
               "video_note", "audio", "animation", "poll", "dice")


def _command_entities(text: str) -> list[dict[str, Any]]:
    if not text.startswith("/"):
        return []
    word = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": len(word.encode("utf-16-le")) // 2}]


class ChatView:
    """What a person sees in one chat: bot messages (optionally one forum thread), keyboard, actions."""

    def __init__(self, emu: Emulator, chat: Chat):
        self._emu = emu
        self._world: World = emu.world
        self.chat = chat
        self._cursor = 0

    @property
    def chat_id(self) -> int:
        return self.chat.id

    @property
    def inbox(self) -> list[dict[str, Any]]:
        """Messages the bot sent here, in order. Edits update entries in place; deletions set
        ``deleted=True``. Entries carry the full ``reply_markup`` the bot sent (any kind)."""
        with self._world.lock:
            return list(self.chat.inbox)

    @property
    def last(self) -> dict[str, Any] | None:
        with self._world.lock:
            return self.chat.inbox[-1] if self.chat.inbox else None

    @property
    def latest_keyboard(self) -> list[list[str]] | None:
        with self._world.lock:
            kb = self.chat.reply_keyboard
            return [list(row) for row in kb] if kb is not None else None

    @property
    def chat_actions(self) -> list[str]:
        with self._world.lock:
            return list(self.chat.chat_actions)

    @property
    def callback_answers(self) -> list[dict[str, Any]]:
        with self._world.lock:
            return list(self.chat.callback_answers)

    def wait_for(self, n: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Block until >= n new bot messages arrived since the last wait_for; return them all."""
        deadline = time.monotonic() + timeout
        with self._world.changed:
            while len(self.chat.inbox) - self._cursor < n:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    got = [m.get("text") or m.get("caption") or "<media>"
                           for m in self.chat.inbox[self._cursor:]]
                    raise TimeoutError(f"waited {timeout}s for {n} message(s) in chat "
                                       f"{self.chat.id}, got {len(got)}: {got!r}")
                self._world.changed.wait(remaining)
            new = self.chat.inbox[self._cursor:]
            self._cursor = len(self.chat.inbox)
            return list(new)


class Person:
    """Shared actions of a human user inside one chat."""

    def __init__(self, emu: Emulator, user: dict[str, Any], chat: Chat):
        self._emu = emu
        self._world: World = emu.world
        self.user = user
        self._chat = chat

    @property
    def id(self) -> int:
        return int(self.user["id"])

    def _post(self, body: dict[str, Any], thread_id: int | None = None) -> dict[str, Any]:
        with self._world.lock:
            self._chat.started = True
            msg = self._world.add_message(self._chat, self.user, body, thread_id)
            api = self._world.api_message(msg)
            self._world.emit("message", api)
            return api

    def send(self, text: str, thread_id: int | None = None, reply_to: int | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"text": text}
        entities = _command_entities(text)
        if entities:
            body["entities"] = entities
        if reply_to is not None:
            with self._world.lock:
                body["reply_to_message"] = self._world.api_message(
                    self._chat.messages[reply_to], nested=True)
        return self._post(body, thread_id)

    def command(self, command: str, *args: str, thread_id: int | None = None) -> dict[str, Any]:
        text = " ".join(["/" + command.lstrip("/"), *args])
        return self.send(text, thread_id=thread_id)

    def send_media(self, kind: str, caption: str | None = None, thread_id: int | None = None) -> dict[str, Any]:
        if kind not in MEDIA_KINDS:
            raise ValueError(f"unknown media kind {kind!r}; one of {MEDIA_KINDS}")
        body = {kind: self._media(kind)}
        if kind == "animation":
            body["document"] = dict(body["animation"], file_name="anim.mp4", mime_type="video/mp4")
        if caption and kind not in ("sticker", "location", "contact", "video_note", "poll", "dice"):
            body["caption"] = caption
        return self._post(body, thread_id)

    def _media(self, kind: str) -> Any:
        rng = random.Random(self.id + len(self._chat.order))
        if kind == "location":
            return {"latitude": -6.1204, "longitude": 106.1503}  # Kota Serang
        if kind == "contact":
            return {"phone_number": "+6281234567890", "first_name": self.user["first_name"],
                    "user_id": self.id}
        if kind == "dice":
            return {"emoji": "🎲", "value": rng.randint(1, 6)}
        if kind == "poll":
            return {"id": str(self._world.next_id()), "question": "Sudah aktivasi IKD?",
                    "options": [{"persistent_id": str(i), "text": t, "voter_count": 0}
                                for i, t in enumerate(("Sudah", "Belum"))],
                    "total_voter_count": 0, "is_closed": False, "is_anonymous": False,
                    "type": "regular", "allows_multiple_answers": False,
                    "allows_revoting": False, "members_only": False}
        f = self._world.add_file(f"{kind}-bytes-{rng.random()}".encode(), kind)
        base = {"file_id": f["file_id"], "file_unique_id": f["file_unique_id"], "file_size": f["file_size"]}
        extras: dict[str, dict[str, Any]] = {
            "sticker": {"type": "regular", "width": 512, "height": 512, "is_animated": False,
                        "is_video": False, "emoji": "👍"},
            "voice": {"duration": 3, "mime_type": "audio/ogg"},
            "video": {"width": 640, "height": 360, "duration": 5, "mime_type": "video/mp4"},
            "document": {"file_name": "ktp.pdf", "mime_type": "application/pdf"},
            "video_note": {"length": 240, "duration": 4},
            "audio": {"duration": 30, "title": "Rekaman", "mime_type": "audio/mpeg"},
            "animation": {"width": 320, "height": 240, "duration": 2},
            "photo": {},
        }
        extra = extras[kind]
        if kind == "photo":
            return [dict(base, file_unique_id=base["file_unique_id"] + s, width=w, height=w)
                    for s, w in (("s", 90), ("m", 320), ("x", 1280))]
        return {**base, **extra}

    def edit(self, message_id: int, text: str) -> dict[str, Any]:
        with self._world.lock:
            msg = self._chat.messages[message_id]
            if msg.get("from", {}).get("id") != self.id:
                raise ValueError("a person can only edit their own messages")
            msg["text"] = text
            msg["edit_date"] = max(now(), msg["date"])
            api = self._world.api_message(msg)
            self._world.emit("edited_message", api)
            return api

    def tap(self, callback_data: str, message_id: int | None = None, force: bool = False) -> dict[str, Any]:
        """Press an inline button: a callback_query on the latest bot message offering it."""
        with self._world.lock:
            msg = self._find_inline(callback_data, message_id, force)
            query: dict[str, Any] = {
                "id": str(self._world.next_id() * 7919), "from": dict(self.user),
                "chat_instance": str(abs(self._chat.id) * 31 + 7), "data": callback_data,
                "message": self._world.api_message(msg),
            }
            self._world.callback_queries[query["id"]] = {"chat_id": self._chat.id, "answer": None}
            self._world.emit("callback_query", query)
            return query

    def _find_inline(self, data: str, message_id: int | None, force: bool) -> dict[str, Any]:
        candidates = ([self._chat.messages[message_id]] if message_id is not None else
                      [self._chat.messages[i] for i in reversed(self._chat.order)])
        for msg in candidates:
            if msg.get("deleted") or "inline_keyboard" not in msg.get("reply_markup", {}):
                continue
            buttons = [b.get("callback_data") for row in msg["reply_markup"]["inline_keyboard"] for b in row]
            if data in buttons or force:
                return msg
            if message_id is None:
                break  # only the latest inline keyboard counts, as a user would see it
        if force and message_id is not None:
            return candidates[0]
        raise AssertionError(f"no inline button with callback_data={data!r} on the latest inline keyboard")


class Resident(Person, ChatView):
    """A virtual user in a private chat with the bot."""

    def __init__(self, emu: Emulator, user: dict[str, Any], chat: Chat):
        Person.__init__(self, emu, user, chat)
        ChatView.__init__(self, emu, chat)

    def press(self, label: str, force: bool = False) -> dict[str, Any]:
        """Press a reply-keyboard button (= send its text); it must be on the latest keyboard."""
        if not force:
            kb = self.latest_keyboard
            if kb is None or label not in [b for row in kb for b in row]:
                raise AssertionError(f"button {label!r} is not on the latest keyboard: {kb!r}")
        return self.send(label)

    def _member_change(self, old: str, new: str) -> None:
        bot = self._world.bot_sender()
        self._world.emit("my_chat_member", {
            "chat": self._world.chat_api(self.chat), "from": dict(self.user), "date": now(),
            "old_chat_member": member_api(bot, old), "new_chat_member": member_api(bot, new)})

    def block(self) -> None:
        with self._world.lock:
            self.chat.blocked = True
            self._member_change("member", "kicked")

    def unblock(self) -> None:
        with self._world.lock:
            self.chat.blocked = False
            self._member_change("kicked", "member")


class Group(ChatView):
    """A group or forum supergroup the bot is in."""

    def remove(self, member: Person, by: Person | None = None, ban: bool = False) -> None:
        """An admin removes ``member`` (a chat_member update, sent only to bots that ask for it)."""
        world = self._emu.world
        with world.lock:
            old = self.chat.members.get(member.id, "left")
            new = "kicked" if ban else "left"
            self.chat.members[member.id] = new
            world.emit("chat_member", {
                "chat": world.chat_api(self.chat), "from": dict((by or member).user), "date": now(),
                "old_chat_member": member_api(dict(member.user), old),
                "new_chat_member": member_api(dict(member.user), new)})

    @property
    def topics(self) -> dict[int, dict[str, Any]]:
        with self._world.lock:
            return {tid: {"name": t.name, "closed": t.closed, "deleted": t.deleted}
                    for tid, t in self.chat.topics.items()}

    def messages_in(self, thread_id: int | None, everyone: bool = False) -> list[dict[str, Any]]:
        """Bot messages in a thread (None = General/no thread); ``everyone`` adds people and
        service messages."""
        with self._world.lock:
            sent = {id(m) for m in self.chat.inbox}  # bot sends, not bot-caused service messages
            msgs = [self.chat.messages[i] for i in self.chat.order]
            return [m for m in msgs if m.get("message_thread_id") == thread_id and not m.get("deleted")
                    and (everyone or id(m) in sent)]


class Operator(Person):
    """A human member of a group (e.g. an IKD operator answering in forum topics)."""

    def __init__(self, emu: Emulator, user: dict[str, Any], group: Group):
        super().__init__(emu, user, group.chat)
        self.group = group
