"""Which operators' group serves a resident: their kecamatan's group, or the Disdukcapil group.

The region file names, for each kecamatan, the key of the group that serves it (bot/places.py);
the deployment maps keys to forum groups (TEMAN_IKD_OPERATOR_GROUPS). A kecamatan without a
mapped group, a resident who does not know theirs, and a scam report go to the Disdukcapil group
(TEMAN_IKD_OPERATOR_CHAT), which also sees the whole city's queue and statistics.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.places import Kecamatan, Places


@dataclass(frozen=True)
class Routing:
    main: int  # the Disdukcapil group
    groups: dict[str, int] = field(default_factory=dict)  # group key -> chat id
    places: Places = field(default_factory=Places)

    def group_for(self, kecamatan_id: str | None) -> int:
        place = self.places.get(kecamatan_id)
        return self.groups.get(place.operators, self.main) if place else self.main

    def all_groups(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys((self.main, *self.groups.values())))

    def city_wide(self, group_id: int) -> bool:
        """The Disdukcapil group answers /antrian and /statistik for the whole city."""
        return group_id == self.main

    def served_by(self, group_id: int) -> tuple[Kecamatan, ...]:
        return tuple(k for k in self.places.kecamatan if self.group_for(k.id) == group_id)

    @property
    def routed(self) -> bool:
        """More than one group: asking the kecamatan changes who answers."""
        return len(self.all_groups()) > 1
