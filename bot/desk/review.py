"""Reviewing escalated conversations: how each ticket ended, a resident's earlier tickets
(/riwayat), and what residents thought of the help (👍/👎). Pure formatting and parsing; the
sentences are in locales/ (msgids desk.res.*, desk.history*, desk.review*).
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.flow.model import Flow
from bot.render import Renderer
from bot.store import Ticket
from bot.vocabulary import OutcomeButton

# How a ticket ended, as the operator chooses it on the buttons under the closing message.
RESOLUTIONS = ("solved", "office", "home_visit", "unreachable")
RATINGS = {"up": 1, "down": -1}
HISTORY_LIMIT = 10  # earlier tickets shown by /riwayat (the most recent ones)
NOTE_CHARS = 200


def resolution_buttons(renderer: Renderer, ticket_id: int) -> tuple[tuple[tuple[str, str], ...], ...]:
    """(label, callback data) rows: two outcomes a row, big enough to tap in a busy topic."""
    cells = [(renderer.t.text(f"desk.res.{r}"), OutcomeButton(ticket_id, r).data) for r in RESOLUTIONS]
    return (tuple(cells[:2]), tuple(cells[2:]))


def history_text(renderer: Renderer, flow: Flow, tickets: list[Ticket], notes: dict[int, list[str]], tz) -> str:
    t = renderer.t
    if not tickets:
        return t.text("desk.history_empty")
    lines = [t.text("desk.history_title", count=len(tickets))]
    for k in tickets[-HISTORY_LIMIT:]:
        opened = datetime.fromtimestamp(k.opened_at, UTC).astimezone(tz)
        milestone = flow.milestones.get(k.milestone)
        lines.append(t.text(
            "desk.history_line", id=k.id, date=t.moment(opened, tz),
            step=t.text(milestone.title) if milestone else k.state,
            outcome=t.text(f"desk.res.{k.resolution}") if k.resolution in RESOLUTIONS else t.text("desk.res.none"),
            rating={1: "👍", -1: "👎"}.get(k.rating or 0, "—"), who=k.operator_name or t.text("desk.nobody")))
        lines.extend("   📝 " + " ".join(n.split())[:NOTE_CHARS] for n in notes.get(k.id, []))
    return "\n".join(lines)


def review_text(renderer: Renderer, tickets: list[Ticket]) -> str:
    """The outcomes and the residents' ratings of the given tickets (for /statistik)."""
    count = {r: sum(1 for k in tickets if k.resolution == r) for r in RESOLUTIONS}
    return renderer.t.text("desk.review", solved=count["solved"], office=count["office"], home=count["home_visit"],
                           unreachable=count["unreachable"], up=sum(1 for k in tickets if k.rating == 1),
                           down=sum(1 for k in tickets if k.rating == -1))
