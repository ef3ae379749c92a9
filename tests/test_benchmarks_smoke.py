"""The benchmark harness (benchmarks/) with tiny numbers, so it keeps working.

No timing is asserted: only that every figure is produced and that the reliability figures are
what they must be (nothing lost, no unhandled error, replays ignored).
"""

from __future__ import annotations

from benchmarks.run import run

FIGURES = (
    "floor_cpu_us", "bot_cpu_us", "peer_cpu_us", "ratio_vs_floor", "peer_ratio_vs_floor",
    "growth_ratio", "growth_cpu_us", "peak_rss_mb", "sends_per_turn", "rate_limit_utilization",
    "lost_messages", "interactive_p50_ms", "interactive_p95_ms", "backlog_drain_s", "crash_lost",
    "duplicates_after_crash", "crash_handled_twice", "fault_lost", "fault_duplicates", "errors",
    "bad_input_updates", "bad_input_answered", "bad_input_ignored", "residents", "machine",
    "outage_lost", "outage_max_copies", "disk_full_lost", "disk_full_answered_twice", "poison_quarantined",
    "reminders_sent", "cohort_reminders_sent", "cohort_came_back_after", "cohort_max_reminders_one_spell",
)


def test_smoke_run_produces_every_figure_with_sane_values() -> None:
    figures = run("smoke", log=lambda line: None)
    missing = [key for key in FIGURES if key not in figures]
    assert not missing, missing
    assert figures["floor_cpu_us"] > 0 and figures["bot_cpu_us"] > 0 and figures["ratio_vs_floor"] > 0
    assert figures["growth_ratio"] > 0 and all(mb > 0 for mb in figures["peak_rss_mb"].values())
    assert figures["sends_per_turn"] >= 1.0 and figures["journeys_finished"]
    assert figures["rate_limit_utilization"] > 0
    assert figures["lost_messages"] == 0 and figures["journey_lost"] == 0
    assert figures["crash_lost"] == 0 and figures["crash_handled_twice"] == 0
    assert figures["fault_lost"] == 0
    assert figures["outage_lost"] == 0 and figures["outage_max_copies"] <= 2
    assert figures["disk_full_lost"] == 0 and figures["disk_full_answered_twice"] == 0
    assert figures["poison_quarantined"] == figures["poison_updates"] and figures["poison_residents_lost"] == 0
    assert figures["errors"] == 0, (figures["fault_error_lines"], figures["bad_input_error_lines"])
    assert figures["bad_input_unexpected"] == [] and figures["bad_input_replays_answered"] == 0
    assert figures["bad_input_answered"] + figures["bad_input_ignored"] == figures["bad_input_updates"]
    assert figures["machine"]["cores"] >= 1 and figures["machine"]["python"]
    # The reminder backlog went through the bot's own sweep; the cohort kept to the schedule.
    assert figures["reminders_sent"] == 20
    assert figures["cohort_started"] == 40 and figures["cohort_reminders_sent"] > 0
    assert figures["cohort_max_reminders_one_spell"] <= 3 and figures["cohort_spells_over_schedule"] == 0
    assert figures["cohort_reminders_at_night_or_holiday"] == 0 and figures["cohort_reminder_counts_agree"]
