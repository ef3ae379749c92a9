"""2. Growth: the bot's CPU time per update with 100, 10,000 and 100,000 stored conversations.

Each size is a city of its own (benchmarks/city.py: stored residents mid-journey, transcript
lines, handled update ids, sent outbox items), seeded once and taken back to what was seeded
before every run; then fresh residents walk journeys. Each run is a process of its own
(``python -m benchmarks.growth URL SIZE JOURNEYS``), so its peak memory (VmHWM) is its own.
The same code measures PostgreSQL (benchmarks/growth_postgres.py: SQLite and PostgreSQL side
by side at 10,000 and 1,000,000); there the server's CPU for the bot's connection is measured
too, since a statement that reads a table whole costs the server, not the bot.
"""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.city import Seed, one_resident, populate, rewind
from benchmarks.harness import ROOT, workdir

# A city measured: its label (e.g. "10000", or "postgresql 10000"), database URL and seed.
City = tuple[str, str, Seed]


async def _measure(url: str, size: int, journeys: int) -> dict[str, Any]:
    """One run on the seeded city at ``url`` (taken back to its seed by the caller)."""
    from benchmarks.handling import journeys as handling_journeys, measure_one

    plan = handling_journeys(journeys)  # as measured in 1., the operators' desk on
    run = await measure_one("bot", plan, db=url)
    return {"size": size, "bot_cpu_us": run["cpu_us"], "server_cpu_us": run["server_cpu_us"],
            "updates": run["updates"], "peak_rss_mb": round(peak_rss_kb() / 1024, 1)}


def peak_rss_kb() -> int:
    """This process's own peak resident memory. Linux carries ``ru_maxrss`` over fork and exec,
    so a child started by a big parent would report the parent's peak; VmHWM is the child's."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure_city(city: City, journeys: int) -> dict[str, Any]:
    """One run on a city, in a process of its own, from the city as seeded."""
    label, url, seed = city
    rewind(url, seed)
    out = subprocess.run([sys.executable, "-m", "benchmarks.growth", url, str(seed.size), str(journeys)],
                         cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"growth run on {label} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_cities(cities: list[City], journeys: int, repeats: int, parallel: bool = False,
                   around: Callable[[City, Callable[[], dict[str, Any]]], dict[str, Any]] | None = None,
                   ) -> dict[str, dict[str, Any]]:
    """The cities take turns, round after round, so that the machine's drift (shared, noisy)
    falls on all of them alike; each city's best run (least CPU, bot and server together)
    counts, with the most memory any of its runs took (``rounds``: every run, in order).
    ``around``: wraps each run (to read the server's statistics before and after it).
    ``parallel``: the smoke test only (CPU figures taken side by side are not comparable)."""
    def one(city: City) -> dict[str, Any]:
        return around(city, lambda: measure_city(city, journeys)) if around else measure_city(city, journeys)

    runs: dict[str, list[dict[str, Any]]] = {city[0]: [] for city in cities}
    for _ in range(repeats):
        if parallel:
            with ThreadPoolExecutor(len(cities)) as pool:
                rows = list(pool.map(one, cities))
        else:
            rows = [one(city) for city in cities]
        for city, row in zip(cities, rows, strict=True):
            runs[city[0]].append(row)
    best = {}
    for label, rows in runs.items():
        best[label] = dict(min(rows, key=lambda r: r["bot_cpu_us"] + r["server_cpu_us"]),
                           peak_rss_mb=max(r["peak_rss_mb"] for r in rows), rounds=rows)
    return best


def measure(sizes: tuple[int, ...], journeys: int, repeats: int, parallel: bool = False) -> dict[str, Any]:
    """SQLite at each size: CPU per update, the growth from the smallest to the largest, memory."""
    template = one_resident()
    with workdir("growth") as wd:
        cities = []
        for size in sizes:
            url = str(wd / f"city{size}.sqlite3")
            cities.append((str(size), url, populate(url, size, template)))
        best = measure_cities(cities, journeys, repeats, parallel)
    cpu = {int(label): row["bot_cpu_us"] for label, row in best.items()}
    return {
        "growth_sizes": list(sizes),
        "growth_cpu_us": {str(size): round(cpu[size], 1) for size in sizes},
        "growth_ratio": round(cpu[sizes[-1]] / cpu[sizes[0]], 3),
        "peak_rss_mb": {str(size): best[str(size)]["peak_rss_mb"] for size in sizes},
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_measure(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))))
