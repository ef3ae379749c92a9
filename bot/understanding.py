"""Reading what a resident typed: which button they meant, or which intent (pure, no I/O).

Residents type "sdh pak", "blm bisa" or a button's label by hand. This module normalises the
text, matches button labels (exactly or fuzzily, with rapidfuzz) and intent phrases from the
lexicon in dialogs/lexicon/<lang>.yaml. A request for a person always wins: it must never be read
as anything else. Every reading records the words that matched, so reviews can see why.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from rapidfuzz import fuzz

# Intents that outrank any other match in the same message, in this order.
PRIORITY = ("help",)

_REPEATS = re.compile(r"(\w)\1{2,}")
_NON_WORD = re.compile(r"[^\w\s]")
_DIGIT_SUFFIX = re.compile(r"(?<=[a-z])2\b")  # "masuk2" -> "masuk" (Indonesian reduplication)


@dataclass(frozen=True)
class Reading:
    """What a text was understood as: a button label, an intent, or nothing."""

    label: str | None = None  # msgid of the button the text names
    intent: str | None = None
    matched: tuple[str, ...] = ()
    score: float = 0.0

    @property
    def understood(self) -> bool:
        return self.label is not None or self.intent is not None


def normalise(text: str) -> str:
    """Lowercase, strip accents and punctuation, squeeze "sudaaah" to "sudah"."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _REPEATS.sub(r"\1", text)
    text = _DIGIT_SUFFIX.sub("", text)
    text = _NON_WORD.sub(" ", text)
    return " ".join(text.split())


def _emoji_of(text: str) -> set[str]:
    return {ch for ch in text if unicodedata.category(ch) == "So"}


class Understanding:
    """Built once per locale from the lexicon and the translated button labels."""

    def __init__(self, lexicon: Mapping[str, Iterable[str]], labels: Mapping[str, str],
                 fallbacks: Mapping[str, str] | None = None, fuzzy_threshold: float = 88.0):
        self._phrases: list[tuple[tuple[str, ...], str, str]] = []  # (tokens, intent, original)
        self._emoji: dict[str, str] = {}
        for intent, phrases in lexicon.items():
            for phrase in phrases:
                if _emoji_of(phrase) and not normalise(phrase):
                    for ch in _emoji_of(phrase):
                        self._emoji[ch] = intent
                    continue
                tokens = tuple(normalise(phrase).split())
                if tokens:
                    self._phrases.append((tokens, intent, phrase))
        # Longer phrases first: "tidak bisa" must beat "tidak" and "bisa".
        self._phrases.sort(key=lambda p: -len(p[0]))
        self._labels = {msgid: normalise(text) for msgid, text in labels.items()}
        self._fallbacks = dict(fallbacks or {})
        self._threshold = fuzzy_threshold
        self.intents = frozenset(lexicon)

    def fallback(self, intent: str) -> str | None:
        return self._fallbacks.get(intent)

    def read(self, text: str, labels: Sequence[str] = ()) -> Reading:
        """Understand ``text`` given the msgids of the buttons currently shown."""
        norm = normalise(text)
        label = self._match_label(norm, labels)
        intent_reading = self._match_intent(norm, text)
        if intent_reading.intent in PRIORITY:
            return intent_reading
        if label:
            return label
        return intent_reading

    def _match_label(self, norm: str, labels: Sequence[str]) -> Reading | None:
        if not norm:
            return None
        best: tuple[float, str] | None = None
        for msgid in labels:
            candidate = self._labels.get(msgid)
            if not candidate:
                continue
            if norm == candidate:
                return Reading(label=msgid, matched=(candidate,), score=100.0)
            score = fuzz.ratio(norm, candidate)
            if score >= self._threshold and (best is None or score > best[0]):
                best = (score, msgid)
        if best:
            return Reading(label=best[1], matched=(self._labels[best[1]],), score=best[0])
        return None

    def _match_intent(self, norm: str, raw: str) -> Reading:
        tokens = norm.split()
        found: list[tuple[int, str, str]] = []  # (length, intent, phrase)
        taken: set[int] = set()
        for phrase_tokens, intent, original in self._phrases:
            n = len(phrase_tokens)
            for i in range(len(tokens) - n + 1):
                span = set(range(i, i + n))
                if tuple(tokens[i:i + n]) == phrase_tokens and not span & taken:
                    taken |= span
                    found.append((n, intent, original))
        for ch in _emoji_of(raw):
            if ch in self._emoji:
                found.append((1, self._emoji[ch], ch))
        if not found:
            return Reading()
        for intent in PRIORITY:
            hits = [f for f in found if f[1] == intent]
            if hits:
                return Reading(intent=intent, matched=tuple(h[2] for h in hits), score=100.0)
        intents = {f[1] for f in found}
        if len(intents) > 1:
            # Two different meanings ("sudah tapi gagal"): prefer the longest phrase, and only if
            # it is strictly longer than every other; otherwise say we are unsure.
            found.sort(key=lambda f: -f[0])
            if found[0][0] == found[1][0] and found[0][1] != found[1][1]:
                return Reading(matched=tuple(f[2] for f in found), score=0.0)
        best = max(found, key=lambda f: f[0])
        return Reading(intent=best[1], matched=tuple(f[2] for f in found if f[1] == best[1]), score=90.0)
