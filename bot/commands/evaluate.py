"""``teman-ikd eval``: how often the guide does the right thing with a labelled message.

Reads a CSV (default: tests/understanding/eval.csv, never used for training) with ``text``,
``state`` (where it is typed: a state name, ``start`` right after a plain /start, or ``new`` for
a newcomer's very first message) and ``expect`` (what a good guide does; see the file's header).
Each message goes through the real engine, one at a time from a fresh conversation at that
state, and the outcome is compared. Prints accuracy per expected outcome, the figures of
issue 10 (overall, from /start, at the step, false handoffs, false scam alarms) and every miss.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.engine import Conversation, Engine, Input, texts
from bot.engine.effects import Escalate, Say
from bot.paths import dialogs_dir

NEWCOMER, START = "new", "start"
# A kind answer with the step's buttons again; a question with buttons is just as kind.
EQUIVALENT = {"again": {"again", "ask"}}


@dataclass(frozen=True)
class Row:
    line: int
    text: str
    state: str
    expect: str


@dataclass(frozen=True)
class Outcome:
    row: Row
    got: str

    @property
    def right(self) -> bool:
        return self.got in EQUIVALENT.get(self.row.expect, {self.row.expect})


def default_path() -> Path:
    return dialogs_dir().parent / "tests" / "understanding" / "eval.csv"


def load_rows(path: Path) -> list[Row]:
    numbered = [(n, line) for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if line.strip() and not line.startswith("#")]
    reader = csv.DictReader(line for _, line in numbered)
    return [Row(n, r["text"], r["state"], r["expect"]) for (n, _), r in zip(numbered[1:], reader, strict=True)]


def _conversation(engine: Engine, where: str) -> Conversation | None:
    if where == NEWCOMER:
        return None
    if where == START:
        return engine.step(None, Input.commanded("start")).conversation
    # Arrived from the step before it (so Back goes where a resident would have come from),
    # with the step's buttons on screen.
    before = next((s.name for s in engine.flow.states.values() if where in s.targets() and s.name != where),
                  engine.flow.start)
    return engine.prompt(Conversation(state=where, history=(before,))).conversation


def outcome(engine: Engine, row: Row) -> str:
    """What the guide did with the message, in the terms of the ``expect`` column."""
    before = _conversation(engine, row.state)
    step = engine.step(before, Input.typed(row.text))
    after = step.conversation
    lines = [line.msgid for e in step.effects if isinstance(e, Say) for line in e.lines]
    if step.input_deleted:
        return "secret"
    if any(isinstance(e, Escalate) for e in step.effects):
        return "handoff"
    if after is None:
        return "erased"
    if after.overlay == "scam":
        return "scam"
    if after.overlay == "faq":
        topic = next((t for t in engine.flow.faq if t.answer and t.answer[0].msgid in lines), None)
        return f"faq:{topic.name}" if topic else "faq"
    for msgid, name in ((texts.OFFER_PERSON, "offer"), (texts.CLARIFY, "ask"), (texts.THANKS, "thanks"),
                        (texts.GREETING, "greeting"), (texts.CONFUSED, "confused")):
        if msgid in lines:
            return name
    if after.paused:
        return "pause"
    if not step.understood:
        return "again"
    start_state = before.state if before else engine.flow.start
    if after.state == start_state and before is not None:
        return "repeat"
    return f"state:{after.state}"


def evaluate(engine: Engine, rows: list[Row]) -> list[Outcome]:
    return [Outcome(row, outcome(engine, row)) for row in rows]


@dataclass(frozen=True)
class Figures:
    overall: float
    from_start: float
    at_step: float
    false_handoffs: float
    false_scam: float
    count: int
    long_share: float


def _share(outcomes: list[Outcome]) -> float:
    return sum(o.right for o in outcomes) / len(outcomes) if outcomes else 1.0


def figures(outcomes: list[Outcome]) -> Figures:
    start = [o for o in outcomes if o.row.state in (START, NEWCOMER)]
    step = [o for o in outcomes if o.row.state not in (START, NEWCOMER)]
    no_person = [o for o in outcomes if o.row.expect != "handoff"]
    no_scam = [o for o in outcomes if o.row.expect != "scam"]
    return Figures(
        overall=_share(outcomes), from_start=_share(start), at_step=_share(step),
        false_handoffs=sum(o.got == "handoff" for o in no_person) / max(1, len(no_person)),
        false_scam=sum(o.got == "scam" for o in no_scam) / max(1, len(no_scam)),
        count=len(outcomes), long_share=sum(len(o.row.text) > 60 for o in outcomes) / max(1, len(outcomes)))


def per_label(outcomes: list[Outcome]) -> dict[str, tuple[int, int]]:
    table: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for o in outcomes:
        table[o.row.expect][0] += o.right
        table[o.row.expect][1] += 1
    return {k: (v[0], v[1]) for k, v in sorted(table.items())}


def run_eval(engine: Engine, path: Path, out: TextIO = sys.stdout) -> Figures:
    outcomes = evaluate(engine, load_rows(path))
    out.write(f"{path.name}: {len(outcomes)} messages\n\n"
              f"{'expected outcome':<30} {'right':>5} {'of':>4} {'accuracy':>9}\n")
    for label, (right, total) in per_label(outcomes).items():
        out.write(f"{label:<30} {right:>5} {total:>4} {right / total:>9.1%}\n")
    f = figures(outcomes)
    out.write(f"\noverall {f.overall:.1%}   from /start {f.from_start:.1%}   at the step {f.at_step:.1%}\n"
              f"false handoffs {f.false_handoffs:.1%}   false scam alarms {f.false_scam:.1%}   "
              f"longer than 60 characters {f.long_share:.0%}\n")
    misses = [o for o in outcomes if not o.right]
    if misses:
        out.write("\nmisses:\n")
        for o in misses:
            out.write(f"  line {o.row.line}: {o.row.text!r} at {o.row.state}: expected {o.row.expect}, got {o.got}\n")
    return f
