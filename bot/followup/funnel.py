"""The figures supervisors read, from the store's anonymous journey rows. Pure: rows in, figures out.

Per milestone: how many reached it, how many stalled there (a day without an answer), the
median time spent there (from reaching it to reaching the next), handoffs; the reasons for
handoffs; per kecamatan and per week; activations against the region file's target.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median

from bot.followup.plan import Target, Targets
from bot.store.journey import JourneyRow

UNKNOWN = ""  # a kecamatan never given


@dataclass(frozen=True)
class StepFigures:
    milestone: str
    reached: int
    stalled: int
    median_seconds: float | None
    handoffs: int


@dataclass(frozen=True)
class PlaceFigures:
    kecamatan: str  # UNKNOWN when not given
    reached: int  # milestones reached there (not residents: the kecamatan is asked mid-journey)
    stalled: int
    handoffs: int
    activated: int
    target: Target | None

    @property
    def share(self) -> float | None:
        people = self.target.target_people if self.target else None
        return self.activated / people if people else None


@dataclass(frozen=True)
class Week:
    start: date  # Monday, local time
    started: int
    activated: int
    target_pace: float | None  # the city's yearly target spread over 52 weeks


@dataclass(frozen=True)
class Funnel:
    steps: tuple[StepFigures, ...]
    reasons: tuple[tuple[str, int], ...]
    places: tuple[PlaceFigures, ...]
    weeks: tuple[Week, ...]
    started: int
    activated: int
    activated_by_operator: int
    reminders_sent: int
    came_back: int
    came_back_after: tuple[tuple[int, int], ...]  # (reminder number, residents back after it)
    stopped: tuple[tuple[str, int], ...]  # paused, reminders, blocked
    deleted: int
    city: Target | None
    targets_confirmed: bool
    target_source: str
    extra: dict[str, int] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self.started == 0 and self.activated == 0 and not self.steps_with_data

    @property
    def steps_with_data(self) -> bool:
        return any(s.reached or s.stalled or s.handoffs for s in self.steps)

    @property
    def city_share(self) -> float | None:
        people = self.city.target_people if self.city else None
        return self.activated / people if people else None

    def most_stalled(self) -> StepFigures | None:
        worst = max(self.steps, key=lambda s: s.stalled, default=None)
        return worst if worst and worst.stalled else None


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def compute(rows: Iterable[JourneyRow], milestones: list[str], targets: Targets, tz) -> Funnel:
    rows = list(rows)
    by_kind: dict[str, list[JourneyRow]] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row)
    of = lambda kind: by_kind.get(kind, [])  # noqa: E731
    reached = Counter(r.step for r in of("milestone"))
    stalled = Counter(r.step for r in of("stalled"))
    handoffs = Counter(r.step for r in of("handoff"))
    spent: dict[str, list[float]] = {}
    for r in of("milestone"):
        if r.detail and r.seconds is not None:
            spent.setdefault(r.detail, []).append(r.seconds)
    known = list(milestones) + sorted({s for s in reached | stalled | handoffs if s and s not in milestones})
    steps = tuple(StepFigures(m, reached[m], stalled[m], median(spent[m]) if spent.get(m) else None, handoffs[m])
                  for m in known)
    reasons = tuple(Counter(r.detail or UNKNOWN for r in of("handoff")).most_common())
    started = reached[milestones[0]] if milestones else 0
    activations = of("activated")

    def place(r: JourneyRow) -> str:
        return r.kecamatan or UNKNOWN

    names = sorted({place(r) for r in rows if r.kind in ("milestone", "stalled", "handoff", "activated")}
                   | set(targets.kecamatan), key=lambda k: (k == UNKNOWN, k))
    places = tuple(PlaceFigures(
        k, sum(1 for r in of("milestone") if place(r) == k), sum(1 for r in of("stalled") if place(r) == k),
        sum(1 for r in of("handoff") if place(r) == k), sum(1 for r in activations if place(r) == k),
        targets.kecamatan.get(k)) for k in names)

    def week_of(r: JourneyRow) -> date:
        return monday(datetime.fromtimestamp(r.at, tz).date())

    first = milestones[0] if milestones else None
    started_weekly = Counter(week_of(r) for r in of("milestone") if r.step == first)
    activated_weekly = Counter(week_of(r) for r in activations)
    pace = targets.city.target_people / 52 if targets.city and targets.city.target_people else None
    weeks_seen = sorted(set(started_weekly) | set(activated_weekly))
    weeks: list[Week] = []
    if weeks_seen:
        day = weeks_seen[0]
        while day <= weeks_seen[-1]:  # every week in between, also the quiet ones
            weeks.append(Week(day, started_weekly[day], activated_weekly[day], pace))
            day += timedelta(days=7)
    back = Counter(int(detail) for r in of("came_back") if (detail := r.detail or "").isdigit())
    return Funnel(
        steps=steps, reasons=reasons, places=places, weeks=tuple(weeks), started=started,
        activated=len(activations), activated_by_operator=sum(1 for r in activations if r.detail == "operator"),
        reminders_sent=len(of("reminder")), came_back=len(of("came_back")), came_back_after=tuple(sorted(back.items())),
        stopped=tuple(sorted(Counter(r.detail or UNKNOWN for r in of("stopped")).items())), deleted=len(of("deleted")),
        city=targets.city, targets_confirmed=targets.confirmed, target_source=targets.source)
