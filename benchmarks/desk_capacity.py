"""Desk capacity: how many simultaneous handoffs the operators' groups sustain with the
resident -> operator relay lag under 30 s, with 1 group and with 7 (the Disdukcapil group and
one per kecamatan), against the emulator enforcing Telegram's 20 messages a minute per group.

Each run: N residents ask for a person (spread evenly over the groups by their kecamatan), the
cards are delivered, then every resident writes one line every ``interval`` seconds for
``duration`` seconds while the bot relays them into the topics (merging a resident's queued
lines into one message). The lag of a line is the time from the resident's send to the line
appearing in the topic. A load is *sustained* when the 95th percentile lag stays under 30 s and
no line is lost. Times are simulated: the emulator and the bot's rate limiter run ``time_scale``
times faster, and the figures are given back in Telegram seconds.

    python -m benchmarks.desk_capacity            # the README's figures
    python -m benchmarks.desk_capacity --quick    # smaller, for a look
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
import time
from typing import Any

from benchmarks.harness import scaled_rate_limiter, workdir
from bot.emulator import Emulator, Limits
from bot.store import Store
from bot.telegram.app import RunningBot, build_bot
from bot.telegram.settings import Settings, Token

LAG_LIMIT_S = 30.0
KECAMATAN = ("serang", "cipocok_jaya", "curug", "kasemen", "taktakan", "walantaka")
KEC_LABELS = {"serang": "📍 Serang", "cipocok_jaya": "📍 Cipocok Jaya", "curug": "📍 Curug", "kasemen": "📍 Kasemen",
              "taktakan": "📍 Taktakan", "walantaka": "📍 Walantaka"}


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else 0.0


def _watch(groups, sent: dict[str, float], seen: dict[str, float], stop: threading.Event) -> None:
    """Record when each marked line first shows up in any group (real seconds)."""
    cursor = {g.chat_id: 0 for g in groups}
    while not stop.is_set():
        now = time.perf_counter()
        for g in groups:
            inbox = g.inbox
            for message in inbox[cursor[g.chat_id]:]:
                for line in (message.get("text") or "").splitlines():
                    marker = line.strip()
                    if marker in sent and marker not in seen:
                        seen[marker] = now
            cursor[g.chat_id] = len(inbox)
        time.sleep(0.003)


async def run_load(n_residents: int, n_groups: int, *, time_scale: float, interval: float,
                   duration: float) -> dict[str, Any]:
    with workdir("desk-capacity") as wd, Emulator(limits=Limits(time_scale=time_scale)) as emu:
        main = emu.forum_group("Operator Disdukcapil")
        kec_groups = [emu.forum_group(f"Operator Kec. {k}") for k in KECAMATAN[: max(0, n_groups - 1)]]
        groups = [main, *kec_groups]
        settings = Settings(token=Token(emu.token), api_url=emu.url, database=str(wd / "bot.sqlite3"),
                            pacing=0.0, operator_chat=main.chat_id,
                            operator_groups=tuple(zip(KECAMATAN, (g.chat_id for g in kec_groups), strict=False)))
        for g in groups:
            emu.operator(g, "Petugas")
        parts = build_bot(settings, Store(settings.database), chat_interval=1.0 / time_scale,
                          rate_limiter=scaled_rate_limiter(time_scale))
        residents = [emu.resident(f"Warga{i}") for i in range(n_residents)]
        async with RunningBot(parts) as bot:
            # Everyone asks for a person; with kecamatan groups they answer the kecamatan question,
            # round-robin over the Disdukcapil group ("Tidak tahu") and the six kecamatan.
            for r in residents:
                r.command("start")
            await bot.settle(120.0)
            for r in residents:
                r.command("bantuan")
            await bot.settle(120.0)
            if n_groups > 1:
                for i, r in enumerate(residents):
                    slot = i % n_groups
                    r.press("🤷 Tidak tahu" if slot == 0 else KEC_LABELS[KECAMATAN[slot - 1]], force=True)
            settled_cards = await bot.settle(600.0)
            opened = len(parts.adapter.store.active_tickets())
            sent: dict[str, float] = {}
            seen: dict[str, float] = {}
            stop = threading.Event()
            watcher = threading.Thread(target=_watch, args=(groups, sent, seen, stop), daemon=True)
            watcher.start()
            real_interval, real_duration = interval / time_scale, duration / time_scale
            start = time.perf_counter()
            turn = 0
            while time.perf_counter() - start < real_duration:
                tick = start + turn * real_interval
                # Residents spread their lines over the interval, as people do.
                for i, r in enumerate(residents):
                    at = tick + real_interval * i / max(1, n_residents)
                    delay = at - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    marker = f"m{turn}x{i}"
                    sent[marker] = time.perf_counter()
                    await asyncio.to_thread(r.send, marker)
                turn += 1
            await bot.settle(600.0)
            deadline = time.perf_counter() + 5.0
            while len(seen) < len(sent) and time.perf_counter() < deadline:  # noqa: ASYNC110 -- filled by a thread
                await asyncio.sleep(0.05)
            stop.set()
            watcher.join(2)
        parts.adapter.store.close()
        lags = [(seen[m] - t) * time_scale for m, t in sent.items() if m in seen]
        lost = len(sent) - len(lags)
        p95 = _p95(lags)
        return {"residents": n_residents, "groups": n_groups, "tickets": opened, "cards_settled": settled_cards,
                "lines": len(sent), "lost": lost, "lag_p50_s": round(sorted(lags)[len(lags) // 2], 1) if lags else None,
                "lag_p95_s": round(p95, 1), "lag_max_s": round(max(lags), 1) if lags else None,
                "group_messages": sum(len(g.inbox) for g in groups),
                "groups_used": sum(1 for g in groups if g.inbox), "emulator_429": emu.stats["429"],
                "sustained": lost == 0 and bool(lags) and p95 < LAG_LIMIT_S}


async def capacity(n_groups: int, loads: tuple[int, ...], **kwargs) -> dict[str, Any]:
    """The largest load in ``loads`` (increasing) that is sustained, and every run's figures."""
    runs, best = [], 0
    for n in loads:
        figures = await run_load(n, n_groups, **kwargs)
        runs.append(figures)
        if not figures["sustained"]:
            break
        best = n
    return {"groups": n_groups, "sustained_handoffs": best, "runs": runs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--interval", type=float, default=30.0,
                        help="seconds between a resident's lines (Telegram time)")
    parser.add_argument("--duration", type=float, default=240.0, help="seconds of talking measured (Telegram time)")
    parser.add_argument("--time-scale", type=float, default=20.0)
    args = parser.parse_args(argv)
    one = (2, 4, 6, 8, 10, 12) if not args.quick else (4, 8)
    seven = (14, 28, 42, 56, 70, 84) if not args.quick else (28, 56)
    options = dict(time_scale=args.time_scale, interval=args.interval, duration=args.duration)
    result = {"interval_s": args.interval, "duration_s": args.duration, "time_scale": args.time_scale,
              "lag_limit_s": LAG_LIMIT_S,
              "one_group": asyncio.run(capacity(1, one, **options)),
              "seven_groups": asyncio.run(capacity(7, seven, **options))}
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
