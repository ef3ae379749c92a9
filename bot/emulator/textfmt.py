"""Formatted-text handling: turn ``text`` + ``parse_mode`` into what the user sees.

Boundary: pure string work. Reproduces the checks that catch real bot bugs -- unsupported or
unclosed HTML tags, unescaped MarkdownV2 reserved characters, unclosed entities -- with
Telegram's wording (``can't parse entities: ...``), and measures length after parsing.
Entities themselves are not reconstructed; the visible text is what tests assert on.
"""

from __future__ import annotations

import html
import re

from .errors import ApiError, bad_request

MAX_TEXT = 4096
MAX_CAPTION = 1024

_HTML_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
    "a", "tg-emoji", "code", "pre", "blockquote", "tg-time",
}
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>")
_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")


def _offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _entities_error(what: str) -> ApiError:
    return bad_request(f"can't parse entities: {what}")


def _parse_html(text: str) -> str:
    out: list[str] = []
    stack: list[tuple[str, int]] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "<":
            m = _TAG_RE.match(text, i)
            if not m:
                raise _entities_error(f"Unexpected end of name token at byte offset {_offset(text, i)}")
            closing, name = m.group(1) == "/", m.group(2).lower()
            if name not in _HTML_TAGS:
                kind = "end" if closing else "start"
                raise _entities_error(
                    f'Unsupported {kind} tag "{name}" at byte offset {_offset(text, i)}'
                )
            if closing:
                if not stack or stack[-1][0] != name:
                    raise _entities_error(
                        f'Unmatched end tag at byte offset {_offset(text, i)}, expected "</'
                        f'{stack[-1][0] if stack else ""}>", found "</{name}>"'
                    )
                stack.pop()
            else:
                stack.append((name, i))
            i = m.end()
            continue
        out.append(ch)
        i += 1
    if stack:
        name, pos = stack[-1]
        raise _entities_error(
            f'Can\'t find end tag corresponding to start tag "{name}" at byte offset {_offset(text, pos)}'
        )
    return html.unescape("".join(out))


def _parse_markdown_v2(text: str) -> str:
    out: list[str] = []
    open_marks: dict[str, int] = {}
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            if i + 1 < n:
                out.append(text[i + 1])
            i += 2
            continue
        if ch == "`":
            fence = "```" if text.startswith("```", i) else "`"
            end = text.find(fence, i + len(fence))
            if end < 0:
                raise _entities_error(f"Can't find end of the entity starting at byte offset {_offset(text, i)}")
            body = text[i + len(fence):end]
            if fence == "```" and "\n" in body:
                body = body.split("\n", 1)[1]  # first line is the language tag
            out.append(re.sub(r"\\(.)", r"\1", body))
            i = end + len(fence)
            continue
        if ch in "*~" or (ch == "|" and text.startswith("||", i)) or ch == "_":
            mark = "||" if ch == "|" else ("__" if text.startswith("__", i) else ch)
            if mark in open_marks:
                del open_marks[mark]
            else:
                open_marks[mark] = i
            i += len(mark)
            continue
        if ch == "[" or (ch == "!" and text.startswith("![", i)):
            start = i + (2 if ch == "!" else 1)
            close = text.find("](", start)
            end = text.find(")", close + 2) if close >= 0 else -1
            if close < 0 or end < 0:
                raise _entities_error(f"Can't find end of the entity starting at byte offset {_offset(text, i)}")
            out.append(_parse_markdown_v2(text[start:close]))
            i = end + 1
            continue
        if ch == ">" and (i == 0 or text[i - 1] == "\n"):
            i += 1  # blockquote marker at line start
            continue
        if ch in _MDV2_RESERVED:
            raise _entities_error(
                f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
            )
        out.append(ch)
        i += 1
    if open_marks:
        pos = min(open_marks.values())
        raise _entities_error(f"Can't find end of the entity starting at byte offset {_offset(text, pos)}")
    return "".join(out)


def _parse_markdown(text: str) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "*_`":
            end = text.find(ch, i + 1)
            if end < 0:
                raise _entities_error(f"Can't find end of the entity starting at byte offset {_offset(text, i)}")
            out.append(text[i + 1:end])
            i = end + 1
            continue
        if ch == "[":
            close = text.find("](", i)
            end = text.find(")", close + 2) if close >= 0 else -1
            if close < 0 or end < 0:
                raise _entities_error(f"Can't find end of the entity starting at byte offset {_offset(text, i)}")
            out.append(text[i + 1:close])
            i = end + 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def visible_text(text: str, parse_mode: str | None) -> str:
    """The text the user would see (markup removed), stripped like Telegram does."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        text = _parse_html(text)
    elif mode == "markdownv2":
        text = _parse_markdown_v2(text)
    elif mode == "markdown":
        text = _parse_markdown(text)
    elif mode:
        raise bad_request("unsupported parse_mode")
    return text.strip()


def check_text(text: str, parse_mode: str | None) -> str:
    plain = visible_text(text, parse_mode)
    if not plain:
        raise bad_request("message text is empty")
    if len(plain) > MAX_TEXT:
        raise bad_request("message is too long")
    return plain


def check_caption(caption: str | None, parse_mode: str | None) -> str | None:
    if caption is None:
        return None
    plain = visible_text(caption, parse_mode)
    if len(plain) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return plain or None
