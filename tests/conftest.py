"""Shared fixtures: a tiny but complete dialogs/ tree for loader tests, and temp SQLite paths."""

from __future__ import annotations

import textwrap
from pathlib import Path

from bot.flow.model import MILESTONES


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def make_mini_dialogs(root: Path) -> Path:
    """One state per milestone, chained welcome -> ... -> account_problems -> activated."""
    write(root / "milestones.yaml", "start: s_welcome\ntotal_steps: 8\nmilestones:\n" + "".join(
        f"  {m}: {{step: {i if i else 'null'}, title: ms.{m}}}\n" for i, m in enumerate(MILESTONES)))
    write(root / "faq.yaml", """\
        topics:
          cost: {label: faq.btn.cost, answer: [faq.cost], intents: [faq_cost]}
        """)
    chain = list(MILESTONES)
    for i, m in enumerate(chain):
        nxt = chain[i + 1] if i + 1 < len(chain) else "activated"
        write(root / "flow" / f"{m}.yaml", f"""\
            milestone: {m}
            entry: s_{m}
            states:
              s_{m}:
                say: [msg.{m}]
                buttons:
                  - {{label: btn.next, event: next}}
                intents: {{yes: next}}
                on:
                  next: s_{nxt}
            """)
    return root
