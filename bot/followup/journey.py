"""Which journey events one handled input produces: a pure function of before, after, effects.

The guide (bot/guide.py) writes what this returns in the same transaction as the step, so an
event exists exactly when its step does. Events name a milestone and a kecamatan, never a
person; the store links them to a salted hash only (bot/store/journey.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.conversation import Conversation
from bot.engine.effects import Effect, EraseData, Escalate
from bot.engine.reminders import REMINDERS_FACT  # "off" after "stop reminders"
from bot.flow.model import Flow

ACTIVATED = "activated"


@dataclass(frozen=True)
class JourneyEvent:
    kind: str
    step: str | None
    detail: str | None = None


def milestone_of(flow: Flow, conv: Conversation | None) -> str | None:
    return flow.states[conv.state].milestone if conv is not None and conv.state in flow.states else None


def events(flow: Flow, before: Conversation | None, after: Conversation | None, effects: tuple[Effect, ...],
           timeout: bool) -> list[JourneyEvent]:
    if (before is not None and after is not None and before.state == after.state and before.facts is after.facts
            and before.handoff == after.handoff and before.paused == after.paused and before.reminded == after.reminded
            and not any(isinstance(e, (Escalate, EraseData)) for e in effects)):
        return []  # the common case: an answer on the same step, nothing to count
    was, now = milestone_of(flow, before), milestone_of(flow, after)
    found: list[JourneyEvent] = []
    if any(isinstance(e, EraseData) for e in effects) or after is None:
        return [JourneyEvent("deleted", was)]
    if now != was or before is None:
        found.append(JourneyEvent("milestone", now, was))
        if now == ACTIVATED:
            found.append(JourneyEvent("activated", now, "resident"))
    for effect in effects:
        if isinstance(effect, Escalate):
            found.append(JourneyEvent("handoff", effect.milestone, effect.reason))
    if before is not None and before.handoff and not after.handoff:
        found.append(JourneyEvent("handed_back", now))
    if before is not None and not before.paused and after.paused:
        found.append(JourneyEvent("stopped", now, "paused"))
    # Facts change rarely (the tuple is carried over as is): look inside only when they did.
    stopped_reminders = ((before is None or after.facts is not before.facts) and after.fact(REMINDERS_FACT) == "off"
                         and (before is None or before.fact(REMINDERS_FACT) != "off"))
    if stopped_reminders:
        found.append(JourneyEvent("stopped", now, "reminders"))
    sent_before = before.reminded if before is not None else 0
    if timeout and after.reminded > sent_before:
        if after.reminded == 1:  # the first reminder is due: a day without an answer at this step
            found.append(JourneyEvent("stalled", now))
        found.append(JourneyEvent("reminder", now, str(after.reminded)))
    elif not timeout and sent_before and not after.reminded and not stopped_reminders:
        found.append(JourneyEvent("came_back", now, str(sent_before)))
    return found
