"""The funnel and the weekly activations against the target as one picture (PNG or SVG).

matplotlib with the Agg backend (no display, safe in a server thread). Used by /laporan, the
dashboard and the README's pictures, so every view draws the same thing. Labels come from the
catalogs through bot.followup.report.Words; only aggregates are drawn.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display here, and no GUI toolkit in a server thread

from matplotlib.figure import Figure

from bot.followup.funnel import Funnel
from bot.followup.report import Words

REACHED, STALLED, ACTIVATED, TARGET = "#2b6cb0", "#dd6b20", "#2f855a", "#718096"


def draw(f: Funnel, w: Words, fmt: str = "png") -> bytes:
    """Two panels: residents per step (reached, stalled) and activations per week with the
    target's weekly pace. A Figure of its own (not pyplot's global state): safe across threads."""
    t = w.t
    fig = Figure(figsize=(10, 4.2), dpi=110, layout="constrained")
    funnel_ax, weekly_ax = fig.subplots(1, 2, width_ratios=(1.25, 1))
    steps = [s for s in f.steps if s.milestone != "account_problems" or s.reached]
    names = [w.step(s.milestone) for s in steps][::-1]
    funnel_ax.barh(names, [s.reached for s in steps][::-1], color=REACHED, label=t.text("chart.reached"))
    funnel_ax.barh(names, [s.stalled for s in steps][::-1], color=STALLED, height=0.45, label=t.text("chart.stalled"))
    funnel_ax.set_title(t.text("chart.funnel"), loc="left", fontsize=11)
    funnel_ax.legend(loc="lower right", fontsize=8, frameon=False)
    funnel_ax.tick_params(labelsize=8)
    funnel_ax.xaxis.get_major_locator().set_params(integer=True)
    weekly_ax.set_title(t.text("chart.weekly"), loc="left", fontsize=11)
    if f.weeks:
        labels = [w.day(k.start) for k in f.weeks]
        weekly_ax.bar(labels, [k.activated for k in f.weeks], color=ACTIVATED, label=t.text("report.col.activated"))
        pace = f.weeks[0].target_pace
        if pace:
            weekly_ax.axhline(pace, color=TARGET, linestyle="--", linewidth=1,
                              label=f"{t.text('chart.target_pace')}: {w.number(round(pace))}")
            weekly_ax.set_yscale("symlog", linthresh=10)  # a city's pace next to a pilot's first activations
        weekly_ax.legend(loc="center left", fontsize=8, frameon=False)
        weekly_ax.tick_params(axis="x", labelrotation=45, labelsize=7)
        weekly_ax.tick_params(axis="y", labelsize=8)
    else:
        weekly_ax.text(0.5, 0.5, t.text("chart.no_data"), ha="center", va="center", transform=weekly_ax.transAxes)
        weekly_ax.set_xticks([])
        weekly_ax.set_yticks([])
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt)
    return buffer.getvalue()
