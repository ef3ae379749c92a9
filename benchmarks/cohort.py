"""8. Cohort: 1,000 simulated residents over simulated weeks, against the real guide and store.

Each resident starts on a random day of the first two weeks (daytime, Kota Serang time) and
walks the guide by its buttons. At every step they may go quiet (more often where the app
reviews say people struggle: email, installing, the face check, the office visit), ask for a
person (an operator hands them back a few hours later), or carry on. A quiet resident comes
back only after a reminder, with a chance that falls with each reminder, or presses "stop
reminders". The clock moves an hour at a time; every hour the bot's own reminder sweep
(Guide.send_due_reminders) runs, as the production bot's background task does.

Reported: how many came back after each reminder, reminders per resident, and the checks
that no quiet spell got more reminders than the schedule allows and that none went out at
night or on a holiday. The behaviour probabilities are assumptions, not measurements; the
figures show what the schedule does with them.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.assembly import build_guide
from bot.engine import Conversation, Engine, Input
from bot.followup import report
from bot.store import Store
from bot.vocabulary import OperatorAct

WIB = ZoneInfo("Asia/Jakarta")
START = datetime(2026, 11, 2, 0, 0, tzinfo=WIB)  # a Monday
HOUR = 3600.0
# Chance of going quiet when arriving at a step (assumed; highest where reviews report trouble).
QUIET = {"welcome": 0.12, "requirements": 0.12, "email_setup": 0.22, "install_app": 0.28, "fill_form": 0.18,
         "face_check": 0.32, "officer_visit": 0.30, "activation_email": 0.18, "set_pin": 0.10}
BACK_AFTER = (0.30, 0.20, 0.10)  # chance of coming back after reminder 1, 2, 3 (assumed)
STOP_REMINDERS = 0.05  # chance of pressing "stop reminders" on a reminder
ASK_PERSON = 0.04  # chance per step of asking for a person


def button_path(engine: Engine) -> list[int]:
    """Choices (1-based) from /start to "activated", skipping overlays and handoffs (BFS)."""
    first = engine.step(None, Input.commanded("start")).conversation
    queue: deque[tuple[Conversation, list[int]]] = deque([(first, [])])
    seen = {(first.state, first.facts)}
    while queue:
        conv, path = queue.popleft()
        if engine.flow.states[conv.state].milestone == "activated":
            return path
        for number, button in enumerate(conv.buttons, start=1):
            if button.help_row:
                continue
            nxt = engine.step(conv, Input.pressed(number)).conversation
            if nxt is None or nxt.overlay or nxt.handoff or (nxt.state, nxt.facts) in seen:
                continue
            seen.add((nxt.state, nxt.facts))
            queue.append((nxt, path + [number]))
    raise RuntimeError("no path to activated")


@dataclass
class Resident:
    chat_id: int
    starts: float
    position: int = 0
    next_at: float | None = None  # when they act next (None: quiet, or done)
    quiet: bool = False
    stopped: bool = False
    done: bool = False
    handed_back_at: float | None = None
    milestone: str | None = None  # the last milestone they decided at (one decision per milestone)
    reminders: int = 0
    spells: list[int] = field(default_factory=lambda: [0])  # reminders per quiet spell


class Cohort:
    """The simulated residents and the real guide they talk to, one simulated hour at a time."""

    def __init__(self, store: Store, residents: int, rng: random.Random, now: list[float]):
        self.rng, self.now, self.store = rng, now, store
        self.guide = build_guide(store, locale="id", ask_place=True)
        self.engine = self.guide.engines["id"]
        self.path = button_path(build_guide(Store(":memory:"), locale="id").engines["id"])
        self.people = []
        for i in range(residents):
            day = rng.randrange(14)
            starts = START.timestamp() + day * 86_400 + rng.uniform(7, 21) * HOUR
            self.people.append(Resident(9_000_000 + i, starts, next_at=starts))
        self.night_or_holiday, self.sent_at_hours, self.swept = 0, Counter[int](), 0

    def act(self, r: Resident, inp: Input) -> Conversation | None:
        self.guide.handle(r.chat_id, inp)
        stored = self.store.residents.load(r.chat_id)
        conv = stored.conversation if stored else None
        while conv is not None and conv.overlay == "kecamatan":  # asked once: one of the six, or "Tidak tahu"
            choices = [n for n, b in enumerate(conv.buttons, start=1) if not b.help_row]
            self.guide.handle(r.chat_id, Input.pressed(self.rng.choice(choices)))
            conv = self.store.residents.load(r.chat_id).conversation
        return conv

    def carry_on(self, r: Resident) -> None:
        """Steps in one sitting, until they go quiet, ask for a person or finish. Each step
        takes a few minutes of the resident's time (the clock goes back to the hour after)."""
        hour = self.now[0]
        try:
            self._sitting(r, hour)
        finally:
            self.now[0] = hour

    def _sitting(self, r: Resident, hour: float) -> None:
        rng, now = self.rng, self.now
        while True:
            now[0] += rng.uniform(1, 8) * 60
            if now[0] >= hour + HOUR:  # the sitting goes on in the next hour
                r.next_at = hour + HOUR
                return
            conv = self.store.residents.load(r.chat_id).conversation
            milestone = self.engine.flow.states[conv.state].milestone
            if milestone == "activated":
                r.done, r.next_at = True, None
                return
            if conv.handoff:
                r.next_at = None
                return
            if milestone != r.milestone and self._stops_at_new_step(r, milestone):
                return
            self.act(r, Input.pressed(self.path[r.position]))
            r.position += 1

    def _stops_at_new_step(self, r: Resident, milestone: str) -> bool:
        """Arriving at a new step: carry on (False), ask for a person or go quiet (True)."""
        r.milestone = milestone
        if self.rng.random() < ASK_PERSON:
            self.act(r, Input.commanded("bantuan"))
            r.handed_back_at, r.next_at = self.now[0] + self.rng.uniform(1, 5) * HOUR, None
            return True
        if self.rng.random() < QUIET.get(milestone, 0.1):
            r.quiet, r.next_at = True, None
            r.spells.append(0)
            return True
        return False

    def hour(self) -> None:
        """One simulated hour: residents due act, then the bot's reminder sweep, then the answers."""
        self.now[0] += HOUR
        for r in self.people:
            if r.handed_back_at is not None and r.handed_back_at <= self.now[0]:
                r.handed_back_at = None
                self.guide.handle(r.chat_id, Input.by_operator(OperatorAct.FINISHED))
                self.carry_on(r)
            elif r.next_at is not None and r.next_at <= self.now[0] and not r.done:
                r.next_at = None
                if r.position == 0 and self.store.residents.load(r.chat_id) is None:
                    self.act(r, Input.commanded("start"))
                r.quiet = False
                self.carry_on(r)
        before = {r.chat_id: self.store.residents.load(r.chat_id).conversation.reminded
                  for r in self.people if r.quiet}
        sent = self.guide.send_due_reminders(limit=len(self.people))
        self.swept += sent
        if sent:
            self._answer_reminders(before)

    def _answer_reminders(self, before: dict[int, int]) -> None:
        """Each quiet resident just reminded stops reminders, comes back, or stays quiet."""
        local = datetime.fromtimestamp(self.now[0], WIB)
        region = self.engine.needs_region()
        for r in self.people:
            if not r.quiet:
                continue
            conv = self.store.residents.load(r.chat_id).conversation
            if conv.reminded <= before.get(r.chat_id, 0):
                continue
            r.reminders += 1
            r.spells[-1] += 1
            self.sent_at_hours[local.hour] += 1
            if not (7 <= local.hour < 19) or local.date() in region.holidays:
                self.night_or_holiday += 1
            roll = self.rng.random()
            if roll < STOP_REMINDERS:
                self.act(r, Input.pressed(2 if self.engine.flow.states[conv.state].milestone != "officer_visit"
                                          else 3))
                r.quiet, r.stopped = False, True  # they pressed a button, then stopped for good
            elif roll < STOP_REMINDERS + BACK_AFTER[min(conv.reminded, 3) - 1]:
                r.quiet = False
                r.next_at = self.now[0] + self.rng.uniform(0, 4) * HOUR  # "Lanjut panduan" soon after
                r.milestone = None if self.rng.random() < 0.5 else r.milestone  # half may falter again
                self.act(r, Input.pressed(1))


def simulate(residents: int = 1000, weeks: int = 8, seed: int = 13, keep: Path | None = None) -> dict[str, Any]:
    """Run the cohort; ``keep``: write the database there (the dashboard test reads one)."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="teman-ikd-cohort-") as tmp:
        now = [START.timestamp()]
        store = Store(str(keep or Path(tmp) / "cohort.sqlite3"), clock=lambda: now[0])
        cohort = Cohort(store, residents, rng, now)
        engine, region, people = cohort.engine, cohort.engine.needs_region(), cohort.people
        began = time.perf_counter()
        for _ in range(weeks * 7 * 24):
            cohort.hour()
        seconds = time.perf_counter() - began
        words = report.Words(cohort.guide.renderers["id"].t, engine.flow, region)
        f = report.build(store, engine.flow, region, None, (START + timedelta(weeks=weeks + 1)).date())
        most = region.reminders.most
        per_resident = [r.reminders for r in people]
        store.close()
    reminded = [n for n in per_resident if n]
    night_or_holiday, sent_at_hours, swept = cohort.night_or_holiday, cohort.sent_at_hours, cohort.swept
    return {
        "cohort_residents": residents,
        "cohort_weeks": weeks,
        "cohort_started": f.started,
        "cohort_activated": f.activated,
        "cohort_activation_share": round(f.activated / f.started, 3) if f.started else None,
        "cohort_reminders_sent": f.reminders_sent,
        # Three counts of the same thing must agree: the sweep's, the residents' and the journey rows'.
        "cohort_reminder_counts_agree": swept == sum(per_resident) == f.reminders_sent,
        "cohort_reminders_per_resident": round(statistics.mean(per_resident), 2),
        "cohort_reminders_per_reminded_resident": round(statistics.mean(reminded), 2) if reminded else 0,
        "cohort_max_reminders_one_spell": max(max(r.spells) for r in people),
        "cohort_spells_over_schedule": sum(1 for r in people for s in r.spells if s > most),
        "cohort_reminders_at_night_or_holiday": night_or_holiday,
        "cohort_came_back_after": {str(k): v for k, v in f.came_back_after},
        "cohort_stopped_reminders": dict(f.stopped).get("reminders", 0),
        "cohort_handoffs": sum(s.handoffs for s in f.steps),
        "cohort_reached": {words.step(s.milestone): s.reached for s in f.steps if s.reached},
        "cohort_stalled": {words.step(s.milestone): s.stalled for s in f.steps if s.stalled},
        "cohort_reminder_hours": dict(sorted(sent_at_hours.items())),
        "cohort_seconds": round(seconds, 1),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(simulate(int(sys.argv[1]) if len(sys.argv) > 1 else 1000), indent=1, ensure_ascii=False))
