"""Training the reader outside the running bot's memory, and keeping the result (the shell).

The bot needs only the fitted numbers to read; scikit-learn and scipy, needed to fit them, cost
about 100 MB of memory once imported. So training runs in a short-lived child process
(``python -m bot.understanding.training``), which writes the model to a cache file named by a
hash of exactly what it was trained on; the bot loads that file (numpy only). The same examples
are never trained twice; changed examples give a new hash and a new training (about 1-2 s).
If the child cannot run, training happens in-process: slower start, same model.

Cache: ``TEMAN_IKD_CACHE``, else ``$XDG_CACHE_HOME/teman-ikd``, else ``~/.cache/teman-ikd``
(a temporary directory when none is writable). Deleting it is always safe.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bot.understanding.reader import CHAR_RANGE, NEGATORS, TEMPERATURE, C, Model, fit_examples
from bot.understanding.text import Words

log = logging.getLogger(__name__)
VERSION = 1  # bump when the features or the model change meaning
KEEP = 8  # models kept in the cache (each edit of the examples makes a new one)


def cache_dir() -> Path:
    configured = os.environ.get("TEMAN_IKD_CACHE")
    candidates = [Path(configured)] if configured else []
    xdg = os.environ.get("XDG_CACHE_HOME")
    candidates += [Path(xdg) / "teman-ikd"] if xdg else []
    candidates += [Path.home() / ".cache" / "teman-ikd", Path(tempfile.gettempdir()) / "teman-ikd-cache"]
    for candidate in candidates:
        try:
            candidate.mkdir(parents=True, exist_ok=True)
            if os.access(candidate, os.W_OK):
                return candidate
        except OSError:
            continue
    return Path(tempfile.mkdtemp(prefix="teman-ikd-"))


def _inputs(words: Words, pairs: Sequence[tuple[str, str]]) -> dict:
    """Everything the model depends on, as plain data: the child rebuilds the same words from it."""
    return {"spellings": dict(sorted(words.spellings.items())), "known": sorted(words.known),
            "emoji": {chr(k): v for k, v in sorted(words.emoji.items())}, "pairs": [list(p) for p in pairs]}


def _code() -> str:
    """The reading code itself is part of what a model was trained with: a change retrains."""
    here = Path(__file__).resolve().parent
    return hashlib.sha256(b"".join((here / name).read_bytes() for name in ("text.py", "reader.py"))).hexdigest()


def _key(inputs: dict) -> str:
    material = json.dumps([VERSION, C, TEMPERATURE, CHAR_RANGE, sorted(NEGATORS), _code(), inputs],
                          ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:24]


def _words(inputs: dict) -> Words:
    words = Words(inputs["spellings"], inputs["known"], inputs["emoji"])
    words.learn(text for text, _ in inputs["pairs"])
    return words


def cached_fit(words: Words, pairs: Sequence[tuple[str, str]]) -> Model:
    """A Trainer: the model for these examples, from the cache or trained in a child process."""
    inputs = _inputs(words, pairs)
    path = cache_dir() / f"reader-{_key(inputs)}.npz"
    if path.is_file():
        try:
            return Model.load(path)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("reader cache %s unreadable (%s): training again", path.name, type(exc).__name__)
    request = json.dumps({**inputs, "path": str(path)}, ensure_ascii=False)
    try:
        subprocess.run([sys.executable, "-m", "bot.understanding.training"], input=request.encode("utf-8"),
                       check=True, capture_output=True, timeout=120)
        _prune(path.parent)
        return Model.load(path)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        log.warning("training in a child process failed (%s): training here", type(exc).__name__)
        model = fit_examples(words, pairs)
        with contextlib.suppress(OSError):
            model.save(path)
        return model


def _prune(folder: Path) -> None:
    """Keep the KEEP most recently written models; older ones belong to examples since edited."""
    models = sorted(folder.glob("reader-*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in models[KEEP:]:
        with contextlib.suppress(OSError):
            old.unlink()


def _child() -> int:
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    pairs = [(str(t), str(label)) for t, label in request["pairs"]]
    fit_examples(_words(request), pairs).save(Path(request["path"]))
    return 0


if __name__ == "__main__":
    sys.exit(_child())
