"""2. Growth: the bot's CPU time per update with 100, 10,000 and 100,000 stored conversations.

Each size runs in its own process (``python -m benchmarks.growth SIZE UPDATES``), so its peak
memory (VmHWM) is its own. The store is filled directly through bot.store.Store: for each
stored resident a mid-journey snapshot, a few transcript lines, handled update ids and sent
outbox items, as a city's database would hold them; then fresh residents walk journeys.
"""

from __future__ import annotations

import asyncio
import json
import resource
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import ROOT, offline_guide, workdir
from bot.engine import Input
from bot.store import Store

FIRST_CHAT = 5_000_000_000  # far from the emulator's ids
HANDLED_IDS = 1_000_000_000  # update ids far from the ones measured


def populate(db: Path, size: int) -> None:
    guide = offline_guide()
    engine = guide.engines["id"]
    conv = engine.step(None, Input.commanded("start")).conversation
    for _ in range(3):
        conv = engine.step(conv, Input.pressed(1)).conversation
    store = Store(str(db))
    with store.transaction():
        for n in range(size):
            chat = FIRST_CHAT + n
            store.save(chat, conv, locale="id", milestone="welcome")
            store.add_transcript(chat, "in", "button", "1", state=conv.state)
            store.add_transcript(chat, "out", "say", "Langkah 1 dari 8 ...", state=conv.state)
            store.keep_update(HANDLED_IDS + n, {})  # a handled update each (kept a day)
            store.claim_update(HANDLED_IDS + n)
            item = store.enqueue(chat, {"kind": "message", "text": "Langkah 1 dari 8 ...", "rows": [["1"]]})
            store.mark_sent(item)
    store.close()


async def _measure(size: int, base: Path, journeys: int) -> dict[str, Any]:
    """One run on a fresh copy of ``base`` (same residents, same update ids every time)."""
    from benchmarks.handling import journeys as handling_journeys, measure_one

    plan = handling_journeys(journeys)  # as measured in 1., the operators' desk on
    with workdir(f"growth{size}") as wd:
        db = wd / "bot.sqlite3"
        shutil.copyfile(base, db)
        cpu_us = (await measure_one("bot", plan, db=db))["cpu_us"]
    return {"size": size, "bot_cpu_us": cpu_us, "peak_rss_mb": round(peak_rss_kb() / 1024, 1)}


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


def measure_size(size: int, base: Path, journeys: int) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "benchmarks.growth", str(size), str(base), str(journeys)],
                         cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"growth run for {size} conversations failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(sizes: tuple[int, ...], journeys: int, repeats: int, parallel: bool = False) -> dict[str, Any]:
    """Each size's database is filled once; then the sizes take turns, round after round, so
    that the machine's drift (shared, noisy) falls on all of them alike; each size's best run
    counts. ``parallel`` (the smoke test only: CPU figures taken side by side are not comparable)."""
    with workdir("growth") as wd:
        bases = {size: wd / f"base{size}.sqlite3" for size in sizes}
        for size, base in bases.items():
            populate(base, size)
        runs: dict[int, list[dict[str, Any]]] = {size: [] for size in sizes}
        for _ in range(repeats):
            if parallel:
                from concurrent.futures import ThreadPoolExecutor

                with ThreadPoolExecutor(len(sizes)) as pool:
                    rows = list(pool.map(lambda size: measure_size(size, bases[size], journeys), sizes))
            else:
                rows = [measure_size(size, bases[size], journeys) for size in sizes]
            for row in rows:
                runs[row["size"]].append(row)
    best = {size: min(r["bot_cpu_us"] for r in rows) for size, rows in runs.items()}
    smallest, largest = sizes[0], sizes[-1]
    return {
        "growth_sizes": list(sizes),
        "growth_cpu_us": {str(size): round(best[size], 1) for size in sizes},
        "growth_ratio": round(best[largest] / best[smallest], 3),
        "peak_rss_mb": {str(size): max(r["peak_rss_mb"] for r in runs[size]) for size in sizes},
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_measure(int(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])))))
