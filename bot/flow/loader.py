"""Load dialogs/ into a Flow, collecting every problem with its file and line.

Checks, in order: YAML syntax and duplicate keys; the JSON Schema of each file; references
(targets, conditions, milestones, intents, msgids); the graph (unreachable states, dead ends).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jsonschema

from bot.flow import schema
from bot.flow.errors import DialogError, Problem, relative
from bot.flow.graph import dead_ends, reachable
from bot.flow.model import (
    GLOBAL_EVENTS,
    MILESTONES,
    OFFERED_EVENTS,
    Button,
    FaqTopic,
    Flow,
    Line,
    Milestone,
    State,
    StuckPolicy,
    Transition,
)
from bot.flow.yamlfile import Located, line_of, read_yaml
from bot.paths import dialogs_dir
from bot.vocabulary import Event

# Handled by the engine before a state's transitions are looked at. (Names with the engine's
# prefixes, "faq:...", cannot be written: the schema allows [a-z0-9_] only.)
ENGINE_EVENTS = frozenset(Event) - set(GLOBAL_EVENTS)


def load_flow(
    root: Path | None = None,
    *,
    known_msgids: Iterable[str] | None = None,
    known_intents: Iterable[str] | None = None,
    conditions: Iterable[str] | None = None,
) -> Flow:
    """Read and validate the whole flow. Raises DialogError listing every problem found."""
    from bot.conditions import CONDITIONS

    root = Path(root) if root else dialogs_dir()
    loading = _Loading(root, set(conditions) if conditions is not None else set(CONDITIONS))
    flow = loading.run()
    if known_msgids is not None:
        loading.check_msgids(flow, set(known_msgids))
    if known_intents is not None:
        loading.check_intents(flow, set(known_intents))
    if loading.problems:
        raise DialogError(loading.problems)
    return flow


class _Loading:
    def __init__(self, root: Path, conditions: set[str]):
        self.root = root
        self.conditions = conditions
        self.problems: list[Problem] = []
        # Where a state's buttons and intents, and the FAQ's intents, are written (for file:line).
        self.lines: dict[tuple[str, str, str], int] = {}

    def name(self, path: Path) -> str:
        return relative(path, self.root)

    def problem(self, file: str, line: int | None, message: str) -> None:
        self.problems.append(Problem(file, line, message))

    def read(self, path: Path, file_schema: dict[str, Any]) -> Any:
        shown = self.name(path)
        if not path.is_file():
            self.problem(shown, None, "file is missing")
            return None
        try:
            data = read_yaml(path, shown)
        except DialogError as exc:
            self.problems.extend(exc.problems)
            return None
        errors = sorted(jsonschema.Draft202012Validator(file_schema).iter_errors(data),
                        key=lambda e: list(e.absolute_path))
        for err in errors:
            where = "/".join(str(p) for p in err.absolute_path) or "(top)"
            self.problem(shown, line_of(data, list(err.absolute_path)), f"{where}: {_short(err)}")
        return None if errors else data

    def run(self) -> Flow:
        meta = self.read(self.root / "milestones.yaml", schema.MILESTONES_FILE)
        faq = self.read(self.root / "faq.yaml", schema.FAQ_FILE)
        default_stuck = StuckPolicy(**(meta.get("stuck", {}) if meta else {}))
        states: dict[str, State] = {}
        entries: dict[str, tuple[str, str, int | None]] = {}
        files = sorted((self.root / "flow").glob("*.yaml"))
        if not files:
            self.problem(self.name(self.root / "flow"), None, "no flow files (*.yaml) found")
        for path in files:
            data = self.read(path, schema.FLOW_FILE)
            if data is None:
                continue
            self.add_file(path, data, default_stuck, states, entries)
        if meta is None:
            raise DialogError(self.problems)
        milestones = self.build_milestones(meta, entries, states)
        topics = self.build_faq(faq) if faq else ()
        flow = Flow(start=meta["start"], total_steps=meta["total_steps"], states=states,
                    milestones=milestones, faq=topics, source=str(self.root),
                    conditions=frozenset(self.conditions))
        self.check_references(flow, meta)
        return flow

    def add_file(self, path: Path, data: Located, stuck: StuckPolicy,
                 states: dict[str, State], entries: dict[str, tuple[str, str, int | None]]) -> None:
        shown = self.name(path)
        milestone = data["milestone"]
        if milestone not in MILESTONES:
            self.problem(shown, data.key_lines["milestone"],
                         f"unknown milestone {milestone!r}; use one of {', '.join(MILESTONES)}")
        if milestone in entries:
            self.problem(shown, data.line, f"milestone {milestone!r} is already described in {entries[milestone][1]}")
        entries[milestone] = (data["entry"], shown, data.key_lines["entry"])
        for name, raw in data["states"].items():
            line = data["states"].key_lines[name]
            if name in states:
                self.problem(shown, line,
                             f"state {name!r} is already defined in {states[name].file}:{states[name].line}")
                continue
            states[name] = self.build_state(name, milestone, raw, stuck, shown, line)

    def build_state(self, name: str, milestone: str, raw: Located, stuck: StuckPolicy, file: str, line: int) -> State:
        transitions: list[Transition] = []
        for event, target in raw["on"].items():
            event_line = raw["on"].key_lines[event]
            if event in GLOBAL_EVENTS:
                self.problem(file, event_line, f"state {name!r}: event {event!r} is global and cannot be redefined")
            elif event in ENGINE_EVENTS:
                self.problem(file, event_line, f"state {name!r}: event {event!r} is the engine's own "
                                               "(bot/vocabulary.py) and cannot be a transition")
            for spec in _target_specs(target):
                cond = spec.get("if")
                negate = bool(cond and cond.startswith("not "))
                transitions.append(Transition(
                    event=event, target=spec["to"], negate=negate,
                    condition=cond.removeprefix("not ") if cond else cond,
                    sets=tuple(sorted(spec.get("set", {}).items())), failure=bool(spec.get("fail")),
                    line=getattr(spec, "line", event_line)))
        buttons = tuple(Button(b["label"], b["event"]) for b in raw.get("buttons", ()))
        seen: dict[str, int] = {}
        for i, b in enumerate(buttons):
            self.lines[(name, "button", b.event)] = line_of(raw, ["buttons", i]) or line
            if b.event in seen:
                self.problem(file, line_of(raw, ["buttons", i]),
                             f"state {name!r}: duplicate trigger {b.event!r} on two buttons")
            seen[b.event] = i
        intents = raw.get("intents")
        for intent in intents or ():
            self.lines[(name, "intent", intent)] = getattr(intents, "key_lines", {}).get(intent, line)
        local_stuck = StuckPolicy(**{**stuck.__dict__, **raw.get("stuck", {})})
        say = tuple(_line(x) for x in raw["say"])
        say_simple = tuple(_line(x) for x in raw.get("say_simple", ()))
        if say_simple and {x.msgid for x in say_simple} <= {x.msgid for x in say}:
            self.problem(file, line_of(raw, ["say_simple"]),
                         f"state {name!r}: say_simple must say it differently, not repeat say")
        return State(name=name, milestone=milestone, say=say, buttons=buttons,
                     intents=dict(raw.get("intents", {})), transitions=tuple(transitions), stuck=local_stuck,
                     file=file, line=line, say_simple=say_simple)

    def build_milestones(self, meta: Located, entries: dict[str, tuple[str, str, int | None]],
                         states: dict[str, State]) -> dict[str, Milestone]:
        file = self.name(self.root / "milestones.yaml")
        result: dict[str, Milestone] = {}
        declared = meta["milestones"]
        for name in MILESTONES:
            if name not in declared:
                self.problem(file, declared.line, f"milestone {name!r} is not declared")
                continue
            if name not in entries:
                self.problem(file, declared.key_lines[name],
                             f"milestone {name!r} has no flow file (dialogs/flow/*.yaml with milestone: {name})")
                continue
            entry, entry_file, entry_line = entries[name]
            if entry not in states:
                self.problem(entry_file, entry_line, f"entry state {entry!r} is not defined")
            elif states[entry].milestone != name:
                self.problem(entry_file, entry_line,
                             f"entry state {entry!r} belongs to milestone {states[entry].milestone!r}")
            info = declared[name]
            result[name] = Milestone(name, info.get("step"), entry, info["title"])
        for name in declared:
            if name not in MILESTONES:
                self.problem(file, declared.key_lines[name], f"unknown milestone {name!r}")
        return result

    def build_faq(self, faq: Located) -> tuple[FaqTopic, ...]:
        for name, t in faq["topics"].items():
            self.lines[(name, "faq", "")] = faq["topics"].key_lines[name]
            for i, intent in enumerate(t["intents"]):
                self.lines[(name, "faq", intent)] = line_of(t, ["intents", i]) or faq["topics"].key_lines[name]
        return tuple(FaqTopic(name, t["label"], tuple(_line(x) for x in t["answer"]), tuple(t["intents"]))
                     for name, t in faq["topics"].items())

    def check_references(self, flow: Flow, meta: Located) -> None:
        if flow.start not in flow.states:
            self.problem(self.name(self.root / "milestones.yaml"), meta.key_lines["start"],
                         f"start state {flow.start!r} is not defined")
            return
        for state in flow.states.values():
            for t in state.transitions:
                if t.target not in flow.states:
                    self.problem(state.file, t.line,
                                 f"state {state.name!r}: event {t.event!r} goes to unknown state {t.target!r}")
                if t.condition and t.condition not in self.conditions:
                    self.problem(state.file, t.line,
                                 f"state {state.name!r}: unknown condition {t.condition!r}; "
                                 f"known: {', '.join(sorted(self.conditions))}")
            handled = state.events | set(GLOBAL_EVENTS) | set(OFFERED_EVENTS)
            for b in state.buttons:
                if b.event not in handled:
                    self.problem(state.file, self.lines.get((state.name, "button", b.event), state.line),
                                 f"state {state.name!r}: button {b.label!r} fires {b.event!r}, which has no transition")
            for intent, event in state.intents.items():
                if event not in handled:
                    self.problem(state.file, self.lines.get((state.name, "intent", intent), state.line),
                                 f"state {state.name!r}: intent {intent!r} fires {event!r}, which has no transition")
            if not state.transitions:
                continue
        for name in sorted(set(flow.states) - reachable(flow, [flow.start])):
            s = flow.states[name]
            self.problem(s.file, s.line, f"state {name!r} is unreachable from the start state {flow.start!r}")
        for name in dead_ends(flow):
            s = flow.states[name]
            self.problem(s.file, s.line, f"state {name!r} is a dead end: no transition leads out of it")

    def check_msgids(self, flow: Flow, known: set[str]) -> None:
        for state in flow.states.values():
            for msgid in [x.msgid for x in state.say + state.say_simple] + [b.label for b in state.buttons]:
                if msgid not in known:
                    self.problem(state.file, state.line,
                                 f"state {state.name!r}: msgid {msgid!r} is missing from the catalogs")
        for m in flow.milestones.values():
            if m.title not in known:
                self.problem(self.name(self.root / "milestones.yaml"), None,
                             f"milestone {m.name!r}: msgid {m.title!r} is missing from the catalogs")
        for topic in flow.faq:
            for msgid in [topic.label, *(x.msgid for x in topic.answer)]:
                if msgid not in known:
                    self.problem(self.name(self.root / "faq.yaml"), None,
                                 f"faq {topic.name!r}: msgid {msgid!r} is missing from the catalogs")

    def check_intents(self, flow: Flow, known: set[str]) -> None:
        for state in flow.states.values():
            for intent in state.intents:
                if intent not in known:
                    self.problem(state.file, self.lines.get((state.name, "intent", intent), state.line),
                                 f"state {state.name!r}: unknown intent {intent!r}")
        for topic in flow.faq:
            for intent in topic.intents:
                if intent not in known:
                    self.problem(self.name(self.root / "faq.yaml"), self.lines.get((topic.name, "faq", intent)),
                                 f"faq {topic.name!r}: unknown intent {intent!r}")


def _target_specs(target: Any) -> list[dict[str, Any]]:
    if isinstance(target, str):
        return [{"to": target}]
    if isinstance(target, dict):
        return [target]
    return list(target)


def _line(raw: Any) -> Line:
    if isinstance(raw, str):
        return Line(raw)
    return Line(raw["id"], tuple(sorted((k, str(v)) for k, v in raw.get("with", {}).items())))


def _short(err: jsonschema.ValidationError) -> str:
    if err.validator == "additionalProperties":
        return err.message.replace("Additional properties are not allowed", "unknown key")
    if err.validator == "oneOf":
        return f"{err.instance!r} is not a valid value here"
    return err.message
