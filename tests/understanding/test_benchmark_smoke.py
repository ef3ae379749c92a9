"""benchmarks/understanding.py keeps working (figures present and sane; no timing asserted)."""

from __future__ import annotations

from benchmarks.understanding import memory, reading


def test_reading_figures_are_measured() -> None:
    figures = reading(1)
    assert figures["messages"] >= 200
    assert 0 < figures["own_p50_ms"] <= figures["own_p99_ms"] <= figures["max_ms"]


def test_the_running_bot_holds_the_model_without_scikit_learn() -> None:
    figures = memory()  # the probe itself fails if scikit-learn or scipy were imported to read
    assert figures["model_held_mb"] > 0 and figures["rss_trained_mb"] >= figures["rss_before_mb"]
