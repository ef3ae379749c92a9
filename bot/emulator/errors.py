"""Bot API error type shared by every layer of the emulator.

Boundary: only the data of an error answer; the HTTP server turns it into a response body
``{"ok": false, "error_code": ..., "description": ..., "parameters": ...}``.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answer as Telegram would send it (status code == error_code)."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            out["parameters"] = self.parameters
        return out


def bad_request(what: str) -> ApiError:
    return ApiError(400, f"Bad Request: {what}")


def forbidden(what: str) -> ApiError:
    return ApiError(403, f"Forbidden: {what}")


def not_found() -> ApiError:
    return ApiError(404, "Not Found")


def too_many(retry_after: int) -> ApiError:
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )
