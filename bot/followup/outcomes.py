"""An operator's outcome of a ticket, as a journey event (issue 13).

Every outcome is counted ("outcome", with the desk's resolution). It also counts as an
activation confirmed by an operator when the ticket was "solved" at one of the last steps
(after the office visit): solving a problem there means the resident got their IKD. Solved
earlier, it only means the resident could carry on, so it is not counted as an activation.
"""

from __future__ import annotations

from bot.store import Store

FINAL_MILESTONES = frozenset({"activation_email", "set_pin", "activated"})


def record_outcome(store: Store, resident: int, milestone: str, resolution: str) -> None:
    stored = store.residents.load(resident)
    kecamatan = stored.conversation.fact("kecamatan") if stored else None
    store.journey.add(resident, "outcome", milestone, kecamatan, resolution)
    if resolution == "solved" and milestone in FINAL_MILESTONES and not store.journey.has(resident, "activated"):
        store.journey.add(resident, "activated", milestone, kecamatan, "operator")
