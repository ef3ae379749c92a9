"""Reminders for a resident who went quiet, as the engine decides them (pure; part of Engine).

A due reminder arrives as a timeout input: it names the step and the one next thing, with
buttons to carry on, to stop reminders and to ask for a person; at most as many per quiet spell
as the region's schedule (bot/followup/plan.py) has. At the office step it can plan the visit
day; that morning's reminder says what to bring. When a reminder may go (night, holidays, office
hours) is the shell's business (bot/followup/schedule.py): the engine only says how long after.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.engine import texts
from bot.engine.conversation import Conversation, ShownButton
from bot.engine.effects import Effect, Remind, Say
from bot.engine.host import EngineHost
from bot.engine.step import Step
from bot.flow.model import Line
from bot.followup.plan import ReminderPlan
from bot.vocabulary import VISIT, Event, Overlay

REMINDERS_FACT = "reminders"  # "off" once the resident pressed "stop reminders"
VISIT_DAY = "visit_day"  # the day the resident plans to go to the office (YYYY-MM-DD), reminded that morning
VISIT_CHOICES = 5


class Reminders(EngineHost):
    def _timeout(self, conversation: Conversation | None, at: datetime) -> Step:
        """A reminder is due: name the step and its one next thing, with buttons to carry on, to
        ask for a person or to stop reminders. At most as many as the region's schedule has;
        the morning of a planned office visit gets its own (what to bring), outside that count."""
        conv = conversation
        plan = self._plan()
        if (conv is None or conv.paused or conv.handoff or conv.fact(REMINDERS_FACT) == "off"
                or self.flow.states[conv.state].milestone == "activated"):
            return Step(conv, ())
        state = self.flow.states[conv.state]
        office = state.milestone in plan.office_milestones
        visit = conv.fact(VISIT_DAY)
        if visit and self.region is not None and self.region.local(at).date().isoformat() >= visit:
            conv = conv.with_facts({VISIT_DAY: ""})  # this morning's reminder, once
            if office:
                buttons = self._reminder_buttons(False)
                lead = (Line(texts.VISIT_TODAY), Line(texts.REMINDER_OFFICE))
                return Step(conv.evolve(buttons=buttons, overlay=None),
                            (Say(lead, buttons, self._progress(conv)),
                             Remind(timedelta(days=plan.after_days[0]), office)))
        if conv.reminded >= plan.most:
            return Step(conv, ())
        milestone = self.flow.milestones.get(state.milestone)
        lines = [Line(texts.REMINDER_STEP, (("milestone_title", milestone.title),)) if milestone
                 else Line(texts.REMINDER)]
        if office:
            lines.append(Line(texts.REMINDER_OFFICE))
        buttons = self._reminder_buttons(office and self.region is not None)
        sent = conv.reminded + 1
        effects: list[Effect] = [Say(tuple(lines), buttons, self._progress(conv))]
        if sent < plan.most:
            effects.append(Remind(timedelta(days=plan.after_days[sent] - plan.after_days[sent - 1]), office))
        return Step(conv.evolve(reminded=sent, buttons=buttons, overlay=None), tuple(effects))

    @staticmethod
    def _reminder_buttons(plan_visit: bool) -> tuple[ShownButton, ...]:
        return ((ShownButton(texts.CONTINUE_GUIDE, Event.ULANGI),)
                + ((ShownButton(texts.PLAN_VISIT, Event.RENCANA_KUNJUNGAN),) if plan_visit else ())
                + (ShownButton(texts.STOP_REMINDERS, Event.PENGINGAT_STOP),
                   ShownButton(texts.PERSON, Event.BANTUAN, True)))

    def _plan_visit(self, conv: Conversation, at: datetime) -> Step:
        """Which day will the resident go to the office? The next open days, by weekday name."""
        if self.region is None:
            return self._show(conv)
        days: list[date] = []
        moment = self.region.local(at)
        while len(days) < VISIT_CHOICES:
            moment = self.region.next_opening(datetime.combine(moment.date() + timedelta(days=1), time(0),
                                                               tzinfo=self.region.timezone))
            days.append(moment.date())
        buttons = tuple(ShownButton(texts.VISIT_DAYS[d.weekday()], VISIT + d.isoformat()) for d in days) + (
            ShownButton(texts.CONTINUE_GUIDE, Event.LANJUT, True), ShownButton(texts.PERSON, Event.BANTUAN, True))
        shown = conv.evolve(overlay=Overlay.VISIT, buttons=buttons)
        return Step(shown, (Say((Line(texts.VISIT_ASK),), buttons, self._progress(conv)),))

    def _visit_chosen(self, conv: Conversation, day: str) -> Step:
        return self._show(conv.with_facts({VISIT_DAY: day}), lead=(Line(texts.VISIT_PLANNED),), remind=True)

    def _plan(self) -> ReminderPlan:
        return self.region.reminders if self.region else ReminderPlan()

    def _stop_reminders(self, conv: Conversation) -> Step:
        return self._show(conv.with_facts({REMINDERS_FACT: "off"}), lead=(Line(texts.REMINDERS_OFF),))


def remind_first(plan: ReminderPlan, conv: Conversation, milestone: str) -> Remind:
    """The reminder every shown step sets (the schedule's first), or the planned visit's morning."""
    visit = conv.fact(VISIT_DAY)
    return Remind(timedelta(days=plan.after_days[0]), milestone in plan.office_milestones,
                  date.fromisoformat(visit) if visit else None)
