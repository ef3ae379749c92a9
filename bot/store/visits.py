"""Home-visit requests (jemput bola): where a resident who cannot travel lives, for the operators
of their kecamatan. The only SQL for them.

The address is what the resident typed, already redacted (a NIK or a phone number in it is
masked before it gets here). It is personal data: it goes with the resident's data on
/hapusdata (``ResidentRecords.erase_resident`` lists the table) and after the retention period
(``purge_visits``, called by the hourly purge beside the transcripts').
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.database import Database


@dataclass(frozen=True)
class HomeVisit:
    id: int
    ticket_id: int
    chat_id: int
    kecamatan: str | None
    kelurahan: str | None
    address: str
    requested_at: float


_COLUMNS = "v.id, v.ticket_id, v.chat_id, v.kecamatan, v.kelurahan, v.address, v.requested_at"


class VisitRecords(Database):
    def add_visit(self, ticket_id: int, chat_id: int, kecamatan: str | None, kelurahan: str | None,
                  address: str) -> int:
        cur = self._run("INSERT INTO home_visits (ticket_id, chat_id, kecamatan, kelurahan, address, requested_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)", (ticket_id, chat_id, kecamatan, kelurahan, address, self.clock()))
        return int(cur.lastrowid or 0)

    def visit_of_ticket(self, ticket_id: int) -> HomeVisit | None:
        row = self._run(f"SELECT {_COLUMNS} FROM home_visits v WHERE v.ticket_id = ?", (ticket_id,)).fetchone()
        return HomeVisit(*row) if row else None

    def open_visits(self, group_id: int | None = None) -> list[HomeVisit]:
        """Requests whose ticket is still open, oldest first: all, or those one group serves."""
        where = "t.status != 'closed'" + (" AND t.group_id = ?" if group_id is not None else "")
        rows = self._run(f"SELECT {_COLUMNS} FROM home_visits v JOIN tickets t ON t.id = v.ticket_id "
                         f"WHERE {where} ORDER BY v.requested_at",
                         (group_id,) if group_id is not None else ()).fetchall()
        return [HomeVisit(*r) for r in rows]

    def purge_visits(self, older_than: float) -> int:
        """Requests older than the retention period go, address and all."""
        return self._run("DELETE FROM home_visits WHERE requested_at < ?", (older_than,)).rowcount
