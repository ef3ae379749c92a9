"""The trained reader: which intent or problem a message most likely means, with probabilities.

A linear support-vector classifier (scikit-learn's LinearSVC) over two views of a message:
word uni- and bigrams of the canonical, stemmed words (bot.understanding.text) plus
pictographs, and character 2-5-grams within words (typos and spellings the examples never
showed), each TF-IDF weighted. Chosen on evidence (benchmarks/understanding.py, 5-fold
cross-validation on the examples): as accurate as logistic regression (0.75 vs 0.74-0.75 on
held-out folds of the examples, where neighbouring meanings such as "yes"/"done" overlap) and
trained 15x faster (0.3 s instead of 5 s), deterministic (fixed random_state). Its decision
scores become probabilities by a softmax whose temperature minimised the log-loss of
cross-validated predictions.

Reading one message applies the fitted vocabularies, idf weights and coefficients directly
(a dictionary look-up per n-gram and a small dot product): the same arithmetic as
``transform`` + ``decision_function`` without their per-call input checks, which cost ten times
the arithmetic for a single short text.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from bot.understanding.text import Words, emoji_of

C = 0.5  # regularisation (cross-validated)
# Words that negate what follows ("tidak berhasil", "teu acan", "ora iso"): the next two words are
# read as negated ("not:hasil"), so that a negated word never counts as the word itself.
NEGATORS = frozenset({"tidak", "belum", "bukan", "jangan", "ora", "teu", "henteu", "durung", "dereng", "mboten",
                      "bli", "langka", "acan", "sanes"})
_SCOPE = 2
_SCOPE_ENDS = frozenset({"tapi", "padahal", "terus", "dan", "sudah"})
TEMPERATURE = 6.0  # decision scores -> probabilities (cross-validated log-loss)


def _identity(tokens):
    return tokens


class Reader:
    """LinearSVC over word and character n-grams; ``probabilities`` reads one text."""

    def __init__(self, words: Words, pairs: Sequence[tuple[str, str]], c: float = C):
        self.words = words
        self.labels = sorted({label for _, label in pairs})
        index = {label: i for i, label in enumerate(self.labels)}
        y = np.array([index[label] for _, label in pairs])
        self._word = TfidfVectorizer(analyzer=_identity, sublinear_tf=True)
        self._char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
        views = [self.views(t) for t, _ in pairs]
        x = hstack([self._word.fit_transform([v[0] for v in views]),
                    self._char.fit_transform([v[1] for v in views])]).tocsr()
        model = LinearSVC(C=c, random_state=0)
        model.fit(x, y)
        self.model = model
        n_words = len(self._word.vocabulary_)
        coef = np.asarray(model.coef_, dtype=np.float64)
        self._word_coef = np.ascontiguousarray(coef[:, :n_words].T)  # features x labels
        self._char_coef = np.ascontiguousarray(coef[:, n_words:].T)
        self._intercept = np.asarray(model.intercept_, dtype=np.float64)
        self._word_index = self._word.vocabulary_
        self._char_index = self._char.vocabulary_
        self._word_idf = self._word.idf_
        self._char_idf = self._char.idf_
        self._char_grams = self._char.build_analyzer()
        self.features = n_words + len(self._char.vocabulary_)

    def views(self, text: str) -> tuple[list[str], str]:
        """The two inputs of the model: word grams (with pictographs) and the spelled text."""
        tokens = _negated(self.words.tokens(text)[0])
        grams = list(tokens) + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]
        grams += [f"emoji:{ord(ch):x}" for ch in emoji_of(text)]
        return grams, " ".join(self.words.spell(self.words.words_of(text)))

    @staticmethod
    def _weights(grams, index, idf) -> tuple[np.ndarray, np.ndarray]:
        counts: dict[int, int] = {}
        for g in grams:
            j = index.get(g)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        if not counts:
            return np.empty(0, dtype=np.intp), np.empty(0)
        cols = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        values = (1.0 + np.log(tf)) * idf[cols]  # sublinear tf times idf, as TfidfVectorizer
        return cols, values / np.sqrt(values @ values)  # l2 per view, as TfidfVectorizer

    def scores(self, text: str) -> np.ndarray:
        """The model's decision score per label (equal to ``model.decision_function``)."""
        grams, chars = self.views(text)
        total = self._intercept.copy()
        cols, values = self._weights(grams, self._word_index, self._word_idf)
        if len(cols):
            total += values @ self._word_coef[cols]
        cols, values = self._weights(self._char_grams(chars), self._char_index, self._char_idf)
        if len(cols):
            total += values @ self._char_coef[cols]
        return total

    def probabilities(self, text: str) -> np.ndarray:
        z = self.scores(text) * TEMPERATURE
        z -= z.max()
        p = np.exp(z)
        return p / p.sum()


def _negated(tokens: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    left = 0
    for token in tokens:
        if token in NEGATORS:
            out.append(token)
            left = _SCOPE
        elif left and token not in _SCOPE_ENDS:
            out.append(f"not:{token}")
            left -= 1
        else:
            out.append(token)
            left = 0
    return out
