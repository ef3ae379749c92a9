"""The reader's figures: training time, reading latency, memory, and why LinearSVC.

    python benchmarks/understanding.py [--quick] [--json FILE]

1. training: a fresh Understanding for `id` trained in this process (median of runs), and the
   start of a guide when the model is in the cache (bot.understanding.training);
2. reading: every message of tests/understanding/eval.csv read at its step (buttons shown, the
   step's prior), first pass (cold word caches) and warm passes: median and 99th percentile;
3. memory: in a fresh process, resident memory before and after importing the reader's
   libraries and training it, and what the trained model itself holds (tracemalloc);
4. model choice: 5-fold cross-validation on the examples, same features, for LinearSVC,
   logistic regression and complement naive Bayes: accuracy on held-out folds and fit time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.assembly import build_guide
from bot.commands.evaluate import _conversation, default_path, load_rows
from bot.understanding import Understanding

_MEMORY_PROBE = r"""
import json, sys, tracemalloc
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
import yaml, rapidfuzz, transitions, babel, telegram, holidays  # what the bot loads anyway
from bot.flow import load_flow
from bot.understanding.examples import load_examples
from bot.paths import dialogs_dir
flow = load_flow()
examples = load_examples(dialogs_dir())
before = rss()
import numpy
from bot.assembly import build_understanding
imported = rss()
tracemalloc.start()
u = build_understanding("id", {}, examples=examples)
u.read("sudah pak")
held, _ = tracemalloc.get_traced_memory()
tracemalloc.stop()
assert not [m for m in sys.modules if m.startswith(("sklearn", "scipy"))], "the running bot imported scikit-learn"
print(json.dumps({"rss_before_mb": before, "rss_imported_mb": imported, "rss_trained_mb": rss(),
                  "model_held_mb": held / 2**20}))
"""


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def training(repeats: int) -> dict[str, float]:
    engine = build_guide(None).engines["id"]
    u = engine.understanding
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        Understanding(u.examples, dict(u._labels), spellings=u.words.spellings, known_words=u.words.known,
                      emoji={chr(k): v for k, v in u.words.emoji.items()})
        times.append(time.perf_counter() - started)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from bot.assembly import build_guide; build_guide(None)"], check=True,
                   cwd=Path(__file__).resolve().parent.parent)
    cached_start = time.perf_counter() - started
    return {"train_s": statistics.median(times), "guide_start_cached_s": cached_start,
            "examples": len(u.examples.labelled()), "meanings": len(u.reader.labels), "features": u.reader.features}


def reading(passes: int) -> dict[str, float]:
    engine = build_guide(None).engines["id"]
    rows = [r for r in load_rows(default_path()) if r.state != "new"]
    cases = []
    for r in rows:
        conv = _conversation(engine, r.state)
        cases.append((r.text, [b.label for b in conv.buttons], engine._expected(conv)))
    u = engine.understanding

    def one_pass() -> list[float]:
        out = []
        for text, labels, expected in cases:
            started = time.perf_counter()
            u.read(text, labels, expected)
            out.append(time.perf_counter() - started)
        return out

    u.words._stems.clear()
    u.words._fixes.clear()
    cold = one_pass()
    runs = [one_pass() for _ in range(passes)]
    warm = [t for run in runs for t in run]
    # Each message's fastest run: its own cost, without the pauses other processes on this
    # shared machine cause (reported beside the plain figures, not instead of them).
    own = [min(times) for times in zip(*runs, strict=True)]
    return {"messages": len(cases), "cold_p50_ms": 1e3 * statistics.median(cold),
            "cold_p99_ms": 1e3 * _percentile(cold, 0.99), "p50_ms": 1e3 * statistics.median(warm),
            "p99_ms": 1e3 * _percentile(warm, 0.99), "max_ms": 1e3 * max(warm + cold),
            "own_p50_ms": 1e3 * statistics.median(own), "own_p99_ms": 1e3 * _percentile(own, 0.99),
            "load_average": os.getloadavg()[0]}


def memory() -> dict[str, float]:
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", _MEMORY_PROBE], capture_output=True, text=True, cwd=root, check=True)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    figures["rss_added_mb"] = figures["rss_trained_mb"] - figures["rss_before_mb"]
    return figures


def model_choice(folds: int) -> dict[str, Any]:
    import numpy as np
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.naive_bayes import ComplementNB
    from sklearn.svm import LinearSVC

    u = build_guide(None).engines["id"].understanding
    pairs = u.examples.labelled()
    views = [u.reader.views(t) for t, _ in pairs]
    from bot.understanding.reader import char_grams
    labels = sorted({lab for _, lab in pairs})
    y = np.array([labels.index(lab) for _, lab in pairs])
    models = {"LinearSVC (C=0.5)": lambda: LinearSVC(C=0.5, random_state=0),
              "LogisticRegression (C=20)": lambda: LogisticRegression(C=20, max_iter=300, tol=1e-3),
              "ComplementNB (alpha=0.1)": lambda: ComplementNB(alpha=0.1)}
    result: dict[str, Any] = {}
    split = StratifiedKFold(folds, shuffle=True, random_state=0)
    for name, make in models.items():
        accuracy, fit = [], []
        for train, test in split.split(np.zeros(len(y)), y):
            word = TfidfVectorizer(analyzer=lambda g: g, sublinear_tf=True)
            char = TfidfVectorizer(analyzer=char_grams, sublinear_tf=True)
            x_train = hstack([word.fit_transform([views[i][0] for i in train]),
                              char.fit_transform([views[i][1] for i in train])]).tocsr()
            x_test = hstack([word.transform([views[i][0] for i in test]),
                             char.transform([views[i][1] for i in test])]).tocsr()
            model = make()
            started = time.perf_counter()
            model.fit(x_train, y[train])
            fit.append(time.perf_counter() - started)
            accuracy.append(float((model.predict(x_test) == y[test]).mean()))
        result[name] = {"cv_accuracy": statistics.mean(accuracy), "fit_s": statistics.median(fit)}
    return result


def measure(quick: bool = False) -> dict[str, Any]:
    return {"training": training(1 if quick else 3), "reading": reading(1 if quick else 5),
            "memory": memory(), "model_choice": model_choice(2 if quick else 5)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    figures = measure(args.quick)
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
