"""The transcript: lines in order, operators' notes, retention by bisection."""

from __future__ import annotations

import pytest

from tests.store.conftest import Opener


@pytest.mark.parametrize("cutoff", [0.5, 1.5, 37.5, 99.5, 150.0])
def test_purge_by_bisection_removes_exactly_the_old_lines(reopen: Opener, cutoff: float) -> None:
    now = [0.0]
    store = reopen(clock=lambda: now[0])
    for t in range(1, 101):
        now[0] = float(t)
        store.transcripts.add(7, "in", "text", f"baris {t}")
    assert store.transcripts.purge(cutoff) == sum(1 for t in range(1, 101) if t < cutoff)
    kept = [line["at"] for line in store.transcripts.of(7, limit=200)]
    assert kept == [float(t) for t in range(1, 101) if t >= cutoff]


def test_purge_never_removes_a_young_line_written_out_of_order(reopen: Opener) -> None:
    now = [0.0]
    store = reopen(clock=lambda: now[0])
    for t in (1, 2, 50, 3, 4, 60, 5):  # the clock stepped back twice
        now[0] = float(t)
        store.transcripts.add(7, "in", "text", f"baris {t}")
    removed = store.transcripts.purge(10.0)
    left = [line["at"] for line in store.transcripts.of(7)]
    assert 50.0 in left and 60.0 in left  # young lines stay, wherever they are
    assert removed == 7 - len(left) and removed >= 2  # old lines before the first young one go now
    # Old lines behind a young one wait until it is old too; then everything old goes.
    store.transcripts.purge(100.0)
    assert store.transcripts.of(7) == []


def test_notes_written_while_a_ticket_was_open(reopen: Opener) -> None:
    now = [10.0]
    store = reopen(clock=lambda: now[0])
    store.transcripts.add_many([(7, "in", "text", "halo", "s", None, ()),
                                (7, "note", "text", "catatan satu", None, None, ())])
    now[0] = 30.0
    store.transcripts.add(7, "note", "text", "catatan dua")
    assert store.transcripts.notes_between(7, 5.0, 20.0) == ["catatan satu"]
    assert store.transcripts.notes_between(7, 5.0, None) == ["catatan satu", "catatan dua"]
    assert [line["text"] for line in store.transcripts.of(7, limit=2)] == ["catatan satu", "catatan dua"]
