"""Turn the engine's Say effects into the sentences and keyboards a resident sees.

This is where msgids meet the catalogs and the region file: the engine says "face.take", the
renderer writes the Indonesian sentence with the resident's form of address filled in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

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
        return {**self._region_params, **self.address(facts)}

    def address(self, facts: dict[str, str]) -> dict[str, str]:
        """``{sapaan}`` names the e-KTP's owner ("Nenek" when a grandchild types for her);
        ``{anda}`` addresses whoever is typing ("Anda" for a helper, the owner otherwise)."""
        honorific = facts.get("honorific", "bapak_ibu")
        # The store the resident's phone has, so an iPhone user never reads about the Play Store.
        toko = self.t.text("toko." + {"iphone": "iphone", "android": "android"}.get(facts.get("phone", ""), "any"))
        if facts.get("role") == "helper":
            return {"sapaan": self.t.text("sapaan.helper." + honorific), "anda": self.t.text("sapaan.typist"),
                    "toko": toko}
        sapaan = self.t.text("sapaan." + honorific)
        return {"sapaan": sapaan, "anda": sapaan, "toko": toko}

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
        return OutgoingMessage(self._one_hedge_per_sentence("\n\n".join(parts)), self.rows(say.buttons))

    def rows(self, buttons: Iterable[ShownButton]) -> tuple[tuple[str, ...], ...]:
        """Choices one per row (large targets for older fingers), the help row side by side."""
        choices = [(self.label(b.label),) for b in buttons if not b.help_row]
        help_row = tuple(self.label(b.label) for b in buttons if b.help_row)
        return tuple(choices + ([help_row] if help_row else []))

    # ----- region facts as sentences ------------------------------------------------------
    def _build_region_params(self) -> dict[str, str]:
        """Placeholder values from the region file. A fact Disdukcapil has not confirmed is
        hedged here, by construction: no sentence can state it bare."""
        r = self.region
        self._hedge = self.t.text("region.unconfirmed")
        hedged = lambda text, confirmed: text if confirmed else f"{text} {self._hedge}"  # noqa: E731
        lines = [self.t.text("region.point", name=p.name, address=p.address) for p in r.service_points]
        if any(p.confirmed for p in r.service_points):
            points = "\n".join(hedged(line, p.confirmed) for line, p in zip(lines, r.service_points, strict=True))
        else:  # one note under the list rather than the same words on every line
            points = "\n".join(lines + [self.t.text("region.points_unconfirmed")])
        params = {name: hedged(fact.value, fact.confirmed) for name, fact in r.values().items()}
        params.update({
            "service_points": points,
            "office_hours": hedged(self.office_hours(), r.hours_confirmed),
            # after a moment computed from the hours ("Petugas kembali Senin pukul 08.00 WIB")
            "hours_note": "" if r.hours_confirmed else " " + self._hedge,
        })
        return params

    def _one_hedge_per_sentence(self, text: str) -> str:
        """"Android 8 (belum pasti) atau iOS 11 (belum pasti)": keep only the last hedge of a sentence."""
        if text.count(self._hedge) < 2:
            return text
        out = []
        for sentence in re.split(r"((?<=[.!?])[ \t]+|\n)", text):
            while sentence.count(self._hedge) > 1:
                sentence = sentence.replace(" " + self._hedge, "", 1)
            out.append(sentence)
        return "".join(out)

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
