"""Reading what a resident typed (pure, no I/O): which button they meant, or what they mean.

Rules first, where rules are certain: a shown button's label, typed exactly or nearly
(rapidfuzz), is that button. Commands and secrets are handled by the engine before reading.
Everything else goes to the trained reader (bot.understanding.reader), trained on the examples
in dialogs/understanding/ (intents, and problems that name their troubleshooting state). The
current step's expected answers are a prior, not a filter: they make a likely answer likelier,
while a problem or a request for a person is still heard at any step. When the best meaning is
not clearly ahead, the reading says so (``candidates``), so the engine asks instead of guessing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.understanding.examples import Examples, ProblemSpec
from bot.understanding.reader import Reader, Trainer, fit_examples
from bot.understanding.text import _NORMALISED, Words, emoji_of, normalise

__all__ = ["_NORMALISED", "Reading", "Understanding", "normalise"]

PRIOR = 3.0  # how much likelier an answer the current step expects becomes (odds multiplied)
SURE = 0.5  # the best meaning's probability needed to act on it...
MARGIN = 2.0  # ...and how many times likelier than the second it must be
HELP_SURE = 0.6  # a person is called at once only above this; between UNSURE_HELP and it, offered
UNSURE_HELP = 0.25
SCAM_SURE = 0.7  # the scam warning interrupts the journey: it needs the reader to be sure
_TOP = 3


@dataclass(frozen=True)
class Reading:
    """What a text was understood as: a button label, an intent or problem, or nothing sure."""

    label: str | None = None  # msgid of the button the text names
    intent: str | None = None  # an intent or a problem name, when sure enough to act
    matched: tuple[str, ...] = ()  # the words read, corrections ("gagl→gagal"), the label
    score: float = 0.0  # 0-100: the probability of ``intent`` (100 for a button)
    candidates: tuple[str, ...] = ()  # the likeliest meanings, best first, when not sure
    likelihoods: tuple[float, ...] = ()  # their probabilities (0-1), in the same order

    @property
    def understood(self) -> bool:
        return self.label is not None or self.intent is not None


class Understanding:
    """Built once per locale from the examples, the lexicon's spellings and the button labels."""

    def __init__(self, examples: Examples, labels: Mapping[str, str], fallbacks: Mapping[str, str] | None = None,
                 *, spellings: Mapping[str, str] | None = None, known_words: Iterable[str] = (),
                 extra: Mapping[str, Sequence[str]] | None = None, emoji: Mapping[str, str] | None = None,
                 fuzzy_threshold: float = 88.0, trainer: Trainer = fit_examples):
        self.examples = examples
        self.problems: dict[str, ProblemSpec] = dict(examples.problems)
        self.aliases = examples.aliases()
        pairs = examples.labelled() + [(t, i) for i, texts in (extra or {}).items() for t in texts]
        self.words = Words(spellings or {}, known_words, emoji)
        self.words.learn(t for t, _ in pairs)
        self.reader = Reader(self.words, pairs, trainer)
        self.intents = frozenset(self.reader.labels)
        self._labels = {msgid: normalise(text) for msgid, text in labels.items()}
        self._spelled_labels = {msgid: " ".join(self.words.spell(t)) for msgid, t in self._labels.items()}
        self._fallbacks = dict(fallbacks or {})
        self._threshold = fuzzy_threshold

    def fallback(self, intent: str) -> str | None:
        return self._fallbacks.get(intent)

    def problem(self, name: str) -> ProblemSpec | None:
        return self.problems.get(name) or self.problems.get(self.aliases.get(name, ""))

    def canonical(self, text: str) -> str:
        """The words as the reader sees them (for reviews and tests)."""
        return " ".join(self.words.tokens(text)[0])

    # ----- reading ------------------------------------------------------------------------
    def read(self, text: str, labels: Sequence[str] = (), expected: Iterable[str] = ()) -> Reading:
        """Understand ``text`` given the msgids of the buttons shown and the answers expected."""
        norm = normalise(text)
        for msgid in labels:
            # Most texts are a reply-keyboard press: the label itself, answered before anything else.
            if norm and self._labels.get(msgid) == norm:
                return Reading(label=msgid, matched=(norm,), score=100.0)
        if not self.words.words_of(text) and not emoji_of(text):
            return Reading()
        label = self._match_label(norm, labels)
        if label:
            return label
        return self._meaning(text, expected)

    def ranked(self, text: str, expected: Iterable[str] = (), read=None) -> list[tuple[str, float]]:
        """Every meaning with its probability, best first (the step's expected answers weighed in)."""
        p = self.reader.probabilities(text, read)
        wanted = {self.aliases.get(e, e) for e in expected}
        if wanted:
            boost = [PRIOR if name in wanted else 1.0 for name in self.reader.labels]
            p = p * boost
            p = p / p.sum()
        order = p.argsort()[::-1][:_TOP + 1]
        return [(self.reader.labels[i], float(p[i])) for i in order]

    def _meaning(self, text: str, expected: Iterable[str]) -> Reading:
        read = self.words.analyse(text)
        _, tokens, corrections = read
        tokens = tuple(t for t in tokens if not any(ch.isdigit() for ch in t))  # kept for the transcript
        ranked = self.ranked(text, expected, read)
        (best, p1), (_, p2) = ranked[0], ranked[1]
        matched = tokens + corrections
        likely = dict(ranked)
        top = tuple(name for name, p in ranked[:_TOP] if p >= 0.05) or (best,)
        if best == "help":
            if p1 >= HELP_SURE:
                return Reading(intent="help", matched=matched, score=100 * p1)
        elif "help" in top and likely["help"] >= UNSURE_HELP:
            top = ("help",) + tuple(n for n in top if n != "help")
        else:
            sure = SCAM_SURE if best == "scam" else SURE
            if p1 >= sure and p1 >= MARGIN * p2:
                return Reading(intent=best, matched=matched, score=100 * p1)
        return Reading(matched=matched, score=100 * p1, candidates=top, likelihoods=tuple(likely[n] for n in top))

    def _match_label(self, norm: str, labels: Sequence[str]) -> Reading | None:
        if not norm:
            return None
        spelled = " ".join(self.words.spell(norm))
        best: tuple[float, str] | None = None
        for msgid in labels:
            candidate = self._labels.get(msgid)
            if not candidate:
                continue
            if spelled == self._spelled_labels[msgid]:
                return Reading(label=msgid, matched=(candidate,), score=100.0)
            score = fuzz.ratio(norm, candidate)
            if score >= self._threshold and (best is None or score > best[0]):
                best = (score, msgid)
        if best:
            return Reading(label=best[1], matched=(self._labels[best[1]],), score=best[0])
        return None
