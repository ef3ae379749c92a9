"""Reading what a resident typed: which button they meant, or which intent (pure, no I/O).

Older residents type the way they speak: "sdh pak", "blm bs", "gk ngerti", "kodenya ga masuk2",
regional words of Serang ("sampun", "durung", "muhun", "teu acan"), emoji and typos. Reading one
message takes four small steps, all driven by the lexicon in dialogs/lexicon/<lang>.yaml:

1. ``normalise``: case, accents, punctuation, "sudaaah" -> "sudah", "masuk2" -> "masuk";
2. each word is made canonical: a known spelling ("udh" -> "sudah"), a clitic dropped
   ("emailnya" -> "email"), or, for an unknown word, the closest vocabulary word by edit
   distance (rapidfuzz), recorded as a correction ("gagl→gagal");
3. button labels are matched (exactly or fuzzily) and lexicon phrases are found, longest first;
4. the intents found are ranked: a request for a person always wins, then a scam report; chit-chat
   (greetings, thanks) and bare yes/no yield to anything more specific; two different meanings of
   equal weight give no intent but ``candidates``, so the engine can ask instead of guessing.

Every reading keeps the phrases and corrections it rests on (``matched``) for the transcript.
Cost: a dictionary look-up per word and per phrase start; fuzzy look-ups are cached.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Indel

# Intents that outrank any other match in the same message, in this order.
PRIORITY = ("help", "scam")
# Weaker intents yield to any stronger one in the same message: chit-chat < yes/no < the generic
# answers < a named problem or question ("pagi pak, sudah" is done; "iya, belum" is not_yet;
# "pindah hp, gak bisa login" is lost_phone). Intents not listed have the highest weight.
WEIGHT = {"greeting": 0, "thanks": 0, "yes": 1, "no": 1, "confused": 1, "done": 2, "not_yet": 2, "failed": 2,
          "retry": 2, "pause": 2, "repeat": 2, "back": 2, "restart": 2}
_TOP = 3
CLITICS = ("nya", "ny", "ku", "mu", "lah", "kah", "dong", "deh")

_REPEATS = re.compile(r"(\w)\1{2,}")
_DOUBLES = re.compile(r"(\w)\1")
_NON_WORD = re.compile(r"[^\w\s]")
_REDUPLICATION = re.compile(r"\b([a-z]+)2\b")  # "masuk2" -> "masuk masuk", "pelan2" -> "pelan pelan"
_FUZZY_CACHE_LIMIT = 20_000


@dataclass(frozen=True)
class Reading:
    """What a text was understood as: a button label, an intent, or nothing."""

    label: str | None = None  # msgid of the button the text names
    intent: str | None = None
    matched: tuple[str, ...] = ()  # lexicon phrases, labels and corrections ("gagl→gagal")
    score: float = 0.0
    candidates: tuple[str, ...] = ()  # equally strong intents when the meaning was ambiguous

    @property
    def understood(self) -> bool:
        return self.label is not None or self.intent is not None


_NORMALISED: dict[str, str] = {}  # button labels and short replies come again and again
_NORMALISED_LIMIT = 4096


def normalise(text: str) -> str:
    """Lowercase, strip accents and punctuation, "sudaaah" -> "sudah", "masuk2" -> "masuk masuk"."""
    known = _NORMALISED.get(text)
    if known is not None:
        return known
    norm = _normalise(text)
    # Kept only if it cannot hold a number, a code or an address: nothing personal stays in memory.
    if len(text) <= 64 and "@" not in text and not any(ch.isdigit() for ch in text):
        if len(_NORMALISED) >= _NORMALISED_LIMIT:
            _NORMALISED.clear()
        _NORMALISED[text] = norm
    return norm


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = unicodedata.normalize("NFKC", text)
    text = _REPEATS.sub(r"\1", text)
    text = _REDUPLICATION.sub(r"\1 \1", text)
    text = _NON_WORD.sub(" ", text).replace("_", " ")
    return " ".join(text.split())


def _emoji_of(text: str) -> set[str]:
    return {ch for ch in text if unicodedata.category(ch) == "So"}


@dataclass(frozen=True)
class _Hit:
    start: int
    length: int
    intent: str
    phrase: str


class Understanding:
    """Built once per locale from the lexicon and the translated button labels."""

    def __init__(self, lexicon: Mapping[str, Iterable[str]], labels: Mapping[str, str],
                 fallbacks: Mapping[str, str] | None = None, fuzzy_threshold: float = 88.0,
                 spellings: Mapping[str, str] | None = None, known_words: Iterable[str] = ()):
        self._spellings = {normalise(k): normalise(v) for k, v in (spellings or {}).items() if normalise(k)}
        self._emoji: dict[str, str] = {}
        self._vocabulary: set[str] = set()
        # first canonical token -> [(tokens, intent, phrase as written)], for one look-up per word
        self._phrases: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
        spelled: list[tuple[tuple[str, ...], str, str]] = []
        for intent, phrases in lexicon.items():
            for phrase in phrases:
                if _emoji_of(phrase) and not normalise(phrase):
                    for ch in _emoji_of(phrase):
                        self._emoji[ch] = intent
                    continue
                tokens = self._spell(normalise(phrase).split())
                if tokens:
                    spelled.append((tokens, intent, phrase))
                    self._vocabulary.update(tokens)
        self._labels = {msgid: normalise(text) for msgid, text in labels.items()}
        for text in self._labels.values():
            self._vocabulary.update(self._spell(text.split()))
        self._vocabulary.update(self._spell(normalise(" ".join(known_words)).split()))
        self._vocabulary.update(w for v in self._spellings.values() for w in v.split())
        # Phrases are read the way input is ("emailnya salah" -> "email salah"), once, here.
        seen: set[tuple[tuple[str, ...], str]] = set()
        for tokens, intent, phrase in spelled:
            tokens = tuple(self._stem(t) or t for t in tokens)
            if (tokens, intent) not in seen:
                seen.add((tokens, intent))
                self._phrases.setdefault(tokens[0], []).append((tokens, intent, phrase))
        for bucket in self._phrases.values():
            bucket.sort(key=lambda p: -len(p[0]))
        self._by_initial: dict[str, list[str]] = {}
        for word in sorted(w for w in self._vocabulary if len(w) >= 3 and not w.isdigit()):
            self._by_initial.setdefault(word[0], []).append(word)
        self._fuzzy: dict[str, str | None] = {}
        self._fallbacks = dict(fallbacks or {})
        self._threshold = fuzzy_threshold
        self.intents = frozenset(lexicon)

    def fallback(self, intent: str) -> str | None:
        return self._fallbacks.get(intent)

    # ----- reading ------------------------------------------------------------------------
    def read(self, text: str, labels: Sequence[str] = ()) -> Reading:
        """Understand ``text`` given the msgids of the buttons currently shown."""
        norm = normalise(text)
        for msgid in labels:
            # Most texts are a reply-keyboard press: the label itself. Answer it before any
            # spelling correction or intent search (the cheap path for the common case).
            if norm and self._labels.get(msgid) == norm:
                return Reading(label=msgid, matched=(norm,), score=100.0)
        tokens, corrections = self._canonical(norm.split())
        label = self._match_label(norm, " ".join(tokens), labels)
        intent_reading = self._match_intent(tokens, text, corrections)
        if label and label.score >= 100.0:
            return label  # exactly a shown button's label: a button press (the keyboard sends labels)
        if intent_reading.intent in PRIORITY:
            return intent_reading
        if label:
            return label
        return intent_reading

    def canonical(self, text: str) -> str:
        """The words as the matcher sees them (for reviews and tests)."""
        return " ".join(self._canonical(normalise(text).split())[0])

    # ----- words --------------------------------------------------------------------------
    def _spell(self, tokens: Iterable[str]) -> tuple[str, ...]:
        out: list[str] = []
        for token in tokens:
            out.extend(self._spellings.get(token, token).split())
        return tuple(out)

    def _canonical(self, tokens: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        out: list[str] = []
        corrections: list[str] = []
        for token in tokens:
            word = self._word(token)
            if word != token and token not in self._spellings:
                corrections.append(f"{token}→{word}")
            out.extend(word.split())
        return tuple(out), tuple(corrections)

    def _stem(self, token: str) -> str | None:
        """"emailnya" -> "email", "sudahlah" -> "sudah": a known word plus a clitic."""
        for clitic in CLITICS:
            stem = token[: -len(clitic)]
            if token.endswith(clitic) and len(stem) >= 3:
                if stem in self._spellings and len(stem) >= 4:  # "nga"+"ku" is "ngaku", not "nggak"
                    return self._spellings[stem]
                if stem in self._vocabulary:
                    return stem
        return None

    def _word(self, token: str) -> str:
        if token in self._spellings:
            return self._spellings[token]
        if token.isdigit():
            return token
        stem = self._stem(token)
        if stem:
            return stem
        if token in self._vocabulary:
            return token
        squeezed = _DOUBLES.sub(r"\1", token)  # "iyaa", "okee", "udahh"
        if squeezed != token and (squeezed in self._spellings or squeezed in self._vocabulary):
            return self._spellings.get(squeezed, squeezed)
        if len(token) < 4:
            return token
        return self._closest(token) or token

    def _closest(self, token: str) -> str | None:
        """The vocabulary word a typo most likely meant; None when nothing is close enough.

        A typo keeps the first letter and is one slip away (a letter missed, added, changed or
        two swapped: "sudha", "gagl", "berhasill"); long words may have two. Short words have
        close neighbours with other meanings ("data"/"dana"), so four letters allow only a
        missed or added letter.
        """
        if token in self._fuzzy:
            return self._fuzzy[token]
        choices = self._by_initial.get(token[0], ())
        if len(token) == 4:
            best = process.extractOne(token, choices, scorer=Indel.distance, score_cutoff=1)
        else:
            best = process.extractOne(token, choices, scorer=OSA.distance, score_cutoff=1 if len(token) <= 7 else 2)
        word = best[0] if best else None
        if len(self._fuzzy) < _FUZZY_CACHE_LIMIT:
            self._fuzzy[token] = word
        return word

    # ----- labels and intents -------------------------------------------------------------
    def _match_label(self, norm: str, canonical: str, labels: Sequence[str]) -> Reading | None:
        if not norm:
            return None
        best: tuple[float, str] | None = None
        for msgid in labels:
            candidate = self._labels.get(msgid)
            if not candidate:
                continue
            if norm == candidate or canonical == " ".join(self._spell(candidate.split())):
                return Reading(label=msgid, matched=(candidate,), score=100.0)
            score = fuzz.ratio(norm, candidate)
            if score >= self._threshold and (best is None or score > best[0]):
                best = (score, msgid)
        if best:
            return Reading(label=best[1], matched=(self._labels[best[1]],), score=best[0])
        return None

    def _hits(self, tokens: tuple[str, ...]) -> list[_Hit]:
        found: list[_Hit] = []
        for i, token in enumerate(tokens):
            for phrase_tokens, intent, original in self._phrases.get(token, ()):
                n = len(phrase_tokens)
                if tokens[i:i + n] == phrase_tokens:
                    found.append(_Hit(i, n, intent, original))
        # Longest first, each word used once: "tidak bisa" beats "tidak" and "bisa".
        found.sort(key=lambda h: (-h.length, h.start))
        taken: set[int] = set()
        kept: list[_Hit] = []
        for hit in found:
            span = set(range(hit.start, hit.start + hit.length))
            if not span & taken:
                taken |= span
                kept.append(hit)
        return kept

    def _match_intent(self, tokens: tuple[str, ...], raw: str, corrections: tuple[str, ...]) -> Reading:
        hits = self._hits(tokens)
        for ch in sorted(_emoji_of(raw)):
            if ch in self._emoji:
                hits.append(_Hit(len(tokens), 1, self._emoji[ch], ch))
        if not hits:
            return Reading(matched=corrections) if corrections else Reading()
        for intent in PRIORITY:
            chosen = [h for h in hits if h.intent == intent]
            if chosen:
                return Reading(intent=intent, matched=tuple(h.phrase for h in chosen) + corrections, score=100.0)
        top_weight = max(WEIGHT.get(h.intent, _TOP) for h in hits)
        strong = [h for h in hits if WEIGHT.get(h.intent, _TOP) == top_weight]
        longest = max(h.length for h in strong)
        best = [h for h in strong if h.length == longest]
        intents = tuple(dict.fromkeys(h.intent for h in best))
        matched = tuple(h.phrase for h in hits) + corrections
        if len(intents) > 1:
            # Two meanings of equal weight ("sudah tapi gagal"): say which, decide nothing.
            return Reading(matched=matched, score=0.0, candidates=intents)
        return Reading(intent=intents[0], matched=matched, score=90.0 if not corrections else 80.0)
