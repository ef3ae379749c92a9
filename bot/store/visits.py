"""Home-visit requests (jemput bola): where a resident who cannot travel lives, for the operators
of their kecamatan. The only SQL for them.

The address is what the resident typed, already redacted (a NIK or a phone number in it is
masked before it gets here). It is personal data: it goes with the resident's data on
/hapusdata (``Store.erase_resident`` calls ``erase``) and after the retention period
(``purge``, called by the hourly purge beside the transcripts').
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


class Visits:
    """The home_visits table."""

    def __init__(self, db: Database):
        self.db = db

    def add(self, ticket_id: int, chat_id: int, kecamatan: str | None, kelurahan: str | None,
                  address: str) -> int:
        row = self.db.execute("INSERT INTO home_visits "
                              "(ticket_id, chat_id, kecamatan, kelurahan, address, requested_at) "
                              "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                              (ticket_id, chat_id, kecamatan, kelurahan, address, self.db.clock())).fetchone()
        return int(row[0])

    def of_ticket(self, ticket_id: int) -> HomeVisit | None:
        row = self.db.execute(f"SELECT {_COLUMNS} FROM home_visits v WHERE v.ticket_id = ?", (ticket_id,)).fetchone()
        return HomeVisit(*row) if row else None

    def open(self, group_id: int | None = None) -> list[HomeVisit]:
        """Requests whose ticket is still open, oldest first: all, or those one group serves."""
        where = "t.status != 'closed'" + (" AND t.group_id = ?" if group_id is not None else "")
        rows = self.db.execute(f"SELECT {_COLUMNS} FROM home_visits v JOIN tickets t ON t.id = v.ticket_id "
                         f"WHERE {where} ORDER BY v.requested_at",
                         (group_id,) if group_id is not None else ()).fetchall()
        return [HomeVisit(*r) for r in rows]

    def purge(self, older_than: float) -> int:
        """Requests older than the retention period go, address and all."""
        return self.db.execute("DELETE FROM home_visits WHERE requested_at < ?", (older_than,)).rowcount

    def erase(self, chat_id: int) -> int:
        """/hapusdata: the resident's requests go, address and all."""
        return self.db.execute("DELETE FROM home_visits WHERE chat_id = ?", (chat_id,)).rowcount
