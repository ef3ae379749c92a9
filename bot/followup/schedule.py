"""When a reminder may go: the schedule's moment moved forward to an allowed one.

Never at night (the region file's reminder hours), never on a holiday, and in office hours when
the next step is at the office (then "Kantor buka pukul 08.00" is true when it arrives). Pure:
times in, a time out; the shell (bot/guide.py) reads the clock.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.followup.plan import ReminderPlan
from bot.region import Region


def is_holiday(region: Region, day: date) -> bool:
    """The one place reminders ask about holidays: the region's closures (the holidays package
    with cuti bersama, plus the region file's own closures; bot/region.py)."""
    return day in region.holidays


def allowed(due: datetime, region: Region, plan: ReminderPlan, office: bool) -> datetime:
    """The first moment at or after ``due`` that a reminder may be sent."""
    if office:
        return region.next_opening(due)
    local = region.local(due)
    start, end = plan.day
    for offset in range(60):
        day = local.date() + timedelta(days=offset)
        if is_holiday(region, day):
            continue
        opening = datetime.combine(day, start, tzinfo=region.timezone)
        closing = datetime.combine(day, end, tzinfo=region.timezone)
        if local < closing:
            return max(local, opening)
    raise ValueError("no day without a holiday in the next 60 days; check the region file")


def morning_of(day: date, region: Region, plan: ReminderPlan) -> datetime:
    """The start of the reminder hours on ``day``: a planned visit's reminder, before the office opens."""
    return datetime.combine(day, plan.day[0], tzinfo=region.timezone)
