"""The growth benchmark's city (benchmarks/city.py) on each backend: it holds what was seeded,
and a run's rows go again before the next run, so every run starts from the same city; on
PostgreSQL the side-by-side benchmark runs end to end with tiny numbers (no timing asserted)."""

from __future__ import annotations

from benchmarks.city import FIRST_CHAT, populate, rewind
from bot.store import Store


def _counts(store: Store) -> dict[str, int]:
    return {table: store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("conversations", "transcript", "inbox", "outbox", "tickets")}


def test_a_city_holds_its_residents_and_a_run_is_taken_back(url: str) -> None:
    seed = populate(url, 30)
    store = Store(url)
    seeded = _counts(store)
    assert seeded == {"conversations": 30, "transcript": 60, "inbox": 30, "outbox": 30, "tickets": 0}
    last = store.residents.load(FIRST_CHAT + 29)
    assert last is not None and last.conversation.state != "start"  # mid-journey, as a city's residents are
    # what a measured run leaves behind: a new resident, a handled update, a reply, a ticket
    with store.transaction():
        store.residents.save(7, last.conversation, locale="id", milestone="welcome")
        store.inbox.keep_update(1, {"update_id": 1})
        store.outbox.enqueue(7, {"kind": "message", "text": "halo", "rows": []})
        store.transcripts.add(7, "in", "text", "halo", state=last.conversation.state)
        store.tickets.open(7, reason="asked", state=last.conversation.state, milestone="welcome", attempts=0)
    store.close()
    rewind(url, seed)
    store = Store(url)
    assert _counts(store) == seeded and store.residents.load(7) is None
    store.close()


def test_growth_on_postgresql_beside_sqlite_runs_end_to_end(postgres_server: str) -> None:
    from benchmarks.growth_postgres import compare

    figures = compare(postgres_server, (10, 30), journeys=1, repeats=1)
    for backend in ("sqlite", "postgresql"):
        assert figures[backend]["growth_ratio"] > 0 and all(v > 0 for v in figures[backend]["bot_cpu_us"].values())
    assert all(v > 0 for v in figures["postgresql"]["server_cpu_us"].values())
    assert figures["migrate_db_tables_differing"] == {}  # migrate-db copied every row of the city
