"""The understanding as data: dialogs/understanding/{intents,problems}.yaml (loading and checks).

``intents.yaml``: ``intents: {name: [example, ...]}``. ``problems.yaml``: ``problems: {name:
{state, label, also, examples}}``: a problem names the troubleshooting state it leads to, the
button label offered when the guide is unsure, and the names steps use for it (``also``).
Pure apart from reading the two files; :func:`check_examples` lists what a content editor must fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.flow.errors import DialogError, Problem as Finding, relative
from bot.flow.yamlfile import read_yaml

MIN_PROBLEM_EXAMPLES = 30


@dataclass(frozen=True)
class ProblemSpec:
    """A thing that goes wrong: where it is helped, how it is offered, how residents say it."""

    name: str
    state: str
    label: str
    also: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()


@dataclass
class Examples:
    intents: dict[str, tuple[str, ...]] = field(default_factory=dict)
    problems: dict[str, ProblemSpec] = field(default_factory=dict)
    # (label, example) -> (file, line), for findings a content editor can act on
    where: dict[tuple[str, str], tuple[str, int | None]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def labelled(self) -> list[tuple[str, str]]:
        """Every (example, label) pair the reader is trained on."""
        pairs = [(text, name) for name, texts in self.intents.items() for text in texts]
        pairs += [(text, p.name) for p in self.problems.values() for text in p.examples]
        return pairs

    def aliases(self) -> dict[str, str]:
        """A step's name for a problem -> the problem ("lost_phone" -> "new_phone")."""
        return {alias: p.name for p in self.problems.values() for alias in p.also}


def _examples(raw, shown: str, owner: str, findings: list[Finding], where: dict) -> tuple[str, ...]:
    if not isinstance(raw, list):
        findings.append(Finding(shown, getattr(raw, "line", None), f"{owner}: expected a list of examples"))
        return ()
    start = getattr(raw, "line", None)
    out = []
    for i, item in enumerate(raw):
        line = start + i if start else None
        if not isinstance(item, (str, int, float)) or not str(item).strip():
            findings.append(Finding(shown, line, f"{owner}: empty or malformed example"))
            continue
        out.append(str(item))
        where.setdefault((owner, str(item)), (shown, line))
    return tuple(out)


def load_examples(root: Path) -> Examples:
    """Read both files; malformed entries become findings (a broken file raises DialogError)."""
    base = root / "understanding"
    found = Examples()
    for name in ("intents.yaml", "problems.yaml"):
        if not (base / name).is_file():
            raise DialogError([Finding(relative(base / name, root), None, "file is missing")])
    shown = relative(base / "intents.yaml", root)
    data = read_yaml(base / "intents.yaml", shown)
    intents = data.get("intents") if isinstance(data, dict) else None
    if not isinstance(intents, dict):
        raise DialogError([Finding(shown, None, "expected a mapping with 'intents'")])
    for name, raw in intents.items():
        found.intents[str(name)] = _examples(raw, shown, str(name), found.findings, found.where)
    shown = relative(base / "problems.yaml", root)
    data = read_yaml(base / "problems.yaml", shown)
    problems = data.get("problems") if isinstance(data, dict) else None
    if not isinstance(problems, dict):
        raise DialogError([Finding(shown, None, "expected a mapping with 'problems'")])
    for name, spec in problems.items():
        name = str(name)
        line = problems.key_lines.get(name) if hasattr(problems, "key_lines") else None
        if not isinstance(spec, dict) or not spec.get("state") or not spec.get("label"):
            found.findings.append(Finding(shown, line, f"problem {name!r}: needs `state`, `label` and `examples`"))
            continue
        examples = _examples(spec.get("examples"), shown, name, found.findings, found.where)
        also = tuple(str(a) for a in (spec.get("also") or ()))
        found.problems[name] = ProblemSpec(name, str(spec["state"]), str(spec["label"]), also, examples)
    return found


def check_examples(examples: Examples, states: set[str], msgids: set[str], flow_intents: set[str],
                   normalise) -> list[Finding]:
    """What stops the examples from training a sound reader: unknown states, intents or labels,
    too few examples, an example listed twice or under two meanings."""
    findings = list(examples.findings)
    names = set(examples.intents) | set(examples.problems)
    for p in examples.problems.values():
        shown, line = examples.where.get((p.name, p.examples[0]), ("dialogs/understanding/problems.yaml", None)) \
            if p.examples else ("dialogs/understanding/problems.yaml", None)
        if p.state not in states:
            findings.append(Finding(shown, line,
                                    f"problem {p.name!r}: state {p.state!r} does not exist in dialogs/flow"))
        if p.label not in msgids:
            findings.append(Finding(shown, line, f"problem {p.name!r}: label {p.label!r} is not in the catalogs"))
        if len(p.examples) < MIN_PROBLEM_EXAMPLES:
            findings.append(Finding(shown, line,
                                    f"problem {p.name!r}: {len(p.examples)} examples "
                                    f"(at least {MIN_PROBLEM_EXAMPLES})"))
        for alias in p.also:
            if alias in examples.intents:
                findings.append(Finding(shown, line, f"problem {p.name!r}: `also` {alias!r} is an intent of its own"))
    known = names | set(examples.aliases())
    for intent in sorted(flow_intents - known):
        findings.append(Finding("dialogs/flow", None, f"intent {intent!r} is used by a step but has no examples"))
    seen: dict[str, str] = {}
    for (owner, text), (shown, line) in examples.where.items():
        key = normalise(text) or text
        if key in seen and seen[key] != owner:
            findings.append(Finding(shown, line, f"example {text!r} is listed under {seen[key]!r} and {owner!r}"))
        seen.setdefault(key, owner)
    for owner, texts in list(examples.intents.items()) + [(p.name, p.examples) for p in examples.problems.values()]:
        counted: dict[str, int] = {}
        for text in texts:
            counted[normalise(text) or text] = counted.get(normalise(text) or text, 0) + 1
        for text, n in counted.items():
            if n > 1:
                shown, line = examples.where.get((owner, text), ("dialogs/understanding", None))
                findings.append(Finding(shown, line, f"example {text!r} is listed {n} times under {owner!r}"))
    return findings
