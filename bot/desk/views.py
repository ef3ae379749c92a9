"""What operators ask the desk to show: the queue, today's statistics, a resident's history.

Read-only: these look at tickets and write nothing (bot/desk/service.py makes the changes).
"""

from __future__ import annotations

from typing import Callable

from bot.desk import cards, review
from bot.desk.routing import Routing
from bot.flow.model import Flow
from bot.region import Region
from bot.render import Renderer
from bot.store import Store


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
        return cards.queue_text(self.renderer(), tickets, {k.chat_id: store.first_name(k.chat_id) for k in tickets}, self.store.clock())

    def statistics(self, group: int | None = None) -> str:
        since = cards.start_of_day(self.store.clock(), self.region.timezone)
        tickets = self.store.tickets_since(since, self._scope(group))
        return cards.stats_text(self.renderer(), tickets) + "\n" + review.review_text(self.renderer(), tickets)
