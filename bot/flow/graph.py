"""Graph questions about a Flow: what is reachable, what is a dead end, where is `activated`."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.flow.model import Flow


def reachable(flow: Flow, roots: Iterable[str]) -> set[str]:
    """States reachable from roots by the flow's own transitions (global events excluded)."""
    seen: set[str] = set()
    queue = deque(r for r in roots if r in flow.states)
    while queue:
        name = queue.popleft()
        if name in seen:
            continue
        seen.add(name)
        queue.extend(t for t in flow.states[name].targets() if t in flow.states and t not in seen)
    return seen


def dead_ends(flow: Flow) -> list[str]:
    return sorted(name for name, s in flow.states.items() if not s.transitions)


def cannot_reach(flow: Flow, goal_milestone: str) -> list[str]:
    """States from which no state of goal_milestone can be reached."""
    goals = {n for n, s in flow.states.items() if s.milestone == goal_milestone}
    return sorted(n for n in flow.states if not (reachable(flow, [n]) & goals))
