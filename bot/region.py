"""Facts that vary by place and time, read from dialogs/region/<name>.yaml.

Service points, opening days and hours, holidays, minimum phone versions and contacts. Facts
Disdukcapil has not confirmed carry ``confirmed: false`` so the guide can say so. Nothing here
is hard-coded: a city edits the YAML, not the code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema

from bot.flow.errors import DialogError, Problem, relative
from bot.followup.plan import REMINDERS_SCHEMA, TARGETS_SCHEMA, ReminderPlan, Targets, build_reminders, build_targets
from bot.flow.yamlfile import line_of, read_yaml
from bot.paths import dialogs_dir
from bot.places import PLACES_SCHEMA, Places, build_places

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_FACT = {"type": "object", "required": ["value", "confirmed"], "additionalProperties": False,
         "properties": {"value": {"type": ["string", "integer"]}, "confirmed": {"type": "boolean"},
                        "source": {"type": "string"}, "note": {"type": "string"}}}
_HOURS = {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9]$"}
REGION_SCHEMA = {
    "type": "object",
    "required": ["name", "timezone", "timezone_label", "hours", "holidays", "service_points", "devices", "contacts"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string"},
        "timezone": {"type": "string"},
        "timezone_label": {"type": "string"},
        "hours": {"type": "object", "required": ["confirmed", "days"], "additionalProperties": False,
                  "properties": {"confirmed": {"type": "boolean"}, "source": {"type": "string"}, "note": {"type": "string"},
                                 "days": {"type": "object", "propertyNames": {"enum": list(WEEKDAYS)},
                                          "additionalProperties": _HOURS}}},
        "holidays": {"type": "array", "items": {"type": "object", "required": ["date", "name"], "additionalProperties": False,
                                                 "properties": {"date": {"type": "string", "format": "date"}, "name": {"type": "string"}}}},
        "service_points": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["id", "name", "kind", "address", "confirmed"], "additionalProperties": False,
            "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "kind": {"enum": ["disdukcapil", "kecamatan", "mpp"]},
                           "address": {"type": "string"}, "confirmed": {"type": "boolean"}, "does_ikd": {"type": ["boolean", "null"]},
                           "source": {"type": "string"}, "note": {"type": "string"}}}},
        "devices": {"type": "object", "required": ["min_android", "min_ios"], "additionalProperties": False,
                    "properties": {"min_android": _FACT, "min_ios": _FACT}},
        "contacts": {"type": "object", "additionalProperties": _FACT},
        "kecamatan": PLACES_SCHEMA,  # bot/places.py: kecamatan, kelurahan, operators' groups
        "reminders": REMINDERS_SCHEMA,  # bot/followup/plan.py: when residents who stalled are reminded
        "targets": TARGETS_SCHEMA,  # bot/followup/plan.py: IKD population and targets
    },
}


@dataclass(frozen=True)
class ServicePoint:
    id: str
    name: str
    kind: str
    address: str
    confirmed: bool


@dataclass(frozen=True)
class Fact:
    value: str
    confirmed: bool


@dataclass(frozen=True)
class Region:
    name: str
    timezone: ZoneInfo
    timezone_label: str
    days: dict[str, tuple[time, time]]
    hours_confirmed: bool
    holidays: dict[date, str]
    service_points: tuple[ServicePoint, ...]
    min_android: Fact
    min_ios: Fact
    contacts: dict[str, Fact] = field(default_factory=dict)
    places: Places = field(default_factory=Places)
    reminders: ReminderPlan = field(default_factory=ReminderPlan)
    targets: Targets = field(default_factory=Targets)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.timezone)

    def is_open(self, moment: datetime) -> bool:
        """Whether the offices serve at this moment (weekday hours, not a holiday)."""
        local = self.local(moment)
        span = self.days.get(WEEKDAYS[local.weekday()])
        if span is None or local.date() in self.holidays:
            return False
        return span[0] <= local.time() < span[1]

    def next_opening(self, moment: datetime) -> datetime:
        """The next moment the offices open (``moment`` itself if they are open)."""
        if self.is_open(moment):
            return moment
        local = self.local(moment)
        for offset in range(0, 60):
            day = local.date() + timedelta(days=offset)
            span = self.days.get(WEEKDAYS[day.weekday()])
            if span is None or day in self.holidays:
                continue
            opening = datetime.combine(day, span[0], tzinfo=self.timezone)
            if opening > local:
                return opening
        raise ValueError("no opening hours in the next 60 days; check the region file")


def load_region(name: str = "kota-serang", root: Path | None = None) -> Region:
    root = Path(root) if root else dialogs_dir()
    path = root / "region" / f"{name}.yaml"
    shown = relative(path, root)
    if not path.is_file():
        raise DialogError([Problem(shown, None, "region file is missing")])
    data = read_yaml(path, shown)
    errors = list(jsonschema.Draft202012Validator(REGION_SCHEMA).iter_errors(data))
    if errors:
        raise DialogError([Problem(shown, line_of(data, list(e.absolute_path)),
                                   f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}") for e in errors])
    return _build(data, shown)


def _build(data: Any, shown: str) -> Region:
    problems: list[Problem] = []
    try:
        tz = ZoneInfo(data["timezone"])
    except Exception:  # zoneinfo raises several types for unknown keys
        raise DialogError([Problem(shown, data.key_lines["timezone"], f"unknown timezone {data['timezone']!r}")]) from None
    days = {}
    for day, span in data["hours"]["days"].items():
        start, end = (time.fromisoformat(part) for part in span.split("-"))
        if end <= start:
            problems.append(Problem(shown, data["hours"]["days"].key_lines[day], f"hours {span!r}: closing is not after opening"))
        days[day] = (start, end)
    holidays = {}
    for item in data["holidays"]:
        try:
            holidays[date.fromisoformat(item["date"])] = item["name"]
        except ValueError:
            problems.append(Problem(shown, item.line, f"holiday date {item['date']!r} is not YYYY-MM-DD"))
    if problems:
        raise DialogError(problems)
    fact = lambda raw: Fact(str(raw["value"]), bool(raw["confirmed"]))  # noqa: E731
    return Region(
        name=data["name"], timezone=tz, timezone_label=data["timezone_label"], days=days,
        hours_confirmed=data["hours"]["confirmed"], holidays=holidays,
        service_points=tuple(ServicePoint(p["id"], p["name"], p["kind"], p["address"], p["confirmed"]) for p in data["service_points"]),
        min_android=fact(data["devices"]["min_android"]), min_ios=fact(data["devices"]["min_ios"]),
        contacts={k: fact(v) for k, v in data["contacts"].items()},
        places=build_places(data.get("kecamatan")),
        reminders=build_reminders(data.get("reminders")), targets=build_targets(data.get("targets")),
    )
