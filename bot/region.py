"""Facts that vary by place and time, read from dialogs/region/<name>.yaml.

Service points, opening days and hours, closures (national holidays and cuti bersama from the
``holidays`` package, plus the region file's own closures), minimum phone versions, contacts,
other values sentences use (``facts:``) and claims that are not values (``claims:``). Every fact
carries ``confirmed``: the renderer hedges what is not confirmed, and ``teman-ikd facts`` lists it
as the launch checklist. Nothing here is hard-coded: a city edits the YAML, not the code.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays as holiday_calendars
import jsonschema

from bot.flow.errors import DialogError, Problem, relative
from bot.flow.yamlfile import line_of, read_yaml
from bot.followup.plan import REMINDERS_SCHEMA, TARGETS_SCHEMA, ReminderPlan, Targets, build_reminders, build_targets
from bot.paths import dialogs_dir
from bot.places import PLACES_SCHEMA, Places, build_places

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_SOURCE = {"type": "string", "minLength": 3}
_FACT = {"type": "object", "required": ["value", "confirmed", "source"], "additionalProperties": False,
         "properties": {"value": {"type": ["string", "integer"]}, "confirmed": {"type": "boolean"},
                        "source": _SOURCE, "note": {"type": "string"}}}
_HOURS = {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9]$"}
_CLOSURE = {"type": "object", "required": ["date", "name", "confirmed", "source"], "additionalProperties": False,
            "properties": {"date": {"type": "string", "format": "date"}, "name": {"type": "string"},
                           "confirmed": {"type": "boolean"}, "source": _SOURCE}}
_NAME = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}
REGION_SCHEMA = {
    "type": "object",
    "required": ["name", "timezone", "timezone_label", "hours", "holidays", "service_points", "devices", "contacts"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string"},
        "timezone": {"type": "string"},
        "timezone_label": {"type": "string"},
        "hours": {"type": "object", "required": ["confirmed", "days", "source"], "additionalProperties": False,
                  "properties": {"confirmed": {"type": "boolean"}, "source": _SOURCE, "note": {"type": "string"},
                                 "days": {"type": "object", "propertyNames": {"enum": list(WEEKDAYS)},
                                          "additionalProperties": _HOURS}}},
        "holidays": {"type": "object", "required": ["country", "categories"], "additionalProperties": False,
                     "properties": {"country": {"type": "string", "pattern": "^[A-Z]{2}$"},
                                    "subdivision": {"type": "string"},
                                    "categories": {"type": "array", "minItems": 1, "items": {"type": "string"}},
                                    "source": _SOURCE,
                                    "closures": {"type": "array", "items": _CLOSURE},
                                    "open_anyway": {"type": "array", "items": _CLOSURE}}},
        "service_points": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["id", "name", "kind", "address", "confirmed", "source"],
            "additionalProperties": False,
            "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                           "kind": {"enum": ["disdukcapil", "kecamatan", "mpp"]},
                           "address": {"type": "string"}, "confirmed": {"type": "boolean"},
                           "does_ikd": {"type": ["boolean", "null"]},
                           "source": _SOURCE, "note": {"type": "string"}}}},
        "devices": {"type": "object", "required": ["min_android", "min_ios"], "additionalProperties": False,
                    "properties": {"min_android": _FACT, "min_ios": _FACT}},
        "contacts": {"type": "object", "propertyNames": _NAME, "additionalProperties": _FACT},
        "facts": {"type": "object", "propertyNames": _NAME, "additionalProperties": _FACT},
        "claims": {"type": "object", "propertyNames": _NAME, "additionalProperties": {
            "type": "object", "required": ["claim", "confirmed", "source", "said_in"], "additionalProperties": False,
            "properties": {"claim": {"type": "string"}, "confirmed": {"type": "boolean"}, "source": _SOURCE,
                           "said_in": {"type": "array", "minItems": 1,
                                       "items": {"type": "string", "pattern": "^[a-z][a-z0-9_.]*$"}}}}},
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
    source: str = ""


@dataclass(frozen=True)
class Fact:
    value: str
    confirmed: bool
    source: str = ""


@dataclass(frozen=True)
class Claim:
    """A sentence-level statement that is not a value (e.g. "activation is not tied to the KTP's
    domicile"); the msgids that make it must word it with a hedge while it is unconfirmed."""

    claim: str
    confirmed: bool
    source: str
    said_in: tuple[str, ...]


@dataclass(frozen=True)
class Unconfirmed:
    """One line of the launch checklist (``teman-ikd facts``)."""

    what: str
    value: str
    source: str


class Closures:
    """Days the offices are closed: the ``holidays`` package's calendar (public holidays,
    the Islamic ones included, and cuti bersama for civil servants) plus the region file's
    own closures, minus days the region file says the office works anyway."""

    def __init__(self, country: str, categories: tuple[str, ...], subdivision: str | None,
                 extra: dict[date, str], open_anyway: frozenset[date]):
        self._calendar = holiday_calendars.country_holidays(country, subdiv=subdivision, categories=categories,
                                                            language="id")
        self._extra = extra
        self._open_anyway = open_anyway

    def get(self, day: date) -> str | None:
        if day in self._open_anyway:
            return None
        return self._extra.get(day) or self._calendar.get(day)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.get(day) is not None


@dataclass(frozen=True)
class Region:
    name: str
    timezone: ZoneInfo
    timezone_label: str
    days: dict[str, tuple[time, time]]
    hours_confirmed: bool
    holidays: Closures
    service_points: tuple[ServicePoint, ...]
    min_android: Fact
    min_ios: Fact
    contacts: dict[str, Fact] = field(default_factory=dict)
    facts: dict[str, Fact] = field(default_factory=dict)
    claims: dict[str, Claim] = field(default_factory=dict)
    hours_source: str = ""
    unconfirmed_closures: tuple[Unconfirmed, ...] = ()
    places: Places = field(default_factory=Places)
    reminders: ReminderPlan = field(default_factory=ReminderPlan)
    targets: Targets = field(default_factory=Targets)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.timezone)

    def is_open(self, moment: datetime) -> bool:
        """Whether the offices serve at this moment (weekday hours, not a holiday or cuti bersama)."""
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
        for offset in range(60):
            day = local.date() + timedelta(days=offset)
            span = self.days.get(WEEKDAYS[day.weekday()])
            if span is None or day in self.holidays:
                continue
            opening = datetime.combine(day, span[0], tzinfo=self.timezone)
            if opening > local:
                return opening
        raise ValueError("no opening hours in the next 60 days; check the region file")

    def values(self) -> dict[str, Fact]:
        """Every value a sentence may use as a placeholder: devices, contacts and facts."""
        return {"min_android": self.min_android, "min_ios": self.min_ios, **self.contacts, **self.facts}

    def unconfirmed(self) -> Iterator[Unconfirmed]:
        """What Disdukcapil must confirm before launch, each with the source it rests on."""
        if not self.hours_confirmed:
            hours = ", ".join(f"{d} {a:%H:%M}-{b:%H:%M}" for d, (a, b) in self.days.items())
            yield Unconfirmed("hours", hours, self.hours_source)
        yield from self.unconfirmed_closures
        for p in self.service_points:
            if not p.confirmed:
                yield Unconfirmed(f"service point {p.id}", f"{p.name}, {p.address}", p.source)
        for name, fact in self.values().items():
            if not fact.confirmed:
                yield Unconfirmed(name, fact.value, fact.source)
        for name, claim in self.claims.items():
            if not claim.confirmed:
                yield Unconfirmed(f"claim {name} ({', '.join(claim.said_in)})", claim.claim, claim.source)


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


def _closures(data: Any, shown: str, problems: list[Problem]) -> tuple[Closures | None, tuple[Unconfirmed, ...]]:
    spec = data["holidays"]
    dated: dict[str, dict[date, str]] = {"closures": {}, "open_anyway": {}}
    unconfirmed = []
    for key in dated:
        for item in spec.get(key, []):
            try:
                day = date.fromisoformat(item["date"])
            except ValueError:
                problems.append(Problem(shown, item.line, f"holiday date {item['date']!r} is not YYYY-MM-DD"))
                continue
            dated[key][day] = item["name"]
            if not item["confirmed"]:
                label = "closure" if key == "closures" else "open on a holiday"
                unconfirmed.append(Unconfirmed(f"{label} {day.isoformat()}", item["name"], item["source"]))
    try:
        closures = Closures(spec["country"], tuple(spec["categories"]), spec.get("subdivision"),
                            dated["closures"], frozenset(dated["open_anyway"]))
    except (NotImplementedError, ValueError) as exc:  # unknown country, subdivision or category
        problems.append(Problem(shown, data.key_lines["holidays"], f"holidays: {exc}"))
        return None, ()
    return closures, tuple(unconfirmed)


def _build(data: Any, shown: str) -> Region:
    problems: list[Problem] = []
    try:
        tz = ZoneInfo(data["timezone"])
    except Exception:  # noqa: BLE001 -- zoneinfo raises several types for unknown keys; reported as one
        raise DialogError([Problem(shown, data.key_lines["timezone"],
                                   f"unknown timezone {data['timezone']!r}")]) from None
    days = {}
    for day, span in data["hours"]["days"].items():
        start, end = (time.fromisoformat(part) for part in span.split("-"))
        if end <= start:
            problems.append(Problem(shown, data["hours"]["days"].key_lines[day],
                                    f"hours {span!r}: closing is not after opening"))
        days[day] = (start, end)
    closures, unconfirmed_closures = _closures(data, shown, problems)
    values = {**data["devices"], **data["contacts"], **data.get("facts", {})}
    if len(values) != len(data["devices"]) + len(data["contacts"]) + len(data.get("facts", {})):
        problems.append(Problem(shown, None, "a name is used twice among devices, contacts and facts"))
    if problems:
        raise DialogError(problems)
    assert closures is not None  # None only with a problem, raised above
    fact = lambda raw: Fact(str(raw["value"]), bool(raw["confirmed"]), raw["source"])  # noqa: E731
    return Region(
        name=data["name"], timezone=tz, timezone_label=data["timezone_label"], days=days,
        hours_confirmed=data["hours"]["confirmed"], holidays=closures,
        service_points=tuple(ServicePoint(p["id"], p["name"], p["kind"], p["address"], p["confirmed"], p["source"])
                             for p in data["service_points"]),
        min_android=fact(data["devices"]["min_android"]), min_ios=fact(data["devices"]["min_ios"]),
        contacts={k: fact(v) for k, v in data["contacts"].items()},
        facts={k: fact(v) for k, v in data.get("facts", {}).items()},
        claims={k: Claim(v["claim"], v["confirmed"], v["source"], tuple(v["said_in"]))
                for k, v in data.get("claims", {}).items()},
        hours_source=data["hours"]["source"], unconfirmed_closures=unconfirmed_closures,
        places=build_places(data.get("kecamatan")),
        reminders=build_reminders(data.get("reminders")), targets=build_targets(data.get("targets")),
    )
