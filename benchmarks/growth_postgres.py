"""Growth on PostgreSQL, side by side with SQLite: CPU per update at 10,000 and 1,000,000 stored
conversations (issue 15), measured as benchmarks/growth.py measures SQLite.

    python -m benchmarks.growth_postgres [--url postgresql://127.0.0.1:5432/test] [--json FILE]

Each size is seeded once on each backend (benchmarks/city.py: SQLite in a temporary file,
PostgreSQL in a schema of its own, dropped after); the four cities take turns, round after
round, and each one's best run counts. On PostgreSQL the CPU per update is the bot's process
plus the server's backend serving it (on this machine), and the server's own statistics say
how many rows its sequential scans read per update: a per-update query that reads a table
whole would read about a million rows at the larger size. The seeding time of each city and
the time `teman-ikd migrate-db` takes to copy the SQLite city of the smaller size to
PostgreSQL are reported too (the copy is checked row for row by count).
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.city import Seed, one_resident, populate, postgres_schema
from benchmarks.growth import City, measure_cities
from benchmarks.harness import ROOT, machine, workdir
from bot.store.copy import TABLES
from bot.store.postgres import is_postgres

DEFAULT_URL = "postgresql://127.0.0.1:5432/test"
RESULTS = Path(__file__).with_name("growth_postgres_results.json")


def _scans(url: str) -> tuple[int, int, int]:
    """Sequential scans on the city's tables so far, the rows they read, and the pages of tables
    and indexes read or found in the cache (the server's counts: work, not time, so the
    machine's neighbours do not move them)."""
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT coalesce(sum(seq_scan), 0), coalesce(sum(seq_tup_read), 0) "
                           "FROM pg_stat_user_tables WHERE schemaname = current_schema()").fetchone()
        pages = conn.execute("SELECT coalesce(sum(heap_blks_read + heap_blks_hit + coalesce(idx_blks_read, 0) "
                             "+ coalesce(idx_blks_hit, 0)), 0) FROM pg_statio_user_tables "
                             "WHERE schemaname = current_schema()").fetchone()
    assert row is not None and pages is not None
    return int(row[0]), int(row[1]), int(pages[0])


def _with_scans(city: City, run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """A run, with the sequential scans its updates made (PostgreSQL's statistics, flushed when
    the run's connection ends; a moment is left for that)."""
    url = city[1]
    if not is_postgres(url):
        return run()
    before = _scans(url)
    row = run()
    time.sleep(1.0)
    after = _scans(url)
    return dict(row, seq_scans_per_update=round((after[0] - before[0]) / row["updates"], 2),
                seq_rows_per_update=round((after[1] - before[1]) / row["updates"], 1),
                pages_per_update=round((after[2] - before[2]) / row["updates"], 1))


def _migrate_db(source: str, target: str) -> dict[str, Any]:
    """`teman-ikd migrate-db` as an operator runs it, timed; every table's rows counted on both sides."""
    import sqlite3

    import psycopg

    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "bot", "migrate-db", "--db", source, "--to", target],
                         cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if out.returncode != 0:
        raise RuntimeError(f"migrate-db failed: {out.stderr[-2000:]}")
    with sqlite3.connect(source) as src, psycopg.connect(target) as dst:
        differ = {}
        for table, _ in TABLES:
            counts = [db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for db in (src, dst)]
            if counts[0] != counts[1]:
                differ[table] = counts
        rows = src.execute("SELECT count(*) FROM transcript").fetchone()[0]
    return {"migrate_db_s": round(seconds, 1), "migrate_db_tables_differing": differ,
            "migrate_db_transcript_rows": rows}


def compare(url: str, sizes: tuple[int, ...], journeys: int, repeats: int) -> dict[str, Any]:
    template = one_resident()
    seeding: dict[str, float] = {}
    with workdir("growth-pg") as wd, postgres_schema(url, "small") as small, postgres_schema(url, "large") as large, \
            postgres_schema(url, "moved") as moved:
        targets = {sizes[0]: small, sizes[-1]: large}
        cities: list[City] = []
        for size in sizes:
            for backend, city_url in (("sqlite", str(wd / f"city{size}.sqlite3")), ("postgresql", targets[size])):
                started = time.perf_counter()
                seed: Seed = populate(city_url, size, template)
                seeding[f"{backend} {size}"] = round(time.perf_counter() - started, 1)
                cities.append((f"{backend} {size}", city_url, seed))
        migrated = _migrate_db(str(wd / f"city{sizes[0]}.sqlite3"), moved)
        best = measure_cities(cities, journeys, repeats, around=_with_scans)
    return _figures(sizes, best, seeding, migrated, journeys, repeats)


def _figures(sizes: tuple[int, ...], best: dict[str, dict[str, Any]], seeding: dict[str, float],
             migrated: dict[str, Any], journeys: int, repeats: int) -> dict[str, Any]:
    out: dict[str, Any] = {"sizes": list(sizes), "journeys": journeys, "repeats": repeats,
                           "updates_per_run": next(iter(best.values()))["updates"]}
    small, large = sizes[0], sizes[-1]
    for backend in ("sqlite", "postgresql"):
        rows = {size: best[f"{backend} {size}"] for size in sizes}
        total = {size: r["bot_cpu_us"] + r["server_cpu_us"] for size, r in rows.items()}
        out[backend] = {
            "bot_cpu_us": {str(s): round(r["bot_cpu_us"], 1) for s, r in rows.items()},
            "server_cpu_us": {str(s): round(r["server_cpu_us"], 1) for s, r in rows.items()},
            "growth_ratio": round(rows[large]["bot_cpu_us"] / rows[small]["bot_cpu_us"], 3),
            "growth_ratio_with_server": round(total[large] / total[small], 3),
            "growth_ratio_by_round": _by_round(rows[small]["rounds"], rows[large]["rounds"]),
            "peak_rss_mb": {str(s): r["peak_rss_mb"] for s, r in rows.items()},
            "seed_s": {str(s): seeding[f"{backend} {s}"] for s in sizes},
        }
        if backend == "postgresql":
            out[backend]["seq_rows_per_update"] = {str(s): r["seq_rows_per_update"] for s, r in rows.items()}
            out[backend]["seq_scans_per_update"] = {str(s): r["seq_scans_per_update"] for s, r in rows.items()}
            out[backend]["pages_per_update"] = {str(s): r["pages_per_update"] for s, r in rows.items()}
    out["postgresql_vs_sqlite"] = {
        str(s): round((best[f"postgresql {s}"]["bot_cpu_us"] + best[f"postgresql {s}"]["server_cpu_us"])
                      / best[f"sqlite {s}"]["bot_cpu_us"], 2) for s in sizes}
    out.update(migrated)
    return out


def _by_round(small: list[dict[str, Any]], large: list[dict[str, Any]]) -> dict[str, Any]:
    """The growth within each round (the two sizes measured minutes apart, so the machine's drift
    cancels better than between the best runs), bot and server together; and their median."""
    ratios = [(b["bot_cpu_us"] + b["server_cpu_us"]) / (a["bot_cpu_us"] + a["server_cpu_us"])
              for a, b in zip(small, large, strict=True)]
    return {"median": round(statistics.median(ratios), 3), "each": [round(r, 3) for r in ratios]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=DEFAULT_URL, help="a PostgreSQL server (a schema of its own is used)")
    parser.add_argument("--sizes", type=int, nargs=2, default=(10_000, 1_000_000), metavar=("SMALL", "LARGE"))
    parser.add_argument("--journeys", type=int, default=12, help="residents walking a journey in each run")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", type=Path, help=f"also write the figures here (the README's: {RESULTS.name})")
    args = parser.parse_args(argv)
    # A stopped run still drops its schemas (the finally blocks run on SystemExit, not on SIGTERM).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    result = compare(args.url, tuple(args.sizes), args.journeys, args.repeats)
    result["seconds"] = round(time.monotonic() - started, 1)
    result["machine"] = machine()
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
