"""Turn the engine's Say effects into the sentences and keyboards a resident sees.

This is where msgids meet the catalogs and the region file: the engine says "face.take", the
renderer writes the Indonesian sentence with the resident's form of address filled in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from bot.engine.conversation import Conversation, ShownButton
from bot.engine.effects import Say
from bot.i18n import Translator
from bot.region import WEEKDAYS, Region


@dataclass(frozen=True)
class OutgoingMessage:
    """One message for the resident: plain text and keyboard rows of button labels."""

    text: str
    rows: tuple[tuple[str, ...], ...] = ()

    @property
    def buttons(self) -> list[str]:
        return [label for row in self.rows for label in row]


class Renderer:
    def __init__(self, translator: Translator, region: Region):
        self.t = translator
        self.region = region
        self._region_params = self._build_region_params()

    @property
    def locale(self) -> str:
        return self.t.catalog.locale

    def label(self, msgid: str) -> str:
        return self.t.text(msgid)

    def labels(self, msgids: Iterable[str]) -> dict[str, str]:
        return {m: self.t.text(m) for m in msgids}

    def params(self, conv: Conversation | None) -> dict[str, str]:
        facts = dict(conv.facts) if conv else {}
        honorific = facts.get("honorific", "bapak_ibu")
        prefix = "sapaan.helper." if facts.get("role") == "helper" else "sapaan."
        return {**self._region_params, "sapaan": self.t.text(prefix + honorific)}

    def say(self, say: Say, conv: Conversation | None) -> OutgoingMessage:
        params = self.params(conv)
        parts = []
        if say.progress:
            parts.append(self.t.text("sys.progress", step=say.progress[0], total=say.progress[1]))
        for line in say.lines:
            values = dict(line.params)
            if "milestone_title" in values:  # a msgid (a reminder names the step it is about)
                values["milestone_title"] = self.t.text(values["milestone_title"])
            parts.append(self.t.text(line.msgid, **{**params, **values}))
        return OutgoingMessage("\n\n".join(parts), self.rows(say.buttons))

    def rows(self, buttons: Iterable[ShownButton]) -> tuple[tuple[str, ...], ...]:
        """Choices one per row (large targets for older fingers), the help row side by side."""
        choices = [(self.label(b.label),) for b in buttons if not b.help_row]
        help_row = tuple(self.label(b.label) for b in buttons if b.help_row)
        return tuple(choices + ([help_row] if help_row else []))

    # ----- region facts as sentences ------------------------------------------------------
    def _build_region_params(self) -> dict[str, str]:
        r = self.region
        unconfirmed = " " + self.t.text("region.unconfirmed")
        points = "\n".join(
            self.t.text("region.point", name=p.name, address=p.address) + ("" if p.confirmed else unconfirmed)
            for p in r.service_points)
        call_center = r.contacts.get("call_center")
        return {
            "service_points": points,
            "office_hours": self.office_hours() + ("" if r.hours_confirmed else unconfirmed),
            "min_android": r.min_android.value,
            "min_ios": r.min_ios.value,
            "call_center": call_center.value if call_center else "",
        }

    def office_hours(self) -> str:
        """e.g. "Senin–Jumat pukul 08.00–15.00 WIB", grouping consecutive days with equal hours."""
        groups: list[tuple[list[int], tuple]] = []
        for index, day in enumerate(WEEKDAYS):
            span = self.region.days.get(day)
            if span is None:
                continue
            if groups and groups[-1][1] == span and groups[-1][0][-1] == index - 1:
                groups[-1][0].append(index)
            else:
                groups.append(([index], span))
        if not groups:
            return self.t.text("region.no_hours")
        pieces = []
        for days, (start, end) in groups:
            names = self.t.day_name(days[0]) if len(days) == 1 else self.t.text(
                "region.days_range", first=self.t.day_name(days[0]), last=self.t.day_name(days[-1]))
            pieces.append(self.t.text("region.hours", days=names, open=self.t.clock(start),
                                      close=self.t.clock(end), tz=self.region.timezone_label))
        return "; ".join(pieces)
