"""What operators read: topic titles, ticket cards, the queue and today's statistics.

Pure formatting from store rows and the catalogs; operators read Indonesian too, so every
sentence comes from locales/ (msgids desk.*).
"""

from __future__ import annotations

import statistics
from datetime import UTC, datetime

from bot.flow.model import Flow
from bot.render import Renderer
from bot.store import Ticket
from bot.vocabulary import reason_kind

TITLE_LIMIT = 128  # Telegram's limit for a forum topic name


def topic_title(renderer: Renderer, flow: Flow, first_name: str | None, ticket: Ticket, kecamatan: str | None) -> str:
    """The topic's name: the resident's first name, their kecamatan when known, the step."""
    step = renderer.t.text(flow.milestones[ticket.milestone].title)
    parts = [first_name or renderer.t.text("desk.resident_unnamed"), kecamatan, step]
    return " · ".join(p for p in parts if p)[:TITLE_LIMIT]


def reason_text(renderer: Renderer, reason: str) -> str:
    return renderer.t.text(f"desk.reason.{reason_kind(reason)}")


def ticket_card(renderer: Renderer, flow: Flow, ticket: Ticket, first_name: str | None, facts: dict[str, str],
                transcript: list[dict], now: float) -> str:
    t = renderer.t
    milestone = flow.milestones[ticket.milestone]
    step = t.text(milestone.title)
    if milestone.step:
        step = f"{t.text('sys.progress', step=milestone.step, total=flow.total_steps)} · {step}"
    # Who is typing, only when the resident said so (the welcome's question may have been skipped).
    roles = {"helper": "desk.role.helper", "self": "desk.role.self"}
    who = t.text(roles.get(facts.get("role", ""), "desk.role.unknown"))
    sapaan = t.text("sapaan." + facts.get("honorific", "bapak_ibu"))
    lines = []
    for row in transcript[-6:]:
        arrow = "›" if row["direction"] == "in" else "‹"
        text = " ".join(str(row["text"]).split())
        lines.append(f"{arrow} {text[:90]}{'…' if len(text) > 90 else ''}")
    return t.text(
        "desk.card", id=ticket.id, name=first_name or t.text("desk.resident_unnamed"), sapaan=sapaan, who=who,
        step=step, state=ticket.state, reason=reason_text(renderer, ticket.reason), attempts=ticket.attempts,
        waiting=_minutes(now - ticket.opened_at), lines="\n".join(lines) or "—")


def queue_text(renderer: Renderer, tickets: list[Ticket], names: dict[int, str | None], now: float) -> str:
    t = renderer.t
    if not tickets:
        return t.text("desk.queue_empty")
    rows = [t.text("desk.queue_line", id=k.id, name=names.get(k.chat_id) or t.text("desk.resident_unnamed"),
                   waiting=_minutes(now - k.opened_at),
                   who=k.operator_name or t.text("desk.nobody")) for k in tickets]
    return t.text("desk.queue_title", count=len(tickets)) + "\n" + "\n".join(rows)


def stats_text(renderer: Renderer, tickets: list[Ticket]) -> str:
    replies = [k.first_reply_at - k.opened_at for k in tickets if k.first_reply_at]
    median = _minutes(statistics.median(replies)) if replies else "—"
    closed = [k for k in tickets if k.status == "closed"]
    return renderer.t.text(
        "desk.stats", escalations=len(tickets), median=median, finished=len(closed),
        returned=sum(1 for k in closed if k.outcome == "returned"))


def start_of_day(now: float, tz) -> float:
    local = datetime.fromtimestamp(now, tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC).timestamp()


def _minutes(seconds: float) -> str:
    return str(max(0, round(seconds / 60)))
