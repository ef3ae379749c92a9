"""``teman-ikd check``: is the content complete, consistent and plain enough to ship?

Validates dialogs/ (schema, references, graph), the region file, the lexicons and every shipped
catalog, then holds each step, as a resident would see it, to the plain-language rules of
dialogs/plain-language.yaml (measured by bot/plain_language.py). Returns findings with a file and
line; an empty list means the content may ship. Reads files, writes nothing.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, replace
from pathlib import Path

from bot.engine import Engine, texts as engine_texts
from bot.flow.errors import DialogError
from bot.flow.graph import cannot_reach
from bot.i18n import DESK_MSGIDS, FOLLOWUP_MSGIDS, SHELL_MSGIDS, available_locales, load_catalog
from bot.paths import dialogs_dir, locales_dir
from bot.plain_language import RESIDENT_DESK_MSGIDS, load_rules, measure_figures, measure_message, shown_step
from bot.vocabulary import Command, DeskCommand, Event

REQUIRED_INTENTS = ("yes", "no", "done", "not_yet", "failed", "help", "repeat", "back", "restart", "pause",
                    "thanks", "greeting", "confused")
# Placeholders any sentence may use besides the region file's values (bot.render.Renderer.params).
PLACEHOLDERS = {"sapaan", "anda", "toko", "service_points", "office_hours", "hours_note"}
# Placeholders of the shell's own msgids.
SHELL_PLACEHOLDERS = {"step", "total", "name", "address", "days", "open", "close", "tz", "first", "last",
                      # the operator desk's
                      "id", "who", "state", "reason", "attempts", "waiting", "lines", "count", "escalations",
                      "median", "finished", "returned", "position", "when", "text", "minutes",
                      # where the resident lives (issue 12)
                      "kecamatan", "office", "names", "kelurahan",
                      # reviewing tickets (bot/desk/review.py)
                      "date", "outcome", "rating", "up", "down", "solved", "home", "unreachable", "link",
                      # follow-through and the supervisors' view (issue 13, bot/followup)
                      "milestone_title", "since", "until", "source", "reasons", "sent", "back", "stopped",
                      "started", "activated", "share", "target", "path", "rows",
                      "items"}  # what /hapusdata removed


@dataclass(frozen=True)
class Finding:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def run_checks(dialogs: Path | None = None, locales: Path | None = None, locale: str = "id") -> list[Finding]:
    from bot.assembly import build_guide

    dialogs = Path(dialogs) if dialogs else dialogs_dir()
    locales = Path(locales) if locales else locales_dir()
    try:
        guide = build_guide(None, locale=locale, dialogs=dialogs, locales=locales)
    except DialogError as exc:
        return [Finding(p.file + (f":{p.line}" if p.line else ""), p.message) for p in exc.problems]
    findings: list[Finding] = []
    engine = guide.engines[locale]
    findings += _check_lexicons(dialogs, locales)
    findings += _check_examples(engine, dialogs, locales)
    findings += _check_catalogs(engine, locales)
    findings += _check_commands_named(locales)
    findings += _check_stated_facts(engine, locales)
    findings += _check_claims(engine, dialogs, locales)
    findings += _check_graph(engine)
    findings += _check_plain_language(guide, engine, dialogs, locale)
    return findings


def _check_lexicons(dialogs: Path, locales: Path) -> list[Finding]:
    from bot.assembly import load_lexicon

    findings = []
    for loc in available_locales(locales):
        try:
            intents, _ = load_lexicon(loc, dialogs)
        except DialogError as exc:
            findings += [Finding(p.file, p.message) for p in exc.problems]
            continue
        for intent in REQUIRED_INTENTS:
            if not intents.get(intent):
                findings.append(Finding("dialogs/understanding/intents.yaml", f"intent {intent!r} has no examples"))
    return findings


def _check_examples(engine: Engine, dialogs: Path, locales: Path) -> list[Finding]:
    """The examples the reader learns from: known states and labels, no duplicates, no example
    under two meanings, enough examples per problem, every intent a step uses has examples."""
    from bot.understanding.examples import check_examples, load_examples
    from bot.understanding.text import normalise

    examples = load_examples(dialogs)
    msgids = set(load_catalog("id", locales).messages)
    flow_intents = {i for s in engine.flow.states.values() for i in s.intents}
    flow_intents |= {i for t in engine.flow.faq for i in t.intents}
    problems = check_examples(examples, set(engine.flow.states), msgids, flow_intents, normalise)
    return [Finding(p.file + (f":{p.line}" if p.line else ""), p.message) for p in problems]


def _needed_msgids(engine: Engine) -> set[str]:
    return (engine.flow.msgids() | engine_texts.all_msgids() | engine_texts.place_msgids(engine.region)
            | set(SHELL_MSGIDS) | set(DESK_MSGIDS) | set(FOLLOWUP_MSGIDS))


def _check_catalogs(engine: Engine, locales: Path) -> list[Finding]:
    findings = []
    needed = _needed_msgids(engine)
    params = {line.msgid: {k for k, _ in line.params} for s in engine.flow.states.values() for line in s.say}
    for loc in available_locales(locales):
        catalog = load_catalog(loc, locales)
        where = str(catalog.path.relative_to(locales.parent) if catalog.path.is_relative_to(locales.parent)
                    else catalog.path)
        for msgid in sorted(needed - set(catalog.messages)):
            findings.append(Finding(where, f"msgid {msgid!r} is not translated"))
        for msgid, text in catalog.messages.items():
            try:
                fields = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
            except ValueError as exc:
                findings.append(Finding(where, f"msgid {msgid!r}: bad placeholder syntax ({exc})"))
                continue
            allowed = PLACEHOLDERS | set(engine.needs_region().values()) | SHELL_PLACEHOLDERS | params.get(msgid, set())
            for f in sorted(fields - allowed):
                findings.append(Finding(where, f"msgid {msgid!r}: unknown placeholder {{{f}}}"))
    return findings


# "/word" in a sentence, not inside a word or an address ("foto/berkas", "https://...").
_NAMED_COMMAND = re.compile(r"(?<![\w/:])/([a-z]+)\b")


def _check_commands_named(locales: Path) -> list[Finding]:
    """A sentence that tells someone to type a command names one that exists (bot/vocabulary.py)."""
    known = {c.value for c in Command} | {c.value for c in DeskCommand}
    findings = []
    for loc in available_locales(locales):
        catalog = load_catalog(loc, locales)
        inside = catalog.path.is_relative_to(locales.parent)
        where = str(catalog.path.relative_to(locales.parent)) if inside else str(catalog.path)
        for msgid, text in catalog.messages.items():
            for name in sorted(set(_NAMED_COMMAND.findall(text)) - known):
                findings.append(Finding(where, f"msgid {msgid!r} names /{name}, which is no command"))
    return findings


# What a sentence must not state itself: a number, an hour, a version, a phone number, an email
# or web address. Those come from the region file as placeholders, so they can be confirmed and
# hedged in one place. Allowed: a numbered list's markers ("1. ") and the guide's own step numbers.
_STATED = re.compile(r"\d|@|\bhttps?:|\bwww\.|\.go\.id\b", re.IGNORECASE)
_ALLOWED_NUMBERS = re.compile(r"^\d{1,2}\.\s|\b(?:langkah|step|steps)\s+\d{1,2}(?:\s+(?:sampai|to|-)\s+\d{1,2})?\b"
                              r"|\b\d{1,2}\s+(?:langkah|steps)\b", re.IGNORECASE | re.MULTILINE)
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def resident_msgids(engine: Engine) -> set[str]:
    """Every msgid whose sentence a resident may read."""
    ids = {line.msgid for s in engine.flow.states.values() for line in s.say}
    ids.update(line.msgid for t in engine.flow.faq for line in t.answer)
    return ids | engine_texts.all_msgids() | set(RESIDENT_DESK_MSGIDS)


def stated_facts(text: str) -> list[str]:
    """Numbers, hours, versions or contacts written into a sentence rather than a placeholder."""
    bare = _ALLOWED_NUMBERS.sub(" ", _PLACEHOLDER.sub(" ", text))
    return [m.group(0) for m in _STATED.finditer(bare)]


def _check_stated_facts(engine: Engine, locales: Path) -> list[Finding]:
    findings = []
    ids = resident_msgids(engine)
    for loc in available_locales(locales):
        catalog = load_catalog(loc, locales)
        for msgid in sorted(ids & set(catalog.messages)):
            text = catalog.messages[msgid]
            if stated_facts(text):
                findings.append(Finding(f"locales/{loc} ({msgid})", "states a number, hour, version or contact itself; "
                                        f"use a placeholder from dialogs/region/*.yaml: {text[:70]!r}"))
    return findings


def _check_claims(engine: Engine, dialogs: Path, locales: Path) -> list[Finding]:
    """An unconfirmed claim of the region file is worded with a hedge wherever it is made."""
    hedges = [h.lower() for h in load_rules(dialogs)["hedges"]]
    catalog = load_catalog("id", locales)
    findings = []
    for name, claim in engine.needs_region().claims.items():
        for msgid in claim.said_in:
            text = catalog.messages.get(msgid)
            if text is None:
                findings.append(Finding(f"dialogs/region (claim {name})", f"said_in names unknown msgid {msgid!r}"))
            elif not claim.confirmed and not any(h in text.lower() for h in hedges):
                findings.append(Finding(f"locales/id ({msgid})", f"claim {name!r} is unconfirmed but said as certain; "
                                        f"word it with a hedge ({', '.join(hedges)})"))
    return findings


def _check_graph(engine: Engine) -> list[Finding]:
    findings = [Finding(f"{engine.flow.states[n].file}:{engine.flow.states[n].line}",
                        f"state {n!r}: `activated` cannot be reached from here")
                for n in cannot_reach(engine.flow, "activated")]
    for name, state in engine.flow.states.items():
        shown, _ = shown_step(engine, name)
        if not any(b.event == Event.BANTUAN for b in shown.buttons):
            findings.append(Finding(f"{state.file}:{state.line}", f"state {name!r}: no button to a person"))
    return findings


def _check_figures(guide, engine: Engine, rules: dict, locale: str) -> list[Finding]:
    figures = measure_figures(guide, engine, rules, locale)
    findings = []
    if figures.median_chars > rules["median_chars_per_message"]:
        findings.append(Finding("dialogs/plain-language.yaml",
                                f"median message is {figures.median_chars:.0f} characters "
                                f"(max {rules['median_chars_per_message']})"))
    if figures.p90_sentence_words > rules["p90_words_per_sentence"]:
        findings.append(Finding("dialogs/plain-language.yaml",
                                f"90th-percentile sentence is {figures.p90_sentence_words:.0f} "
                                f"words (max {rules['p90_words_per_sentence']})"))
    return findings


def _check_plain_language(guide, engine: Engine, dialogs: Path, locale: str) -> list[Finding]:
    rules = load_rules(dialogs)
    renderer = guide.renderers[locale]
    findings = _check_figures(guide, engine, rules, locale)
    for name, state in engine.flow.states.items():
        shown, say = shown_step(engine, name)
        message = renderer.say(say, shown)
        where = f"{state.file}:{state.line} ({name})"
        findings += [Finding(where, p) for p in measure_message(message.text, rules, whole_step=True)]
        if state.say_simple:
            simple = renderer.say(replace(say, lines=state.say_simple), shown)
            findings += [Finding(where + " say_simple", p)
                         for p in measure_message(simple.text, rules, whole_step=True)]
        else:
            findings.append(Finding(where, "no say_simple: every step needs a simpler second wording"))
        choices = [b for b in shown.buttons if not b.help_row]
        if len(choices) > rules["max_buttons"]:
            findings.append(Finding(where, f"{len(choices)} choices (max {rules['max_buttons']})"))
        for label in message.buttons:
            if len(label) > rules["max_label_chars"]:
                findings.append(Finding(where, f"button label {label!r} is {len(label)} characters "
                                               f"(max {rules['max_label_chars']})"))
    for topic in engine.flow.faq:
        text = "\n\n".join(renderer.t.text(line.msgid, **renderer.params(None)) for line in topic.answer)
        findings += [Finding(f"dialogs/faq.yaml ({topic.name})", p)
                     for p in measure_message(text, rules, whole_step=True)]
    for msgid in sorted(engine_texts.all_msgids() | set(RESIDENT_DESK_MSGIDS)):
        text = renderer.t.text(msgid, **renderer.params(None))
        findings += [Finding(f"locales/{locale} ({msgid})", p) for p in measure_message(text, rules, whole_step=False)]
    return findings
