"""Measure Teman IKD side by side on this machine and print (or write) the figures as JSON.

    python benchmarks/run.py [--quick] [--json FILE]

One run measures, in order: 1 handling cost (bot vs floor vs peer), 2 growth, 3 sends per turn,
4 rate-limit utilisation, 5 crash, 6 faults, 7 bad input, 8 faults survived (outage, full disk,
poison updates), 9 the reminder cohort (see each module's docstring).
``--quick`` uses small numbers (about two minutes on two cores); the test suite runs a smoke
profile through :func:`run` so the harness keeps working.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import bad_input, cohort, crash, faults, growth, handling, limits, sends, survival
from benchmarks.harness import machine

PROFILES: dict[str, dict[str, Any]] = {
    "full": dict(handling_residents=40, handling_repeats=5, growth_sizes=(100, 10_000, 100_000), growth_journeys=12,
                 growth_repeats=3, sends_residents=10, backlog=600, talkers=10, talk_turns=10, time_scale=1.0,
                 crash_residents=8, crash_turns=None, crash_kills=6, fault_residents=10, fault_turns=None,
                 fault_rate=0.1, hang_seconds=6.0, bad_every=1, replays=40,
                 outage_residents=8, outage_turns=12, outage_seconds=30.0, poison_rounds=10, cohort=1000,
                 cohort_weeks=8),
    "quick": dict(handling_residents=40, handling_repeats=3, growth_sizes=(100, 10_000, 100_000), growth_journeys=8,
                  growth_repeats=2, sends_residents=3, backlog=150, talkers=5, talk_turns=6, time_scale=1.0,
                  crash_residents=3, crash_turns=10, crash_kills=3, fault_residents=4, fault_turns=10,
                  fault_rate=0.15, hang_seconds=6.0, bad_every=1, replays=20,
                  outage_residents=4, outage_turns=8, outage_seconds=10.0, poison_rounds=3, cohort=1000,
                  cohort_weeks=8),
    "smoke": dict(handling_residents=2, handling_repeats=1, growth_sizes=(10, 100, 300), growth_journeys=1,
                  growth_repeats=1, sends_residents=1, backlog=20, talkers=2, talk_turns=2, time_scale=4.0,
                  crash_residents=1, crash_turns=4, crash_kills=1, fault_residents=2, fault_turns=4,
                  fault_rate=0.2, hang_seconds=0.3, bad_every=16, replays=3, parallel=True, crash_spread=(0.5, 1.0),
                  linger=0.3, outage_residents=2, outage_turns=4, outage_seconds=1.0, poison_rounds=1,
                  cohort=40, cohort_weeks=3),
}


def run(profile: str = "full", log=print) -> dict[str, Any]:
    p = PROFILES[profile]
    started = time.monotonic()
    out: dict[str, Any] = {"profile": profile, "machine": machine()}
    seconds: dict[str, float] = {}

    def step(name: str, fn) -> None:
        t = time.monotonic()
        result = fn()
        seconds[name] = round(time.monotonic() - t, 1)
        if "errors" in result:  # errors add up over every run that counts them
            out["errors"] = out.get("errors", 0) + result.pop("errors")
        out.update(result)
        log(f"{name}: {json.dumps({k: v for k, v in result.items() if not isinstance(v, (dict, list))})}")

    plan_count = p["handling_residents"]
    step("handling", lambda: asyncio.run(handling.measure(handling.journeys(plan_count), p["handling_repeats"])))
    step("growth", lambda: growth.measure(p["growth_sizes"], p["growth_journeys"], p["growth_repeats"],
                                          parallel=p.get("parallel", False)))
    step("sends", lambda: asyncio.run(sends.measure(p["sends_residents"])))
    step("limits", lambda: asyncio.run(limits.measure(p["backlog"], p["talkers"], p["talk_turns"], p["time_scale"])))
    step("crash", lambda: crash.measure(p["crash_residents"], p["crash_turns"], p["crash_kills"],
                                        spread=p.get("crash_spread", (1.5, 4.0)), linger=p.get("linger", 1.5)))
    step("faults", lambda: asyncio.run(faults.measure(p["fault_residents"], p["fault_turns"], p["fault_rate"],
                                                      p["hang_seconds"])))
    step("survival", lambda: asyncio.run(survival.measure(p["outage_residents"], p["outage_turns"],
                                                          p["outage_seconds"], p["hang_seconds"], p["poison_rounds"])))
    step("bad_input", lambda: asyncio.run(bad_input.measure(p["replays"], p["bad_every"])))
    step("cohort", lambda: cohort.simulate(p["cohort"], p["cohort_weeks"]))
    out["residents"] = {"handling": plan_count, "sends": p["sends_residents"], "limits": p["backlog"] + p["talkers"],
                        "crash": p["crash_residents"], "faults": p["fault_residents"], "cohort": p["cohort"]}
    out["seconds"] = dict(seconds, total=round(time.monotonic() - started, 1))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small numbers (about two minutes)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    result = run("quick" if args.quick else "full", log=lambda line: print(line, file=sys.stderr))
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
