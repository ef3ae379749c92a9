"""Bot API methods about the bot, chats, members, forum topics, commands, files and webhooks.

Boundary: like methods_send.py -- runs inside ``BotApi.call`` with spec-checked parameters
and the world lock held; no HTTP. Long-polling (the waiting part of getUpdates) lives in the
server; here is only the instant ``take`` of pending updates and the webhook conflict rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import ApiError, bad_request
from .world import TOPIC_COLORS, Chat, Topic, World

if TYPE_CHECKING:
    from .botapi import Stats
    from .limits import RateLimiter

_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
ALL_UPDATE_KINDS = frozenset({
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages",
    "message_reaction", "message_reaction_count", "inline_query", "chosen_inline_result",
    "callback_query", "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll",
    "poll_answer", "my_chat_member", "chat_member", "chat_join_request", "chat_boost",
    "removed_chat_boost", "managed_bot",
})
ADMIN_RIGHTS = (
    "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
    "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories",
    "can_edit_stories", "can_delete_stories",
)


def member_api(user: dict[str, Any], status: str, manage_topics: bool = True) -> dict[str, Any]:
    """A ChatMember variant for ``status`` (creator/administrator/member/left/kicked)."""
    if status == "creator":
        return {"status": "creator", "user": user, "is_anonymous": False}
    if status == "administrator":
        out: dict[str, Any] = {"status": "administrator", "user": user, "can_be_edited": False,
                               "is_anonymous": False}
        out.update({right: right != "can_promote_members" for right in ADMIN_RIGHTS})
        out["can_manage_topics"] = manage_topics
        out["can_pin_messages"] = True
        return out
    if status == "kicked":
        return {"status": "kicked", "user": user, "until_date": 0}
    return {"status": status, "user": user}


def _allowed_set(value: list[str] | None) -> frozenset[str] | None:
    if value is None:
        return None
    unknown = set(value) - ALL_UPDATE_KINDS
    if unknown:
        raise bad_request(f"unknown update type \"{sorted(unknown)[0]}\" in allowed_updates")
    return frozenset(value)


class ChatMethods:
    """Mixin for :class:`BotApi`."""

    # The BotApi's state, which these methods share (declared here for the type checker).
    world: World
    limiter: RateLimiter
    stats: Stats
    wake_webhook: Callable[[], None]

    # ---- bot & updates ----------------------------------------------------------------------
    def m_getMe(self, p: dict[str, Any]) -> dict[str, Any]:
        return dict(self.world.bot_user)

    def m_logOut(self, p: dict[str, Any]) -> bool:
        return True

    def m_close(self, p: dict[str, Any]) -> bool:
        return True

    def take_updates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        """Instant part of getUpdates; the server repeats it while long-polling."""
        if self.world.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        if "allowed_updates" in p:
            self.world.allowed_updates = _allowed_set(p["allowed_updates"])
        limit = min(max(int(p.get("limit") or 100), 1), 100)
        taken = self.world.take_updates(p.get("offset"), limit, self.world.allowed_updates)
        self.world.mark_handed(taken)
        return taken

    def m_setWebhook(self, p: dict[str, Any]) -> bool:
        url = p["url"]
        if not url:
            return self.m_deleteWebhook(p)
        if not url.startswith(("https://", "http://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.get("secret_token")
        if secret is not None and not _SECRET_RE.match(secret):
            raise bad_request("secret token contains unallowed characters")
        if "allowed_updates" in p:
            self.world.allowed_updates = _allowed_set(p["allowed_updates"])
        if p.get("drop_pending_updates"):
            self.world.updates.clear()
        self.world.webhook = {"url": url, "secret_token": secret,
                              "max_connections": int(p.get("max_connections") or 40),
                              "last_error_date": None, "last_error_message": None}
        self.wake_webhook()
        return True

    def m_deleteWebhook(self, p: dict[str, Any]) -> bool:
        self.world.webhook = None
        if p.get("drop_pending_updates"):
            self.world.updates.clear()
        return True

    def m_getWebhookInfo(self, p: dict[str, Any]) -> dict[str, Any]:
        hook = self.world.webhook
        info: dict[str, Any] = {"url": hook["url"] if hook else "", "has_custom_certificate": False,
                                "pending_update_count": len(self.world.updates)}
        if hook:
            info["max_connections"] = hook["max_connections"]
            info["ip_address"] = "127.0.0.1"
            if hook["last_error_date"]:
                info["last_error_date"] = hook["last_error_date"]
                info["last_error_message"] = hook["last_error_message"]
        if self.world.allowed_updates is not None:
            info["allowed_updates"] = sorted(self.world.allowed_updates)
        return info

    # ---- callback queries & commands --------------------------------------------------------
    def m_answerCallbackQuery(self, p: dict[str, Any]) -> bool:
        query = self.world.callback_queries.get(p["callback_query_id"])
        if query is None or query.get("answer") is not None:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        if len(p.get("text") or "") > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        answer: dict[str, Any] = {k: p[k] for k in ("text", "show_alert", "url", "cache_time") if k in p}
        query["answer"] = answer
        chat = self.world.chats.get(query["chat_id"])
        if chat is not None:
            chat.callback_answers.append(answer)
        self.world.changed.notify_all()
        return True

    @staticmethod
    def _commands_key(p: dict[str, Any]) -> tuple[str, str]:
        scope = p.get("scope") or {"type": "default"}
        parts = [str(scope.get("type"))] + [str(scope[k]) for k in ("chat_id", "user_id") if k in scope]
        return ":".join(parts), p.get("language_code") or ""

    def m_setMyCommands(self, p: dict[str, Any]) -> bool:
        commands = p["commands"]
        if len(commands) > 100:
            raise bad_request("too many commands")
        for cmd in commands:
            if not _COMMAND_RE.match(str(cmd.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(cmd.get("description", ""))) <= 256:
                raise bad_request("command description must be non-empty")
        self.world.commands[self._commands_key(p)] = [
            {"command": c["command"], "description": c["description"]} for c in commands]
        return True

    def m_getMyCommands(self, p: dict[str, Any]) -> list[dict[str, str]]:
        return list(self.world.commands.get(self._commands_key(p), []))

    def m_deleteMyCommands(self, p: dict[str, Any]) -> bool:
        self.world.commands.pop(self._commands_key(p), None)
        return True

    # ---- chats & members --------------------------------------------------------------------
    def m_getChat(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self.world.resolve_chat(p["chat_id"])
        info = self.world.chat_api(chat)
        info.update(accent_color_id=0, max_reaction_count=11, accepted_gift_types={
            "unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
            "premium_subscription": False, "gifts_from_channels": False})
        if chat.type != "private":
            info["permissions"] = {"can_send_messages": True, "can_send_other_messages": True}
        return info

    def _status(self, chat: Chat, user_id: int) -> str:
        if user_id == self.world.bot_user["id"]:
            if chat.type == "private":
                return "kicked" if chat.blocked else "member"
            return chat.bot_status
        if chat.type == "private":
            return "member" if user_id == chat.user_id else "left"
        return chat.members.get(user_id, "left")

    def _user(self, user_id: int) -> dict[str, Any]:
        if user_id == self.world.bot_user["id"]:
            return self.world.bot_sender()
        user = self.world.users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        return dict(user)

    def m_getChatMember(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self.world.resolve_chat(p["chat_id"])
        user = self._user(p["user_id"])
        status = self._status(chat, user["id"])
        topics = chat.bot_can_manage_topics if user["id"] == self.world.bot_user["id"] else True
        return member_api(user, status, manage_topics=topics)

    def m_getChatAdministrators(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        chat = self.world.resolve_chat(p["chat_id"])
        if chat.type == "private":
            raise bad_request("there are no administrators in the private chat")
        out = [member_api(self._user(uid), st) for uid, st in chat.members.items()
               if st in ("creator", "administrator")]
        if chat.bot_status == "administrator":
            out.append(member_api(self.world.bot_sender(), "administrator",
                                  manage_topics=chat.bot_can_manage_topics))
        return out

    def m_getFile(self, p: dict[str, Any]) -> dict[str, Any]:
        rec = self.world.files.get(p["file_id"])
        if rec is None:
            raise bad_request("invalid file_id")
        return {k: rec[k] for k in ("file_id", "file_unique_id", "file_size", "file_path")}

    # ---- forum topics -----------------------------------------------------------------------
    def _forum(self, p: dict[str, Any]) -> Chat:
        chat = self.world.resolve_chat(p["chat_id"])
        if not chat.is_forum:
            raise bad_request("the chat is not a forum")
        return chat

    def _topic(self, chat: Chat, p: dict[str, Any]) -> Topic:
        topic = chat.topics.get(p["message_thread_id"])
        if topic is None or topic.deleted:
            raise bad_request("message thread not found")
        if chat.bot_status != "administrator" or not chat.bot_can_manage_topics:
            raise bad_request("not enough rights to manage topics")
        return topic

    def _service(self, chat: Chat, topic: Topic, body: dict[str, Any]) -> None:
        # Service messages the bot caused are stored but, as on Telegram, not sent back to it.
        self.world.add_message(chat, self.world.bot_sender(), body, topic.thread_id)

    def m_createForumTopic(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self._forum(p)
        if chat.bot_status != "administrator" or not chat.bot_can_manage_topics:
            raise bad_request("not enough rights to create a topic")
        name = p["name"]
        if not 1 <= len(name) <= 128:
            raise bad_request("TOPIC_NAME_INVALID")
        color = p.get("icon_color", TOPIC_COLORS[len(chat.topics) % len(TOPIC_COLORS)])
        if color not in TOPIC_COLORS:
            raise bad_request("TOPIC_ICON_COLOR_INVALID")  # only the six Telegram colours
        self.limiter.hit(chat.id, chat.type)
        thread_id = chat.next_message_id  # the thread id IS the creation message id
        topic = Topic(thread_id, name, color, p.get("icon_custom_emoji_id"))
        chat.topics[thread_id] = topic
        created = {"name": name, "icon_color": color}
        if topic.icon_custom_emoji_id:
            created["icon_custom_emoji_id"] = topic.icon_custom_emoji_id
        self.world.add_message(chat, self.world.bot_sender(), {
            "message_thread_id": thread_id, "is_topic_message": True,
            "forum_topic_created": created})
        self.stats["topics_created"] += 1
        return topic.api()

    def m_editForumTopic(self, p: dict[str, Any]) -> bool:
        chat = self._forum(p)
        topic = self._topic(chat, p)
        edited: dict[str, Any] = {}
        if p.get("name") and p["name"] != topic.name:
            if len(p["name"]) > 128:
                raise bad_request("TOPIC_NAME_INVALID")
            topic.name = edited["name"] = p["name"]
        if "icon_custom_emoji_id" in p and p["icon_custom_emoji_id"] != topic.icon_custom_emoji_id:
            topic.icon_custom_emoji_id = edited["icon_custom_emoji_id"] = p["icon_custom_emoji_id"]
        if not edited:
            raise bad_request("TOPIC_NOT_MODIFIED")
        self._service(chat, topic, {"forum_topic_edited": edited})
        return True

    def _set_closed(self, p: dict[str, Any], closed: bool) -> bool:
        chat = self._forum(p)
        topic = self._topic(chat, p)
        if topic.closed == closed:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.closed = closed
        self._service(chat, topic, {"forum_topic_closed" if closed else "forum_topic_reopened": {}})
        return True

    def m_closeForumTopic(self, p: dict[str, Any]) -> bool:
        return self._set_closed(p, True)

    def m_reopenForumTopic(self, p: dict[str, Any]) -> bool:
        return self._set_closed(p, False)

    def m_deleteForumTopic(self, p: dict[str, Any]) -> bool:
        chat = self._forum(p)
        topic = self._topic(chat, p)
        topic.deleted = True
        for msg in chat.messages.values():
            if msg.get("message_thread_id") == topic.thread_id:
                msg["deleted"] = True
        self.world.changed.notify_all()
        return True

