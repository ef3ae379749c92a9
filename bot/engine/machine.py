"""The flow as a ``transitions`` state machine, built once and shared by every conversation.

transitions binds models to machines; adding and removing a model per input is measurably slow
and grows with the number of models (pytransitions issues on many models). We instead keep one
private cursor model and point it at the snapshot's state before each trigger, so the per-input
cost does not depend on how many conversations exist.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from transitions import EventData, Machine

from bot.conditions import CONDITIONS, ConditionContext
from bot.flow.model import Flow, Transition


class _Cursor:
    """The single model the machine drives; ``state`` is set from a snapshot per input."""

    state: str
    fired: Transition | None = None


class FlowMachine:
    """Answers "where does event E lead from state S, given these facts?" using transitions."""

    def __init__(self, flow: Flow, machine_class: type[Machine] = Machine, **machine_kwargs: Any):
        self.flow = flow
        self._lock = threading.Lock()
        self._cursor = _Cursor()
        self.machine = machine_class(
            model=self._cursor, states=list(flow.states), initial=flow.start, auto_transitions=False,
            send_event=True, ignore_invalid_triggers=False, **machine_kwargs)
        self._events: dict[str, frozenset[str]] = {}
        for state in flow.states.values():
            self._events[state.name] = state.events
            for t in state.transitions:
                conditions: list[str | Callable[..., bool | None]] = []
                unless: list[str | Callable[..., bool | None]] = []
                if t.condition:
                    (unless if t.negate else conditions).append(self._condition(t.condition))
                self.machine.add_transition(
                    trigger=t.event, source=state.name, dest=t.target, conditions=conditions, unless=unless,
                    after=self._remember(t))

    @staticmethod
    def _condition(name: str) -> Callable[[EventData], bool]:
        check = CONDITIONS[name]

        def evaluate(event: EventData) -> bool:
            return check(event.kwargs["ctx"])

        evaluate.__name__ = name  # shows in diagrams
        return evaluate

    def _remember(self, transition: Transition):
        def after(event: EventData) -> None:
            self._cursor.fired = transition

        return after

    def handles(self, state: str, event: str) -> bool:
        return event in self._events.get(state, ())

    def fire(self, state: str, event: str, ctx: ConditionContext) -> Transition | None:
        """The transition taken for ``event`` in ``state``, or None if no condition held."""
        if not self.handles(state, event):
            return None
        with self._lock:
            self._cursor.state = state
            self._cursor.fired = None
            self.machine.events[event].trigger(self._cursor, ctx=ctx)
            return self._cursor.fired
