"""Dialog data: the activation flow, milestones, FAQ and region facts, loaded from ``dialogs/``.

This package reads YAML, validates it (schema, references, graph) and returns immutable objects.
It knows nothing about Telegram, storage or translations beyond the set of known msgids it is given.
"""

from bot.flow.errors import DialogError, Problem
from bot.flow.loader import load_flow
from bot.flow.model import MILESTONES, Button, FaqTopic, Flow, Milestone, State, Transition

__all__ = [
    "MILESTONES",
    "Button",
    "DialogError",
    "FaqTopic",
    "Flow",
    "Milestone",
    "Problem",
    "State",
    "Transition",
    "load_flow",
]
