"""Journey events: a milestone counts once per resident, nothing in them names a resident."""

from __future__ import annotations

import pytest

from bot.store import Store
from tests.store.conftest import Opener


def test_a_milestone_counts_once_with_the_time_since_the_previous_one(reopen: Opener) -> None:
    now = [100.0]
    store = reopen(clock=lambda: now[0])
    assert store.journey.reach_milestone(5, "welcome", None, None, first=True)
    now[0] = 160.0
    assert store.journey.reach_milestone(5, "identity", "Serang", "welcome")
    assert not store.journey.reach_milestone(5, "welcome", None, None)  # once per resident
    rows = store.journey.rows()
    assert [(r.step, r.detail, r.seconds) for r in rows] == [("welcome", None, None), ("identity", "welcome", 60.0)]
    assert not reopen().journey.reach_milestone(5, "identity", "Serang", "welcome")  # after a restart too


def test_a_rolled_back_milestone_is_reached_again(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        assert store.journey.reach_milestone(5, "welcome", None, None)
        raise RuntimeError("crash in the middle")
    assert store.journey.reach_milestone(5, "welcome", None, None)
    assert [r.step for r in store.journey.rows()] == ["welcome"]


def test_retention_unlinks_and_erasure_removes(reopen: Opener) -> None:
    now = [100.0]
    store = reopen(clock=lambda: now[0])
    store.journey.add(5, "milestone", "welcome")
    store.journey.add(None, "deleted", None)
    assert store.journey.has(5, "milestone") and not store.journey.has(6, "milestone")
    assert store.journey.journey_key(5) == reopen().journey.journey_key(5)  # the salt is kept
    assert store.journey.unlink(older_than=101.0) == 1
    assert not store.journey.has(5, "milestone") and len(store.journey.rows()) == 2  # counts stay
    store.journey.add(5, "activated", "done")
    store.journey.erase(5)
    assert [r.kind for r in store.journey.rows()] == ["milestone", "deleted"]
