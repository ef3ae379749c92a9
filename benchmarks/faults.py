"""6. Faults: the emulator answers a share of the bot's calls with 5xx, 429, timeouts (answer held
past the client's read timeout, the call executed) and dropped connections (executed, no answer).

* ``fault_lost``: replies residents never got; ``errors``: log records at ERROR (unhandled
  exceptions reach the adapter's error path or PTB's and are logged there);
* ``fault_duplicates``: replies seen twice: a timed-out or dropped call that had been executed is
  sent again, as with the real Bot API (which offers no idempotency key for sendMessage).
"""

from __future__ import annotations

import asyncio
from typing import Any

from benchmarks.harness import Walker, bot_parts, counting_errors, make_journey, tally, walk, workdir
from bot.emulator import Emulator, Faults, Limits
from bot.telegram.app import RunningBot


async def measure(residents: int, turns: int | None, rate: float, hang_seconds: float = 6.0,
                  seed: int = 11) -> dict[str, Any]:
    plan = [make_journey(s) for s in range(residents)]
    if turns:
        plan = [j.truncated(turns) for j in plan]
    time_scale = 10.0
    with workdir("faults") as wd, Emulator(limits=Limits(time_scale=time_scale)) as emu, counting_errors() as errors:
        parts = bot_parts(emu, wd / "bot.sqlite3", chat_interval=1.0 / time_scale)
        walkers = [Walker(emu.resident(f"Warga{i}"), j) for i, j in enumerate(plan)]
        async with RunningBot(parts) as bot:
            # Faults start once the bot runs (getUpdates stays exempt, so polling works).
            emu.faults = Faults(rate=rate, seed=seed, hang_seconds=hang_seconds)
            finished = await asyncio.to_thread(walk, walkers, 120.0 + 10.0 * hang_seconds)
            settled = await bot.settle(60.0)
            injected = dict(emu.faults.injected)
            emu.faults = None
        parts.adapter.store.close()
        lost, dup = tally(walkers)
    return {
        "fault_lost": lost,
        "errors": errors.count,
        "fault_duplicates": dup,
        "faults_injected": injected,
        "fault_rate": rate,
        "fault_turns": sum(len(j.turns) for j in plan),
        "fault_finished": finished and settled,
        "fault_error_lines": errors.records[:5],
    }


if __name__ == "__main__":
    print(asyncio.run(measure(4, 10, 0.15)))
