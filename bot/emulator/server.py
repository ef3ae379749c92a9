"""Tornado HTTP layer: translate Bot API HTTP requests to :class:`BotApi` calls and back.

Boundary: transport only -- parameter collection (query string, urlencoded/multipart form,
JSON body), long-poll waiting, fault injection and JSON encoding of answers. Everything a
call *means* happens in botapi.py / methods_*.py; runs on the emulator's own event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any

import tornado.web
from tornado.http1connection import HTTP1Connection

from .botapi import BotApi
from .errors import ApiError, bad_request
from .faults import Faults
from .spec import UploadedFile

# An update queued as JSON text (Emulator.inject_json) carries it under this key and is sent as is.
RAW_JSON = "_emulator_raw_json"


def update_json(update: dict[str, Any]) -> str:
    return update[RAW_JSON] if RAW_JSON in update else json.dumps(update, ensure_ascii=False)


# PTB url-quotes file download paths, so the colon may arrive as %3A.
TOKEN_RE = r"(?P<token>\d+(?::|%3[Aa])[A-Za-z0-9_-]+)"


class Hub:
    """Loop-side shared state: the API and a wake signal for long polls / the webhook sender."""

    def __init__(self, api: BotApi, faults: Callable[[], Faults | None]):
        self.api = api
        self.faults = faults
        self.event = asyncio.Event()

    def pulse(self) -> None:
        # Replace-then-set: waiters captured the old event before checking for updates, so a
        # wake between their check and their await is never lost.
        event, self.event = self.event, asyncio.Event()
        event.set()

    @staticmethod
    async def wait(event: asyncio.Event, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout=max(timeout, 0))


def _collect(request: tornado.httputil.HTTPServerRequest) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    raw: dict[str, Any] = {k: v[-1].decode("utf-8", "replace") for k, v in request.query_arguments.items()}
    ctype = request.headers.get("Content-Type", "")
    if request.body and ctype.startswith("application/json"):
        try:
            body = json.loads(request.body)
        except ValueError:
            raise bad_request("can't parse JSON request body") from None
        if not isinstance(body, dict):
            raise bad_request("JSON request body must be an object")
        raw.update(body)
    else:
        raw.update({k: v[-1].decode("utf-8", "replace") for k, v in request.body_arguments.items()})
    files = {name: UploadedFile(parts[-1].filename, parts[-1].content_type, parts[-1].body)
             for name, parts in request.files.items()}
    return raw, files


class BaseHandler(tornado.web.RequestHandler):
    def initialize(self, hub: Hub) -> None:
        self.hub = hub
        self.gone = False

    def on_connection_close(self) -> None:
        self.gone = True  # the client gave up (e.g. PTB shutting down mid long-poll)

    def answer(self, status: int, body: dict[str, Any]) -> None:
        if self.gone:
            return
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, ensure_ascii=False))

    def answer_text(self, status: int, body: str) -> None:
        if self.gone:
            return
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(body)

    def check_xsrf_cookie(self) -> None:  # an API, not a web form
        return


class ApiHandler(BaseHandler):
    async def get(self, token: str, method: str) -> None:
        await self.post(token, method)

    async def post(self, token: str, method: str) -> None:
        api = self.hub.api
        self._adopt_token(token)
        try:
            if api.revoked:
                api.stats.bump("401")
                raise ApiError(401, "Unauthorized")
            raw, files = _collect(self.request)
            name, params = api.prepare(method, raw, files)
            fault = self._fault(name)
            if fault in ("500", "429"):
                self._answer_fault(fault)
                return
            if fault == "garbled":
                self.answer(200, {"ok": True, "result": {"garbled": True}})
                return
            if not api.implemented(name):
                api.call(name, params)  # raises the "not supported" 400
            if name == "getUpdates":
                result = await self._long_poll(params)
            else:
                result = api.call(name, params)
        except ApiError as err:
            self.answer(err.code, err.body())
            return
        if fault == "drop":
            connection = self.request.connection
            assert isinstance(connection, HTTP1Connection)  # tornado's server connection: it can close
            connection.close()  # executed, but the answer never arrives
            self._finished = True  # tornado must not try to write a response afterwards
            return
        if fault == "timeout":
            await asyncio.sleep((self.hub.faults() or Faults()).hang_seconds)
        if name == "getUpdates" and any(RAW_JSON in u for u in result):
            self.answer_text(200, '{"ok": true, "result": [' + ", ".join(map(update_json, result)) + "]}")
            return
        self.answer(200, {"ok": True, "result": result})

    def _adopt_token(self, token: str) -> None:
        # One bot per emulator: getMe answers from whatever well-formed token the bot uses.
        bot = self.hub.api.world.bot_user
        bot_id = int(token.split(":", 1)[0])
        if bot["id"] != bot_id:
            with self.hub.api.world.lock:
                bot["id"] = bot_id

    def _fault(self, method: str) -> str | None:
        faults = self.hub.faults()
        kind = faults.pick(method) if faults else None
        if kind:
            self.hub.api.stats.bump("faults")
        return kind

    def _answer_fault(self, kind: str) -> None:
        if kind == "500":
            self.answer(500, {"ok": False, "error_code": 500, "description": "Internal Server Error"})
        else:
            self.hub.api.stats.bump("429")
            self.answer(429, {"ok": False, "error_code": 429,
                              "description": "Too Many Requests: retry after 1",
                              "parameters": {"retry_after": 1}})

    async def _long_poll(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + float(params.get("timeout") or 0)
        while True:
            event = self.hub.event  # capture before checking, see Hub.pulse
            updates = self.hub.api.call("getUpdates", params)
            remaining = deadline - loop.time()
            if updates or remaining <= 0 or self.gone:
                return updates
            await self.hub.wait(event, remaining)


class FileHandler(BaseHandler):
    def get(self, token: str, path: str) -> None:
        world = self.hub.api.world
        with world.lock:
            rec = next((f for f in world.files.values() if f["file_path"] == path), None)
        if rec is None:
            self.answer(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        self.set_header("Content-Type", "application/octet-stream")
        self.finish(rec["content"])


class NotFoundHandler(BaseHandler):
    def prepare(self) -> None:
        self.answer(404, {"ok": False, "error_code": 404, "description": "Not Found"})


def make_app(hub: Hub) -> tornado.web.Application:
    return tornado.web.Application(
        [
            (rf"/bot{TOKEN_RE}/(?P<method>[A-Za-z0-9_]+)/?", ApiHandler, {"hub": hub}),
            (rf"/file/bot{TOKEN_RE}/(?P<path>.+)", FileHandler, {"hub": hub}),
        ],
        default_handler_class=NotFoundHandler,
        default_handler_args={"hub": hub},
        log_function=lambda handler: None,  # keep test output quiet
    )
