"""Words as the reader sees them (pure): normalised, informal spellings resolved, stemmed, typos fixed.

1. ``normalise``: case, accents, punctuation, zero-width characters, "sudaaah" -> "sudah",
   "masuk2" -> "masuk masuk";
2. a known informal spelling is rewritten ("udh" -> "sudah", "gk" -> "tidak"; from
   dialogs/lexicon/<lang>.yaml);
3. a split prefix is joined when the joined word is Indonesian ("di instal" -> "diinstal",
   "ke hapus" -> "kehapus"), then Sastrawi's stemmer removes affixes ("ditolak" -> "tolak",
   "emailnya" -> "email");
4. a word that is neither in Sastrawi's dictionary of root words nor in the vocabulary of the
   examples is compared with that vocabulary: one or two slips away ("gagl") it is read as the
   word meant, and the correction is recorded. Correct words ("teman", "seorang", "satu") are
   in the dictionary and are never changed.

Per-word results are cached in bounded memos that never keep a word with a digit in it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel
from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
from Sastrawi.Stemmer.Stemmer import Stemmer
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

_REPEATS = re.compile(r"(\w)\1{2,}")
_NON_WORD = re.compile(r"[^\w\s]")
_REDUPLICATION = re.compile(r"\b([a-z]+)2\b")  # "masuk2" -> "masuk masuk", "pelan2" -> "pelan pelan"
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
PREFIXES = ("di", "ke", "ter")  # typed apart: "di buka", "ke hapus", "ter pasang"
_WORD_MEMO = 20_000

_NORMALISED: dict[str, str] = {}  # button labels and short replies come again and again
_STEMS: dict[str, str] = {}  # word -> Sastrawi stem (bounded; words with digits never enter)
_NORMALISED_LIMIT = 4096


def normalise(text: str) -> str:
    """Lowercase, strip accents, punctuation and invisible characters, squeeze repeats."""
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
    text = text.lower()
    if not text.isascii():  # most messages are plain ASCII: skip the per-character work
        text = unicodedata.normalize("NFKD", text.translate(_INVISIBLE))
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = unicodedata.normalize("NFKC", text)
    text = _REPEATS.sub(r"\1", text)
    text = _REDUPLICATION.sub(r"\1 \1", text)
    text = _NON_WORD.sub(" ", text).replace("_", " ")
    return " ".join(text.split())


def emoji_of(text: str) -> tuple[str, ...]:
    """Pictographs in ``text`` (skin tones and variation selectors dropped)."""
    if text.isascii():
        return ()
    return tuple(ch for ch in text if unicodedata.category(ch) == "So" and not 0x1F3FB <= ord(ch) <= 0x1F3FF)


@lru_cache(maxsize=1)
def root_words() -> frozenset[str]:
    """Sastrawi's dictionary of Indonesian root words (about 30,000)."""
    return frozenset(StemmerFactory().get_words())


class _SetDictionary(ArrayDictionary):
    """Sastrawi's dictionary interface over a set: its ArrayDictionary looks words up in a list,
    which makes stemming one unknown word take up to 0.2 s; a set makes it microseconds."""

    def __init__(self, words: frozenset[str]):
        super().__init__()
        self.words = words

    def contains(self, word: str) -> bool:
        return word in self.words

    def count(self) -> int:
        return len(self.words)


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer:
    # Sastrawi's own CachedStemmer never forgets a word; ours is bounded (see Words.stem).
    return Stemmer(_SetDictionary(root_words()))


class Words:
    """Canonical words for one locale: spellings, stems, corrections against a vocabulary."""

    def __init__(self, spellings: Mapping[str, str], known_words: Iterable[str] = (),
                 emoji: Mapping[str, str] | None = None):
        self.spellings = {normalise(k): normalise(v) for k, v in spellings.items() if normalise(k)}
        # "👍" -> " oke ": pictographs become the words they stand for before anything else.
        self.emoji = {ord(ch): f" {normalise(words)} " for ch, words in (emoji or {}).items() if len(ch) == 1}
        self.roots = root_words()
        self.known = {normalise(w) for w in known_words} | set(self.spellings.values())
        self.vocabulary: set[str] = set()
        self._by_initial: dict[str, list[str]] = {}
        self._stems = _STEMS  # Sastrawi's stems do not depend on the locale's spellings: shared
        self._fixes: dict[str, str | None] = {}

    def learn(self, texts: Iterable[str]) -> None:
        """Remember the words of the examples: typos are corrected towards them."""
        for text in texts:
            # The words as spelled in the examples (no stemming needed: a correction is stemmed after).
            for word in self.spell(self.words_of(text)):
                if len(word) >= 3 and word.isalpha():
                    self.vocabulary.add(word)
        self._by_initial = {}
        for word in sorted(self.vocabulary):
            self._by_initial.setdefault(word[0], []).append(word)
        self._fixes.clear()

    def words_of(self, text: str) -> str:
        """``text`` normalised, its pictographs replaced by their words."""
        return normalise(text.translate(self.emoji) if self.emoji and not text.isascii() else text)

    def spell(self, norm: str) -> list[str]:
        out: list[str] = []
        for token in norm.split():
            out.extend(self.spellings.get(token, token).split())
        # A prefix typed apart joins its word: "di buka" reads as "dibuka" (stem "buka"); when the
        # joined word has no known stem ("di instal"), the word alone carries the meaning.
        joined: list[str] = []
        for token in out:
            if joined and joined[-1] in PREFIXES and token.isalpha() and len(token) >= 3:
                candidate = joined[-1] + token
                stem = self.stem(candidate)
                joined[-1] = candidate if stem != candidate or candidate in self.vocabulary else token
                continue
            joined.append(token)
        return joined

    def stem(self, token: str) -> str:
        # The locale's own words first: the shared memo holds Sastrawi's answers only.
        if token.isdigit() or not token.isalpha() or len(token) <= 3 or token in self.known:
            return token
        stem = self._stems.get(token)
        if stem is None:
            stem = _stemmer().stem(token) or token
            if len(self._stems) >= _WORD_MEMO:
                self._stems.clear()
            self._stems[token] = stem
        return stem

    def tokens(self, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(canonical stemmed words, corrections made) of a text."""
        _, words, corrections = self.analyse(text)
        return words, corrections

    def analyse(self, text: str) -> tuple[list[str], tuple[str, ...], tuple[str, ...]]:
        """(the words as spelled, the canonical stemmed words, the corrections made) of a text."""
        spelled = self.spell(self.words_of(text))
        words: list[str] = []
        corrections: list[str] = []
        for token in spelled:
            word = self._fix(token)
            if word != token:
                corrections.append(f"{token}→{word}")
            words.append(self.stem(word))
        return spelled, tuple(words), tuple(corrections)

    def _fix(self, token: str) -> str:
        if (len(token) < 4 or not token.isalpha() or token in self.roots or token in self.vocabulary
                or token in self.known or self.stem(token) in self.roots):
            return token
        if token in self._fixes:
            return self._fixes[token] or token
        choices = self._by_initial.get(token[0], ())
        if len(token) == 4:  # short words have close neighbours with other meanings: one letter only
            best = process.extractOne(token, choices, scorer=Indel.distance, score_cutoff=1)
        else:
            best = process.extractOne(token, choices, scorer=OSA.distance, score_cutoff=1 if len(token) <= 7 else 2)
        word = best[0] if best else None
        if len(self._fixes) < _WORD_MEMO:
            self._fixes[token] = word
        return word or token
