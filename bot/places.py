"""Where a resident lives: the city's kecamatan, their kelurahan, and a typed name resolved to
its kecamatan (pure, no I/O).

Read from the ``kecamatan`` section of the region file (dialogs/region/<name>.yaml). A kecamatan
names the office nearest to its residents and the operators' group that serves them (a key
that the deployment maps to a forum group; unmapped keys fall back to the Disdukcapil group).
Typed names are matched forgivingly (rapidfuzz) because residents type "kel. cipocok", "walantaka"
or "dkt alun2 kaligandu".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

UNKNOWN = "unknown"  # the fact's value when the resident does not know their kecamatan
MATCH_SCORE = 86.0  # partial-ratio score a typed word needs to count as a place name
_NOISE = re.compile(r"(?i)\b(?:kel(?:urahan)?|kec(?:amatan)?|desa|kampung|kp"
                    r"|di|saya|tinggal|rumah|daerah|dekat|dkt)\b\.?")

PLACES_SCHEMA = {
    "type": "object", "required": ["confirmed", "list"], "additionalProperties": False,
    "properties": {
        "confirmed": {"type": "boolean"}, "source": {"type": "string"}, "note": {"type": "string"},
        "list": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["id", "name", "office", "kelurahan"], "additionalProperties": False,
            "properties": {"id": {"type": "string", "pattern": "^[a-z_]+$"}, "name": {"type": "string"},
                           "office": {"type": "string"}, "operators": {"type": "string"},
                           "kelurahan": {"type": "array", "items": {"type": "string"}}}}},
    },
}


@dataclass(frozen=True)
class Kecamatan:
    id: str
    name: str
    office: str  # the nearest office for its residents, as shown to them
    operators: str  # key of the operators' group that serves it
    kelurahan: tuple[str, ...]


@dataclass(frozen=True)
class Places:
    kecamatan: tuple[Kecamatan, ...] = ()
    confirmed: bool = False

    def get(self, kecamatan_id: str | None) -> Kecamatan | None:
        return next((k for k in self.kecamatan if k.id == kecamatan_id), None)

    def find(self, text: str) -> Kecamatan | None:
        """The kecamatan a typed kecamatan or kelurahan name belongs to, or None."""
        cleaned = " ".join(_NOISE.sub(" ", text.lower()).split())
        if len(cleaned) < 4:
            return None
        names: dict[str, Kecamatan] = {}
        for k in self.kecamatan:
            names[k.name.lower()] = k
            for kel in k.kelurahan:
                names.setdefault(kel.lower(), k)
        best = process.extractOne(cleaned, list(names), scorer=fuzz.WRatio, score_cutoff=MATCH_SCORE)
        return names[best[0]] if best else None


def build_places(data: Any) -> Places:
    if not data:
        return Places()
    return Places(tuple(Kecamatan(k["id"], k["name"], k["office"], k.get("operators", k["id"]), tuple(k["kelurahan"]))
                        for k in data["list"]), bool(data["confirmed"]))
