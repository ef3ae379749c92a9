"""The follow-through parts of the region file: the reminder schedule and the IKD targets.

Kept apart from bot/region.py (which only plugs the schema and the builder in) so the region
loader stays small. Figures that Disdukcapil has not confirmed are marked ``confirmed: false``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from typing import Any

_HOURS_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$"

REMINDERS_SCHEMA = {
    "type": "object", "required": ["after_days", "hours"], "additionalProperties": False,
    "properties": {
        "after_days": {"type": "array", "minItems": 1, "maxItems": 3,
                       "items": {"type": "integer", "minimum": 1, "maximum": 30}},
        "hours": {"type": "string", "pattern": _HOURS_PATTERN},
        "office_milestones": {"type": "array", "items": {"type": "string"}},
        "note": {"type": "string"},
    },
}

_TARGET = {"type": "object", "required": ["population"], "additionalProperties": False,
           "properties": {"population": {"type": "integer", "minimum": 1},
                          "target_percent": {"type": "number", "minimum": 0, "maximum": 100},
                          "realised_percent": {"type": "number", "minimum": 0, "maximum": 100},
                          "as_of": {"type": "string"}}}

TARGETS_SCHEMA = {
    "type": "object", "required": ["confirmed", "source"], "additionalProperties": False,
    "properties": {
        "confirmed": {"type": "boolean"},
        "source": {"type": "string"},
        "note": {"type": "string"},
        "city": _TARGET,
        "kecamatan": {"type": "object", "additionalProperties": _TARGET},
    },
}


@dataclass(frozen=True)
class ReminderPlan:
    after_days: tuple[int, ...] = (1, 3, 7)  # counted from the resident's last action
    day: tuple[time, time] = (time(8), time(19))  # never at night
    office_milestones: frozenset[str] = frozenset({"officer_visit"})

    @property
    def most(self) -> int:
        return len(self.after_days)


@dataclass(frozen=True)
class Target:
    population: int
    target_percent: float | None = None
    realised_percent: float | None = None
    as_of: str | None = None

    @property
    def target_people(self) -> int | None:
        return round(self.population * self.target_percent / 100) if self.target_percent is not None else None


@dataclass(frozen=True)
class Targets:
    confirmed: bool = False
    source: str = ""
    city: Target | None = None
    kecamatan: dict[str, Target] = field(default_factory=dict)


def build_reminders(data: Any) -> ReminderPlan:
    if not data:
        return ReminderPlan()
    start, end = (time.fromisoformat(p) for p in data["hours"].split("-"))
    milestones = data.get("office_milestones")
    return ReminderPlan(tuple(sorted({int(d) for d in data["after_days"]})), (start, end),
                        frozenset(milestones) if milestones is not None else ReminderPlan.office_milestones)


def _target(raw: Any) -> Target:
    return Target(int(raw["population"]), raw.get("target_percent"), raw.get("realised_percent"), raw.get("as_of"))


def build_targets(data: Any) -> Targets:
    if not data:
        return Targets()
    return Targets(bool(data["confirmed"]), str(data["source"]),
                   _target(data["city"]) if data.get("city") else None,
                   {k: _target(v) for k, v in (data.get("kecamatan") or {}).items()})
