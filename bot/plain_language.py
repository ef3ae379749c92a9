"""Measuring how plain a message is, as a resident reads it (no findings, no verdicts here).

Sentences, words and the instructions one message asks for, measured against the rules of
dialogs/plain-language.yaml (``measure_message``); every message a resident may read, rendered
(``resident_messages``); and the figures over all of them (``Figures``: the README's table).
``teman-ikd check`` (bot/checks.py) turns these measurements into findings with a file and line.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, replace
from pathlib import Path

from bot.engine import Conversation, Engine, texts as engine_texts
from bot.engine.effects import Say
from bot.flow.yamlfile import read_yaml
from bot.paths import dialogs_dir

# What residents read from the desk (operators' cards are for staff and are not measured).
RESIDENT_DESK_MSGIDS = ("desk.joined", "desk.returned", "desk.ended", "desk.queue_position", "desk.after_hours",
                        "desk.still_waiting_long", "desk.queue_answer", "desk.moved_resident",
                        "desk.rate_ask", "desk.rated", "desk.typical_wait")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD = re.compile(r"[\w'’\-/]+", re.UNICODE)


def load_rules(dialogs: Path) -> dict:
    return read_yaml(dialogs / "plain-language.yaml", "dialogs/plain-language.yaml")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def words(sentence: str) -> list[str]:
    return _WORD.findall(sentence)


_CLAUSE = re.compile(r",?\s+(?:lalu|kemudian|then)\s+|;\s*|:\s+(?=\w)", re.IGNORECASE)
_LEAD_IN = re.compile(r"^(?:(?:lalu|kemudian|setelah itu|sesudah itu|atau|juga|dan|then|or|and"
                      r"|pertama|kedua|ketiga|terakhir)[,:]?\s+)+", re.IGNORECASE)
# After a jargon word: " (explanation)", or the rest of a quoted label and then " (...)".
_EXPLAINED = re.compile(r'\s?\(|[^"”(\n]{0,30}["”]\s?\(')
_WARNINGS = {"jangan", "hindari", "don't", "do"}  # a warning is not a task (it asks not to act)
_AND = re.compile(r",\s+|\s+(?:dan|and)\s+", re.IGNORECASE)
_CONDITION = re.compile(r"^(?:kalau|bila|jika|apabila|saat|sebelum|setelah|if|when)\b[^,]*,\s*", re.IGNORECASE)


def instructions(text: str, rules: dict) -> list[str]:
    """The things a message asks the resident to do: clauses that start with an imperative
    (dialogs/plain-language.yaml action_words), warnings ("jangan ...") aside. Questions and the
    closing "press a button below" or "press ✅ when done" are how the step is answered, not
    tasks, and are not counted."""
    verbs = set(rules["action_words"])
    found = []
    # A hedge note "(... tanyakan dulu.)" and an overview's numbered lines are not tasks.
    text = re.sub(r"^\d{1,2}\.\s.*$", "", re.sub(r"\([^)]*\)", "", text), flags=re.MULTILINE)
    for sentence in sentences(text):
        if sentence.rstrip().endswith("?"):
            continue
        for clause in _CLAUSE.split(sentence):
            clause = _LEAD_IN.sub("", _CONDITION.sub("", clause.strip(" •-").strip()))
            # "Diam, lihat ke layar, dan ikuti petunjuknya" asks three things.
            for part in _AND.split(clause):
                part = _LEAD_IN.sub("", part.strip())
                first = words(part.lower())[:1]
                if not first or first[0] not in verbs or first[0] in _WARNINGS:
                    continue
                if "di bawah" in part.lower() or "✅" in part or "below" in part.lower():
                    continue
                found.append(part)
    return found


def measure_message(text: str, rules: dict, *, whole_step: bool) -> list[str]:
    """Plain-language problems of one message as shown to a resident."""
    problems = []
    lowered = text.lower()
    for sentence in sentences(text):
        n = len(words(sentence))
        if n > rules["max_words_per_sentence"]:
            problems.append(f"sentence of {n} words (max {rules['max_words_per_sentence']}): {sentence[:60]!r}")
    if len(text) > rules["max_chars_per_message"]:
        problems.append(f"{len(text)} characters (max {rules['max_chars_per_message']})")
    tokens = set(words(lowered))
    for word in rules["disrespectful"]:
        if word in tokens:
            problems.append(f"disrespectful form {word!r}: use the respectful form from dialogs/plain-language.yaml")
    for term, plain in rules["jargon"].items():
        # Explained once per message is enough: the word (or the app's own label in quotes,
        # "Aktivasi") followed by " (explanation)", or "(word)" after a plain word.
        found = list(re.finditer(rf"(?<![\w]){re.escape(term)}(?![\w])", lowered))
        explained = any(_EXPLAINED.match(lowered, m.end()) or lowered[max(0, m.start() - 1):m.start()] == "("
                        for m in found)
        if found and not explained:
            problems.append(f"jargon {term!r} without an explanation (say {plain!r}, or explain it in brackets)")
    todo = instructions(text, rules)
    if len(todo) > rules["max_instructions"]:
        problems.append(f"{len(todo)} instructions (max {rules['max_instructions']}; split into sub-steps): "
                        + " | ".join(t[:30] for t in todo))
    if whole_step:
        last = sentences(text)[-1] if sentences(text) else ""
        if not (last.rstrip().endswith("?") or set(words(last.lower())) & set(rules["action_words"])):
            problems.append(f"does not end with what to do next: {last[:60]!r}")
    return problems


@dataclass(frozen=True)
class Figures:
    """Plain-language figures over every message a resident may read (locale id)."""

    messages: int
    median_chars: float
    p90_sentence_words: float
    max_instructions: int
    over_two_instructions: int

    def lines(self) -> list[str]:
        return [f"messages measured: {self.messages}", f"median message length: {self.median_chars:.0f} characters",
                f"90th-percentile sentence: {self.p90_sentence_words:.0f} words",
                f"most instructions in one message: {self.max_instructions}",
                f"messages with more than two instructions: {self.over_two_instructions}"]


def shown_step(engine: Engine, name: str) -> tuple[Conversation, Say]:
    """Step ``name`` as shown to a resident who came from elsewhere (so Back is offered)."""
    step = engine.prompt(Conversation(state=name, history=("x",)))
    say = step.effects[-1]
    assert step.conversation is not None and isinstance(say, Say), "prompt always shows the step"
    return step.conversation, say


def resident_messages(guide, engine: Engine, locale: str = "id") -> dict[str, str]:
    """Every message as a resident reads it: each step (progress line included) and its simpler
    wording, the FAQ answers, the guide's own messages and the desk's messages to residents."""
    renderer = guide.renderers[locale]
    out = {}
    for name, state in engine.flow.states.items():
        shown, say = shown_step(engine, name)
        out[name] = renderer.say(say, shown).text
        if state.say_simple:
            out[name + " say_simple"] = renderer.say(replace(say, lines=state.say_simple), shown).text
    for topic in engine.flow.faq:
        out["faq " + topic.name] = "\n\n".join(renderer.t.text(line.msgid, **renderer.params(None))
                                                for line in topic.answer)
    for msgid in sorted(engine_texts.all_msgids() | set(RESIDENT_DESK_MSGIDS)):
        if not msgid.startswith("btn."):
            out[msgid] = renderer.t.text(msgid, **renderer.params(None), when="Senin", position=1, name="Rina")
    return out


def measure_figures(guide, engine: Engine, rules: dict, locale: str = "id") -> Figures:
    texts = list(resident_messages(guide, engine, locale).values())
    counts = [len(words(s)) for t in texts for s in sentences(t)]
    todo = [len(instructions(t, rules)) for t in texts]
    p90 = statistics.quantiles(counts, n=10, method="inclusive")[-1]
    return Figures(len(texts), statistics.median(len(t) for t in texts), p90, max(todo),
                   sum(n > 2 for n in todo))


def figures_of_shipped_content(locale: str = "id") -> Figures:
    from bot.assembly import build_guide

    guide = build_guide(None, locale=locale)
    return measure_figures(guide, guide.engines[locale], load_rules(dialogs_dir()), locale)
