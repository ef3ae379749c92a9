"""Load the committed Bot API spec and check/coerce one request's parameters against it.

Boundary: pure functions, no HTTP and no world state. Input is the raw parameter dict the
server collected (strings from query/form/multipart, typed values from a JSON body, and
:class:`UploadedFile` objects for multipart file parts); output is the canonical method name
and a dict of typed values, or an :class:`ApiError` like Telegram's.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import ApiError, bad_request, not_found

SPEC_PATH = Path(__file__).resolve().parent / "botapi_spec.json"
_INT_RE = re.compile(r"^-?\d+$")
_SCALARS = {"Integer", "Float", "Boolean", "String", "InputFile"}


@dataclass(frozen=True)
class UploadedFile:
    """A multipart file part (the bot uploaded bytes instead of passing a file_id/URL)."""

    filename: str
    content_type: str
    body: bytes


class _Mismatch(Exception):
    """Internal: a value did not fit one candidate type."""


@lru_cache(maxsize=1)
def load_spec() -> dict[str, Any]:
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _lower_index() -> dict[str, str]:
    # Telegram matches method names case-insensitively (sendmessage == sendMessage).
    return {name.lower(): name for name in load_spec()["methods"]}


def api_version() -> str:
    return str(load_spec()["version"])


def canonical_method(name: str) -> str:
    """Return the spec spelling of a method name, or raise the 404 Telegram answers."""
    try:
        return _lower_index()[name.lower()]
    except KeyError:
        raise not_found() from None


def _as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise _Mismatch
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INT_RE.match(value.strip()):
        return int(value.strip())
    raise _Mismatch


def _as_float(value: Any) -> float:
    if isinstance(value, bool):
        raise _Mismatch
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise _Mismatch from None
    raise _Mismatch


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    raise _Mismatch


def _as_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # Telegram stringifies numbers sent in JSON bodies
    raise _Mismatch


def _as_json(value: Any) -> Any:
    # Form and multipart bodies carry objects/arrays JSON-encoded (that is what PTB sends).
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise _Mismatch from None
    return value


def _coerce(value: Any, type_name: str, files: dict[str, UploadedFile]) -> Any:
    if type_name.startswith("Array of "):
        items = _as_json(value)
        if not isinstance(items, list):
            raise _Mismatch
        inner = type_name[len("Array of "):]
        return [_coerce(item, inner, files) for item in items]
    if type_name == "Integer":
        return _as_int(value)
    if type_name == "Float":
        return _as_float(value)
    if type_name == "Boolean":
        return _as_bool(value)
    if type_name == "String":
        return _as_str(value)
    if type_name == "InputFile":
        if isinstance(value, UploadedFile):
            return value
        if isinstance(value, str) and value.startswith("attach://"):
            name = value[len("attach://"):]
            if name not in files:
                raise _Mismatch
            return files[name]
        if isinstance(value, str) and value:
            return value
        raise _Mismatch
    # Any other name is a Bot API object type: must be a JSON object.
    obj = _as_json(value)
    if not isinstance(obj, dict):
        raise _Mismatch
    return obj


def _type_error(name: str, types: list[str]) -> ApiError:
    objects = [t for t in types if t not in _SCALARS and not t.startswith("Array of ")]
    if objects and len(types) == 1:
        # Telegram words this as e.g. "can't parse reply keyboard markup JSON object".
        return bad_request(f"can't parse {objects[0]} JSON object in field \"{name}\"")
    return bad_request(f"field \"{name}\" must be of type {' or '.join(types)}")


def check_params(
    method: str, raw: dict[str, Any], files: dict[str, UploadedFile] | None = None
) -> dict[str, Any]:
    """Coerce ``raw`` to the types the spec allows for ``method`` (canonical name).

    Unknown parameters are ignored, as Telegram does. Empty strings count as absent for
    required parameters, since Telegram treats ``chat_id=`` like a missing chat_id.
    """
    files = files or {}
    fields: dict[str, dict] = load_spec()["methods"][method]
    out: dict[str, Any] = {}
    for name, field in fields.items():
        value = raw.get(name, files.get(name))
        if value is None or (isinstance(value, str) and value == "" and field["required"]):
            if field["required"]:
                raise _missing(method, name)
            continue
        for type_name in field["types"]:
            try:
                out[name] = _coerce(value, type_name, files)
                break
            except _Mismatch:
                continue
        else:
            raise _type_error(name, field["types"])
    return out


def _missing(method: str, name: str) -> ApiError:
    if name == "text":
        return bad_request("message text is empty")
    if name == "chat_id":
        return bad_request("chat_id is empty")
    if name == "message_id":
        return bad_request("message identifier is not specified")
    return bad_request(f"parameter \"{name}\" is required")

