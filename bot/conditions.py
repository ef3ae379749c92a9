"""Named conditions that dialog transitions may use (``if: for_helper``).

A condition is a pure function of the conversation's facts and a small context (the moment of
the input and the region's facts). The registry is deliberately small: content editors pick from
it, and the loader rejects names that are not here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.region import Region


@dataclass(frozen=True)
class ConditionContext:
    facts: Mapping[str, str]
    now: datetime
    region: Region | None


Condition = Callable[[ConditionContext], bool]
CONDITIONS: dict[str, Condition] = {}


def condition(func: Condition) -> Condition:
    CONDITIONS[func.__name__] = func
    return func


@condition
def for_helper(ctx: ConditionContext) -> bool:
    """A family member types for the resident."""
    return ctx.facts.get("role") == "helper"


@condition
def has_iphone(ctx: ConditionContext) -> bool:
    return ctx.facts.get("phone") == "iphone"


@condition
def has_email(ctx: ConditionContext) -> bool:
    return ctx.facts.get("email") == "yes"


@condition
def has_ektp(ctx: ConditionContext) -> bool:
    """Has an e-KTP card or has at least done perekaman (biometric recording)."""
    return ctx.facts.get("ektp") in ("yes", "recorded")


@condition
def office_open_now(ctx: ConditionContext) -> bool:
    return bool(ctx.region and ctx.region.is_open(ctx.now))
