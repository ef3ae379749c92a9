"""``teman-ikd report``: the funnel in the terminal and as CSV (aggregates only), and the three
lines /laporan sends. Sentences come from the catalogs; figures from bot/followup/funnel.py.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TextIO

from babel.dates import format_date, format_timedelta
from babel.numbers import format_decimal, format_percent

from bot import places
from bot.flow.model import Flow
from bot.followup import funnel as funnel_mod
from bot.followup.funnel import Funnel
from bot.i18n import Translator
from bot.region import Region
from bot.store import Store


def milestones_in_order(flow: Flow) -> list[str]:
    return list(flow.milestones)


def build(store: Store, flow: Flow, region: Region, since: date | None = None, until: date | None = None) -> Funnel:
    start = datetime.combine(since, time(), region.timezone).timestamp() if since else None
    end = datetime.combine(until + timedelta(days=1), time(), region.timezone).timestamp() if until else None
    return funnel_mod.compute(store.journey_rows(start, end), milestones_in_order(flow), region.targets,
                              region.timezone)


class Words:
    """How figures read in one locale (babel), shared by the report, /laporan, charts and the dashboard."""

    def __init__(self, t: Translator, flow: Flow, region: Region):
        self.t, self.flow, self.region = t, flow, region

    def step(self, milestone: str) -> str:
        found = self.flow.milestones.get(milestone)
        return self.t.text(found.title) if found else milestone

    def place(self, kecamatan: str) -> str:
        if kecamatan == funnel_mod.UNKNOWN:
            return self.t.text("report.kecamatan_unknown")
        if kecamatan == places.UNKNOWN:  # asked, and the resident did not know
            return self.t.text("report.kecamatan_dont_know")
        found = self.region.places.get(kecamatan)
        return found.name if found else kecamatan

    def number(self, value: float | int | None) -> str:
        return "–" if value is None else format_decimal(value, locale=self.t.locale)

    def share(self, value: float | None) -> str:
        return "–" if value is None else format_percent(value, "#,##0.00%", locale=self.t.locale)

    def duration(self, seconds: float | None) -> str:
        if seconds is None:
            return "–"
        return format_timedelta(timedelta(seconds=seconds), threshold=1.5, locale=self.t.locale)

    def day(self, value: date) -> str:
        return format_date(value, "d MMM yyyy", locale=self.t.locale)

    def reason(self, code: str) -> str:
        if code and self.t.catalog.get(f"desk.reason.{code}"):
            return self.t.text(f"desk.reason.{code}")
        return code or "–"


def three_lines(f: Funnel, w: Words) -> list[str]:
    t = w.t
    started_share = f.activated / f.started if f.started else None
    lines = [t.text("report.line_reached", started=w.number(f.started), activated=w.number(f.activated),
                    share=w.share(started_share))]
    worst = f.most_stalled()
    lines.append(t.text("report.line_stalled", step=w.step(worst.milestone), count=w.number(worst.stalled)) if worst
                 else t.text("report.line_no_stall"))
    if f.city and f.city.target_people:
        lines.append(t.text("report.line_target", activated=w.number(f.activated),
                            target=w.number(f.city.target_people), share=w.share(f.city_share)))
    else:
        lines.append(t.text("report.target_missing"))
    return lines


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]

    def fmt(cells: list[str]) -> str:
        return "  ".join(str(c).ljust(n) if i == 0 else str(c).rjust(n)
                         for i, (c, n) in enumerate(zip(cells, widths, strict=True)))

    return [fmt(header), fmt(["-" * n for n in widths])] + [fmt(r) for r in rows]


def text_report(f: Funnel, w: Words, since: date | None, until: date) -> str:
    t = w.t
    out = [t.text("report.title", since=w.day(since) if since else t.text("report.since_start"),
                  until=w.day(until)), ""]
    if f.empty:
        out.append(t.text("report.empty"))
    out += three_lines(f, w)
    out.append("")
    out += _table([t.text(k) for k in ("report.col.step", "report.col.reached", "report.col.stalled",
                                       "report.col.median", "report.col.handoffs")],
                  [[w.step(s.milestone), w.number(s.reached), w.number(s.stalled), w.duration(s.median_seconds),
                    w.number(s.handoffs)] for s in f.steps])
    out.append("")
    out.append(t.text("report.reasons", reasons=", ".join(f"{w.reason(k)} {n}" for k, n in f.reasons)) if f.reasons
               else t.text("report.reasons_none"))
    stopped = dict(f.stopped)
    out.append(t.text("report.reminders", sent=w.number(f.reminders_sent), back=w.number(f.came_back),
                      stopped=w.number(stopped.get("reminders", 0))))
    out.append("")
    no_target = t.text("report.no_target")
    out += _table([t.text(k) for k in ("report.col.kecamatan", "report.col.steps_reached", "report.col.stalled",
                                       "report.col.handoffs", "report.col.activated", "report.col.target",
                                       "report.col.share")],
                  [[w.place(p.kecamatan), w.number(p.reached), w.number(p.stalled), w.number(p.handoffs),
                    w.number(p.activated),
                    w.number(p.target.target_people) if p.target and p.target.target_people else no_target,
                    w.share(p.share)] for p in f.places]
                  or [[w.place(funnel_mod.UNKNOWN), "0", "0", "0", "0", no_target, "–"]])
    out.append("")
    if f.weeks:
        out += _table([t.text(k) for k in ("report.col.week", "report.col.reached", "report.col.activated",
                                           "report.col.target")],
                      [[w.day(k.start), w.number(k.started), w.number(k.activated),
                        w.number(round(k.target_pace)) if k.target_pace else no_target] for k in f.weeks])
        out.append("")
    if f.city is None:
        out.append(t.text("report.target_missing"))
    elif not f.targets_confirmed:
        out.append(t.text("report.target_note", source=f.target_source))
    return "\n".join(out) + "\n"


CSV_HEADER = ("section", "name", "reached", "stalled", "median_hours", "handoffs", "activated", "target",
              "share_of_target")


def csv_rows(f: Funnel) -> list[tuple]:
    """Aggregates only: milestone names, kecamatan ids, weeks and counts."""
    rows: list[tuple] = []
    for s in f.steps:
        rows.append(("milestone", s.milestone, s.reached, s.stalled,
                     round(s.median_seconds / 3600, 2) if s.median_seconds is not None else "", s.handoffs, "", "", ""))
    for reason, n in f.reasons:
        rows.append(("handoff_reason", reason, "", "", "", n, "", "", ""))
    for p in f.places:
        people = p.target.target_people if p.target else None
        rows.append(("kecamatan", p.kecamatan or "unknown", p.reached, p.stalled, "", p.handoffs, p.activated,
                     people or "", round(p.share, 6) if p.share is not None else ""))
    for k in f.weeks:
        rows.append(("week", k.start.isoformat(), k.started, "", "", "", k.activated,
                     round(k.target_pace, 1) if k.target_pace else "", ""))
    people = f.city.target_people if f.city else None
    rows.append(("city", "total", f.started, "", "", sum(n for _, n in f.reasons), f.activated, people or "",
                 round(f.city_share, 6) if f.city_share is not None else ""))
    rows.append(("reminders", "sent", f.reminders_sent, "", "", "", "", "", ""))
    for number, n in f.came_back_after:
        rows.append(("reminders", f"came_back_after_{number}", n, "", "", "", "", "", ""))
    for reason, n in f.stopped:
        rows.append(("stopped", reason or "unknown", n, "", "", "", "", "", ""))
    rows.append(("deleted", "total", f.deleted, "", "", "", "", "", ""))
    return rows


def write_csv(f: Funnel, handle: TextIO) -> int:
    writer = csv.writer(handle)
    writer.writerow(CSV_HEADER)
    rows = csv_rows(f)
    writer.writerows(rows)
    return len(rows)


def run_report(db: str, since: date | None, csv_path: str | None, locale: str, out: TextIO) -> int:
    from bot.assembly import build_guide

    if db != ":memory:" and not Path(db).exists():
        out.write(f"teman-ikd report: no database at {db} (set --db or TEMAN_IKD_DATABASE)\n")
        return 1
    store = Store(db)
    try:
        guide = build_guide(store, locale=locale)
        engine = guide.engines[locale]
        region = engine.needs_region()
        w = Words(guide.renderers[locale].t, engine.flow, region)
        today = datetime.now(region.timezone).date()
        f = build(store, engine.flow, region, since, today)
        out.write(text_report(f, w, since, today))
        if csv_path:
            with open(Path(csv_path), "w", newline="", encoding="utf-8") as handle:
                rows = write_csv(f, handle)
            out.write(w.t.text("report.csv_written", path=csv_path, rows=rows) + "\n")
        return 0
    finally:
        store.close()
