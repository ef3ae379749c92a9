"""The webhook server: Telegram's POSTs are checked before they are read, and capped.

python-telegram-bot's own webhook handler reads the whole body (up to tornado's 100 MB) before
it looks at the secret-token header, so anyone who knows the URL could make the bot hold six
90 MB bodies at once. PTB documents running one's own web server and putting each Update on
``application.update_queue`` (its "custom webhook" setup); this is that, on tornado (which PTB's
``webhooks`` extra already brings): a streaming handler whose ``prepare`` checks the
``X-Telegram-Bot-Api-Secret-Token`` header (constant-time) and the announced size after the
headers and before a byte of the body is read, and stops reading at ``MAX_BODY``.

Answers: 200 once the update is stored (bot/telegram/inbox.py) or quarantined as unreadable
(bot/telegram/poison.py; Telegram would otherwise send it again forever), 403 without the
secret, 413 when too big, 400 for a body that is not JSON, and 500 when the database refuses to
store it, so that Telegram sends it again later (a full disk loses nothing).
"""

from __future__ import annotations

import hmac
import json
import logging
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import tornado.httpserver
import tornado.web
from telegram import Update
from tornado.http1connection import HTTP1Connection

from bot.telegram.outage import storage_refused
from bot.telegram.poison import first_update_id

if TYPE_CHECKING:
    from bot.telegram.inbox import DurableUpdateQueue

log = logging.getLogger(__name__)
# Telegram's updates are small: a message is at most 4,096 characters (16 KB of UTF-8) plus its
# entities, sender, chat and one replied-to message; the largest real ones measure tens of KB.
# 1 MiB leaves ample room and bounds what a caller can make the bot hold to 1 MiB per connection.
MAX_BODY = 1024 * 1024
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@tornado.web.stream_request_body
class UpdateHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("POST",)

    def initialize(self, bot: Any, queue: DurableUpdateQueue, secret: str) -> None:
        self.bot, self.queue, self.secret = bot, queue, secret.encode()
        self._chunks: list[bytes] = []
        self._size = 0

    def prepare(self) -> None:
        # Headers only, so far: nothing of the body has been read.
        given = self.request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        if self.request.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            raise tornado.web.HTTPError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
        try:
            announced = int(self.request.headers.get("Content-Length", "0"))
        except ValueError:
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        if announced > MAX_BODY:
            raise tornado.web.HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        connection = self.request.connection
        assert isinstance(connection, HTTP1Connection)  # tornado's server connection: it can cap the body
        connection.set_max_body_size(MAX_BODY)  # a chunked body stops here too

    def data_received(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size > MAX_BODY:
            raise tornado.web.HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        self._chunks.append(chunk)

    async def post(self) -> None:
        body = b"".join(self._chunks)
        try:
            data = json.loads(body)
        except RecursionError:
            self._quarantine(first_update_id(body), body.decode("utf-8", "replace"), "nested too deeply to decode")
            return
        except ValueError:
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        try:
            update = Update.de_json(data, self.bot)
        except Exception as exc:  # noqa: BLE001 -- an update PTB cannot read: set aside, not refused forever
            update_id = data.get("update_id") if isinstance(data, dict) else None
            self._quarantine(update_id, body.decode("utf-8", "replace"), f"{type(exc).__name__}: {exc}")
            return
        if update is None:
            return
        self.bot.insert_callback_data(update)
        try:
            self.queue.store_or_refuse(update)  # committed before this answer (bot/telegram/inbox.py)
        except Exception as exc:
            if not storage_refused(exc):
                raise
            raise tornado.web.HTTPError(HTTPStatus.INTERNAL_SERVER_ERROR) from None

    def _quarantine(self, update_id: Any, text: str, reason: str) -> None:
        quarantine = self.bot.quarantine
        if not isinstance(update_id, int) or quarantine is None:
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST)
        try:
            with quarantine.store.transaction():
                quarantine.keep(update_id, text, reason)
        except Exception as exc:
            if not storage_refused(exc):
                raise
            raise tornado.web.HTTPError(HTTPStatus.INTERNAL_SERVER_ERROR) from None

    def log_exception(self, typ, value, tb) -> None:
        if isinstance(value, tornado.web.HTTPError):
            return  # a refused call is the expected answer, not an error of the bot
        log.error("webhook request failed (%s)", typ.__name__ if typ else "error", exc_info=(typ, value, tb))


class WebhookServer:
    """Listens on ``listen:port`` for POSTs to ``/path`` and registers the webhook with Telegram."""

    def __init__(self, bot: Any, queue: DurableUpdateQueue, *, listen: str, port: int, path: str, secret: str):
        app = tornado.web.Application([(rf"/{path.strip('/')}/?", UpdateHandler,
                                        {"bot": bot, "queue": queue, "secret": secret})],
                                      log_function=lambda handler: None)
        self.bot = bot
        self.listen, self.port, self.secret = listen, port, secret
        # max_body_size bounds what tornado itself reads before the handler's own checks.
        self._server = tornado.httpserver.HTTPServer(app, max_body_size=MAX_BODY, max_buffer_size=MAX_BODY)

    async def start(self, url: str, allowed_updates: list[str]) -> None:
        self._server.listen(self.port, address=self.listen)
        await self.bot.set_webhook(url, secret_token=self.secret, allowed_updates=allowed_updates,
                                   drop_pending_updates=False)

    async def stop(self) -> None:
        self._server.stop()
        await self._server.close_all_connections()
