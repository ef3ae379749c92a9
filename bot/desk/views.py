"""What the desk shows: the queue, today's statistics, a resident's history (to operators) and
what a waiting resident may expect (their place in the queue, or when people are back).

Read-only: these look at tickets and write nothing (bot/desk/service.py makes the changes).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from datetime import UTC, datetime

from bot.desk import cards, review
from bot.desk.routing import Routing
from bot.flow.model import Flow
from bot.region import Region
from bot.render import Renderer
from bot.store import Store

TYPICAL_WAIT_SAMPLES = 3  # first answers today needed before the resident is told the usual wait


class DeskViews:
    def __init__(self, store: Store, flow: Flow, region: Region, routing: Routing | None,
                 renderer: Callable[[], Renderer]):
        self.store = store
        self.flow = flow
        self.region = region
        self.routing = routing
        self.renderer = renderer  # the desk's language (operators read the default locale)

    def history(self, resident: int) -> str:
        store = self.store
        tickets = store.tickets_of(resident)
        notes = {k.id: store.notes_between(resident, k.opened_at, k.closed_at) for k in tickets}
        return review.history_text(self.renderer(), self.flow, tickets, notes, self.region.timezone)

    def _scope(self, group: int | None) -> int | None:
        """The group whose tickets a group sees: its own, or (Disdukcapil group) the city's."""
        if group is None or self.routing is None or self.routing.city_wide(group):
            return None
        return group

    def queue(self, group: int | None = None) -> str:
        store = self.store
        tickets = store.active_tickets(self._scope(group))
        names = {k.chat_id: store.first_name(k.chat_id) for k in tickets}
        return cards.queue_text(self.renderer(), tickets, names, store.clock())

    def statistics(self, group: int | None = None) -> str:
        since = cards.start_of_day(self.store.clock(), self.region.timezone)
        tickets = self.store.tickets_since(since, self._scope(group))
        return cards.stats_text(self.renderer(), tickets) + "\n" + review.review_text(self.renderer(), tickets)

    def expectation(self, chat_id: int, renderer: Renderer) -> str:
        """What the resident may expect now: their place in the queue, or when people are back."""
        now = self.store.clock()
        moment = datetime.fromtimestamp(now, UTC)
        stored = self.store.load(chat_id)
        params = renderer.params(stored.conversation if stored else None)
        if self.region.is_open(moment):
            own = self.store.active_ticket(chat_id)
            group = own.group_id if own is not None and self.routing is not None else None
            waiting = [k for k in self.store.active_tickets(group) if k.status == "open"]
            position = next((i for i, k in enumerate(waiting, 1) if k.chat_id == chat_id), len(waiting) or 1)
            text = renderer.t.text("desk.queue_position", **params, position=position)
            # How long the first answer took today, when there is enough to say (never a guess).
            since = cards.start_of_day(now, self.region.timezone)
            replies = [k.first_reply_at - k.opened_at for k in self.store.tickets_since(since, group)
                       if k.first_reply_at is not None]
            if len(replies) >= TYPICAL_WAIT_SAMPLES:
                minutes = max(1, round(statistics.median(replies) / 60))
                text += " " + renderer.t.text("desk.typical_wait", minutes=str(minutes))
            return text
        opening = self.region.next_opening(moment)
        when = renderer.t.moment(opening, self.region.timezone) + " " + self.region.timezone_label
        return renderer.t.text("desk.after_hours", **params, when=when)
