"""Build a ready Guide from the files on disk: flow, region, catalogs, lexicon, store.

The one place that reads dialogs/ and locales/ for running the guide; the CLI and the Telegram
adapter call :func:`build_guide` and get the same wiring.
"""

from __future__ import annotations

from pathlib import Path

from bot.desk import DeskService, OperatorChannel, SilentChannel
from bot.desk.routing import Routing
from bot.engine import Engine, texts as engine_texts
from bot.flow import load_flow
from bot.flow.errors import DialogError, Problem, relative
from bot.flow.yamlfile import read_yaml
from bot.guide import Guide
from bot.i18n import Translator, all_msgids, available_locales, load_catalog
from bot.outbox import NOWHERE, Queued
from bot.paths import dialogs_dir
from bot.region import load_region
from bot.render import Renderer
from bot.store import Store
from bot.understanding import Understanding
from bot.understanding.examples import Examples, load_examples
from bot.understanding.training import cached_fit

_TRAINED: dict[tuple, Understanding] = {}  # the same examples and labels train the same reader


def load_lexicon(locale: str, root: Path | None = None) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The words residents type per intent or problem (the examples of dialogs/understanding,
    plus a locale lexicon's own `intents:` for other languages) and the intents' fallbacks."""
    root = Path(root) if root else dialogs_dir()
    data = _lexicon_file(locale, root)
    examples = load_examples(root)
    words: dict[str, list[str]] = {k: list(v) for k, v in examples.intents.items()}
    for problem in examples.problems.values():
        words[problem.name] = list(problem.examples)
    for intent, phrases in _extra_phrases(data).items():
        words.setdefault(intent, []).extend(phrases)
    return words, {str(k): str(v) for k, v in (data.get("fallbacks") or {}).items()}


def _lexicon_file(locale: str, root: Path) -> dict:
    path = root / "lexicon" / f"{locale}.yaml"
    shown = relative(path, root)
    if not path.is_file():
        raise DialogError([Problem(shown, None, "lexicon file is missing")])
    data = read_yaml(path, shown)
    if not isinstance(data, dict):
        raise DialogError([Problem(shown, getattr(data, "line", None), "expected a mapping")])
    return data


def _extra_phrases(data: dict) -> dict[str, list[str]]:
    return {str(k): [str(p) for p in (v or [])] for k, v in (data.get("intents") or {}).items()}


def known_intents(examples: Examples) -> set[str]:
    """Names a step may use in `intents:`: intents, problems and the problems' other names."""
    return set(examples.intents) | set(examples.problems) | set(examples.aliases())


def build_understanding(locale: str, labels: dict[str, str], root: Path | None = None,
                        examples: Examples | None = None) -> Understanding:
    """The reader for ``locale``: its model from the cache, or trained in a child process
    (bot.understanding.training); built once per process for the same examples and labels."""
    root = Path(root) if root else dialogs_dir()
    data = _lexicon_file(locale, root)
    examples = examples or load_examples(root)
    fallbacks = {str(k): str(v) for k, v in (data.get("fallbacks") or {}).items()}
    spellings = {str(k): str(v) for k, v in (data.get("spellings") or {}).items()}
    known = [str(w) for w in (data.get("known_words") or [])]
    extra = _extra_phrases(data)
    emoji = {str(k): str(v) for k, v in (data.get("emoji") or {}).items()}
    problems = tuple(sorted((p.name, p.state, p.label, p.also) for p in examples.problems.values()))
    key = (tuple(examples.labelled()), problems,
           tuple(sorted(labels.items())), tuple(sorted(fallbacks.items())), tuple(sorted(spellings.items())),
           tuple(known), tuple((k, tuple(v)) for k, v in sorted(extra.items())), tuple(sorted(emoji.items())))
    if key not in _TRAINED:
        if len(_TRAINED) >= 8:
            _TRAINED.clear()
        _TRAINED[key] = Understanding(examples, labels, fallbacks, spellings=spellings, known_words=known, extra=extra,
                                       emoji=emoji, trainer=cached_fit)
    return _TRAINED[key]


def build_guide(store: Store | None = None, *, locale: str = "id", handoff_available: bool = True,
                channel: OperatorChannel | None = None, outbox: bool = False, region: str = "kota-serang",
                ask_place: bool = False, operator_groups: tuple[int, dict[str, int]] | None = None,
                dialogs: Path | None = None, locales: Path | None = None) -> Guide:
    """Load and validate everything, then wire one Engine and Renderer per shipped locale, and
    the guide and the desk to each other (the one place that does: bot/desk/port.py).
    ``outbox``: messages are queued for Telegram; ``operator_groups``: the Disdukcapil group and
    the kecamatan groups by key (bot/desk/routing.py)."""
    examples = load_examples(Path(dialogs) if dialogs else dialogs_dir())
    flow = load_flow(dialogs, known_msgids=all_msgids(locales), known_intents=known_intents(examples))
    the_region = load_region(region, dialogs)
    engines, renderers = {}, {}
    for loc in available_locales(locales):
        renderer = Renderer(Translator(load_catalog(loc, locales)), the_region)
        labels = renderer.labels(_label_msgids(flow) | {p.label for p in examples.problems.values()}
                                 | engine_texts.place_msgids(the_region))
        try:
            understanding = build_understanding(loc, labels, dialogs, examples)
        except DialogError:
            continue  # a locale without a lexicon can still be shown, but not chosen for residents
        engines[loc] = Engine(flow, understanding, the_region, handoff_available=handoff_available, ask_place=ask_place)
        renderers[loc] = renderer
    if locale not in engines:
        raise DialogError([Problem(str(locales or "locales"), None, f"locale {locale!r} has no catalog or lexicon")])
    store = store or Store(":memory:")
    postbox = Queued(store.outbox) if outbox else NOWHERE
    routing = Routing(operator_groups[0], operator_groups[1], the_region.places) if operator_groups else None
    desk = DeskService(channel or SilentChannel(), the_region, store, flow, renderers, locale, postbox=postbox,
                       routing=routing)
    guide = Guide(engines, renderers, store, desk, default_locale=locale, postbox=postbox)
    desk.guidance = guide
    return guide


def desk_of(guide: Guide) -> DeskService:
    """The desk this module wired into ``guide``: for the operators' side (their commands reach
    the desk directly, not through the guide) and its service-level task."""
    desk = guide.desk
    assert isinstance(desk, DeskService), "the guide was not built by build_guide"
    return desk


def _label_msgids(flow) -> set[str]:
    ids = {b.label for s in flow.states.values() for b in s.buttons}
    ids.update(t.label for t in flow.faq)
    ids.update(m for m in engine_texts.all_msgids() if m.startswith("btn."))
    return ids

