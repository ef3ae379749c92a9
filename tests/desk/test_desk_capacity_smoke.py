"""The desk capacity benchmark runs and measures what it says (small numbers; the README's
figures come from `python -m benchmarks.desk_capacity`)."""

from __future__ import annotations

from benchmarks.desk_capacity import run_load


async def test_a_light_load_on_one_group_is_relayed_whole_and_timed() -> None:
    figures = await run_load(3, 1, time_scale=20.0, interval=30.0, duration=60.0)
    assert figures["tickets"] == 3 and figures["lines"] >= 6 and figures["lost"] == 0
    assert 0 <= figures["lag_p50_s"] <= figures["lag_p95_s"] <= figures["lag_max_s"]
    assert figures["sustained"] == (figures["lag_p95_s"] < 30.0)


async def test_seven_groups_share_the_load() -> None:
    figures = await run_load(7, 7, time_scale=20.0, interval=30.0, duration=60.0)
    assert figures["tickets"] == 7 and figures["lost"] == 0
    # One card per group and each resident's lines in their own group: 7 groups each got messages.
    assert figures["groups_used"] == 7
