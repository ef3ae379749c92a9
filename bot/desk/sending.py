"""/kirim <langkah>: an operator sends the resident one step of the guide with one command.

There are no pictures of the steps in dialogs/ (the app's screens change often and none were
made or licensed), so what is sent is the step's own message: the guide's words for that step
(dialogs/flow, locales/), in the resident's language and form of address, headed "Langkah N
dari 8", as the operator's message. ``/kirim toko`` sends the official store page, as ``/toko``.
A step is named by its number ("3"), its milestone ("face_check") or words of its title
("foto wajah"); with none or an unknown one, the operator gets the list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from bot.engine.effects import Say
from bot.flow.model import Flow, Milestone
from bot.render import Renderer

if TYPE_CHECKING:
    from bot.desk.service import DeskService

STORE = "toko"  # /kirim toko: the official app's store page
MATCH_SCORE = 80.0


def numbered(flow: Flow) -> list[Milestone]:
    """The numbered steps, first milestone of each number (step 1's email part by name only)."""
    steps: dict[int, Milestone] = {}
    for m in flow.milestones.values():
        if m.step is not None:
            steps.setdefault(m.step, m)
    return [steps[n] for n in sorted(steps)]


def find_step(flow: Flow, renderer: Renderer, argument: str) -> Milestone | None:
    wanted = argument.strip().lower()
    if not wanted:
        return None
    if wanted.isdigit():
        return next((m for m in numbered(flow) if m.step == int(wanted)), None)
    named = {m.name: m for m in flow.milestones.values() if m.step is not None}
    named.update({renderer.t.text(m.title).lower(): m for m in named.values()})
    best = process.extractOne(wanted, list(named), scorer=fuzz.WRatio, score_cutoff=MATCH_SCORE)
    return named[best[0]] if best else None


def choices(flow: Flow, renderer: Renderer) -> str:
    return ", ".join([f"{m.step} {renderer.t.text(m.title)}" for m in numbered(flow)] + [STORE])


def step_message(desk: DeskService, resident: int, milestone: Milestone) -> tuple[str, str]:
    """The step's message as the guide would show it to this resident, and the step's title."""
    stored = desk.store.residents.load(resident)
    renderer = desk.renderers[stored.locale if stored else desk.default_locale]
    state = desk.flow.states[milestone.entry]
    progress = (milestone.step, desk.flow.total_steps) if milestone.step else None
    text = renderer.say(Say(state.say, (), progress), stored.conversation if stored else None).text
    return text, renderer.t.text(milestone.title)
