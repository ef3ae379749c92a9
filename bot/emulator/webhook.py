"""Webhook delivery: POST each pending update to the bot's URL until it answers 2xx.

Boundary: runs as one task on the emulator loop; reads the webhook settings and pending
updates from the World and confirms delivered ones. Deliveries are sequential (like
``max_connections=1``), in update order, with exponential back-off between failed attempts.
"""

from __future__ import annotations

import asyncio

from tornado.httpclient import AsyncHTTPClient, HTTPRequest

from .server import Hub, update_json
from .world import now

BACKOFF_START = 0.05
BACKOFF_MAX = 2.0


async def deliver_forever(hub: Hub, stopping: asyncio.Event) -> None:
    world = hub.api.world
    client = AsyncHTTPClient(force_instance=True)
    backoff = BACKOFF_START
    try:
        while not stopping.is_set():
            event = hub.event
            with world.lock:
                hook = dict(world.webhook) if world.webhook else None
                pending = world.take_updates(None, 1, world.allowed_updates) if hook else []
            if not hook or not pending:
                await hub.wait(event, 1.0)
                continue
            update = pending[0]
            headers = {"Content-Type": "application/json"}
            if hook["secret_token"]:
                headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
            error = None
            try:
                resp = await client.fetch(HTTPRequest(
                    hook["url"], method="POST", headers=headers, body=update_json(update),
                    request_timeout=10.0), raise_error=False)
                if 200 <= resp.code < 300:
                    world.confirm_through(update["update_id"])
                    hub.api.stats.bump("webhook_deliveries")
                    backoff = BACKOFF_START
                    continue
                error = f"Wrong response from the webhook: {resp.code} {resp.reason}"
            except Exception as exc:  # noqa: BLE001 -- refused, timeout...: recorded, and Telegram retries too
                error = f"Connection failed: {exc}"
            with world.lock:
                if world.webhook is not None:
                    world.webhook["last_error_date"] = now()
                    world.webhook["last_error_message"] = error
            hub.api.stats.bump("webhook_failures")
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, BACKOFF_MAX)
    finally:
        client.close()
