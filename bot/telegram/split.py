"""Split texts longer than Telegram's 4096 characters at sentence boundaries."""

from __future__ import annotations

import re

TELEGRAM_LIMIT = 4096
_BOUNDARY = re.compile(r"(?<=[.!?])\s+|\n\n+")


def split_text(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Parts of at most ``limit`` characters, cut after a sentence (or a word, or hard)."""
    text = text.strip()
    if not text:
        return []
    parts: list[str] = []
    while len(text) > limit:
        window = text[:limit + 1]
        cut = max((m.end() for m in _BOUNDARY.finditer(window) if m.start() <= limit), default=0)
        if cut == 0:
            cut = window.rfind(" ") + 1 or limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    parts.append(text)
    return [p for p in parts if p]
