"""The shared schedule of Telegram's limits (store.slots), on each backend: moments are spaced,
never given twice even when several workers (stores) ask at once, and a 429's pause holds for all."""

from __future__ import annotations

import threading
from itertools import pairwise

from bot.store.slots import ALL_SENDS, group_key
from tests.store.conftest import Opener

T0 = 1_800_000_000.0


class Clock:
    def __init__(self, t: float = T0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def test_moments_are_spaced_and_an_idle_key_starts_now(reopen: Opener) -> None:
    clock = Clock()
    slots = reopen(clock).slots
    assert [slots.reserve(ALL_SENDS, 0.5) for _ in range(3)] == [T0, T0 + 0.5, T0 + 1.0]
    clock.t = T0 + 10  # nothing sent for a while: no credit is kept, the next goes now
    assert slots.reserve(ALL_SENDS, 0.5) == T0 + 10
    assert slots.reserve(ALL_SENDS, 0.5) == T0 + 10.5


def test_each_key_has_its_own_schedule(reopen: Opener) -> None:
    slots = reopen(Clock()).slots
    slots.reserve(group_key(-1001), 3.0)
    assert slots.reserve(group_key(-1002), 3.0) == T0  # another group is not held up
    assert slots.reserve(ALL_SENDS, 0.1) == T0
    assert slots.reserve(group_key(-1001), 3.0) == T0 + 3.0


def test_two_workers_share_one_schedule(reopen: Opener) -> None:
    clock = Clock()
    first, second = reopen(clock).slots, reopen(clock).slots  # two processes on one database
    moments = [slots.reserve(ALL_SENDS, 1.0) for slots in (first, second, second, first)]
    assert moments == [T0, T0 + 1, T0 + 2, T0 + 3]


def test_workers_asking_at_once_never_get_the_same_moment(reopen: Opener) -> None:
    # Real time and real concurrency: four stores in four threads, 50 reservations each.
    stores = [reopen() for _ in range(4)]
    moments: list[float] = []
    lock = threading.Lock()

    def reserve_many(store) -> None:
        got = [store.slots.reserve("test", 0.001) for _ in range(50)]
        with lock:
            moments.extend(got)

    threads = [threading.Thread(target=reserve_many, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    moments.sort()
    assert len(moments) == 200
    assert min(b - a for a, b in pairwise(moments)) >= 0.001 - 1e-6


def test_a_pause_holds_for_every_worker_and_never_shortens_what_was_reserved(reopen: Opener) -> None:
    clock = Clock()
    first, second = reopen(clock).slots, reopen(clock).slots
    first.pause(group_key(-1001), T0 + 5)  # Telegram: this group waits 5 s
    assert second.reserve(group_key(-1001), 3.0) == T0 + 5
    assert second.reserve(ALL_SENDS, 0.1) == T0  # the rest of the bot goes on
    first.pause(group_key(-1001), T0 + 1)  # an older, shorter 429 arriving late
    assert first.reserve(group_key(-1001), 3.0) == T0 + 8


def test_a_key_is_taken_only_when_free_and_by_one_worker(reopen: Opener) -> None:
    clock = Clock()
    first, second = reopen(clock).slots, reopen(clock).slots
    assert first.free_at(group_key(-1001)) == 0.0  # never used
    assert first.take(group_key(-1001), 3.0)
    assert not second.take(group_key(-1001), 3.0)  # the other worker: not before the spacing
    assert second.free_at(group_key(-1001)) == T0 + 3.0
    clock.t = T0 + 3.0
    assert second.take(group_key(-1001), 3.0) and not first.take(group_key(-1001), 3.0)
    second.pause(group_key(-1001), T0 + 20)  # a 429: nobody takes it before then
    clock.t = T0 + 10
    assert not first.take(group_key(-1001), 3.0)
    clock.t = T0 + 20
    assert first.take(group_key(-1001), 3.0)
