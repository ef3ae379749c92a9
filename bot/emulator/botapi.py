"""Dispatch of one Bot API call: spec check -> method implementation -> result, with bookkeeping.

Boundary: transport-free. The server hands over the method name from the URL and the raw
parameters; this module canonicalises the name, type-checks the parameters against the
committed spec, runs the ``m_<method>`` implementation under the world lock, and records the
call in the request log and the counters. It raises :class:`ApiError` for error answers.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from .errors import ApiError, bad_request
from .limits import RateLimiter
from .methods_chat import ChatMethods
from .methods_send import SendMethods
from .spec import UploadedFile, canonical_method, check_params
from .world import World


class Stats(Counter):
    """Thread-safe counters: requests, sends, edits, topics_created, 400/403/404/409/429, faults."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def bump(self, key: str, n: int = 1) -> None:
        with self._lock:
            self[key] += n


class BotApi(SendMethods, ChatMethods):
    def __init__(self, world: World, limiter: RateLimiter):
        self.world = world
        self.limiter = limiter
        self.stats = Stats()
        self.revoked = False  # True: every call answers 401 Unauthorized, as for a revoked token
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.wake_webhook: Callable[[], None] = lambda: None  # replaced by the server

    def prepare(self, name: str, raw: dict[str, Any],
                files: dict[str, UploadedFile] | None = None) -> tuple[str, dict[str, Any]]:
        """Canonical method name and checked parameters (404/400 raised here)."""
        self.stats.bump("requests")
        try:
            method = canonical_method(name)
            params = check_params(method, raw, files)
        except ApiError as err:
            self.stats.bump(str(err.code))
            raise
        with self.world.lock:
            self.requests.append((method, params))
        return method, params

    def implemented(self, method: str) -> bool:
        return method == "getUpdates" or hasattr(self, f"m_{method}")

    def call(self, method: str, params: dict[str, Any]) -> Any:
        """Run a prepared call. getUpdates here is the non-waiting variant."""
        try:
            if method == "getUpdates":
                with self.world.lock:
                    return self.take_updates(params)
            impl = getattr(self, f"m_{method}", None)
            if impl is None:
                raise bad_request("method not supported by the emulator")
            with self.world.lock:
                return impl(params)
        except ApiError as err:
            self.stats.bump(str(err.code))
            raise
