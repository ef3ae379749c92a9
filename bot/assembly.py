"""Build a ready Guide from the files on disk: flow, region, catalogs, lexicon, store.

The one place that reads dialogs/ and locales/ for running the guide; the CLI and the Telegram
adapter call :func:`build_guide` and get the same wiring.
"""

from __future__ import annotations

from pathlib import Path

from bot.engine import Engine
from bot.engine import texts as engine_texts
from bot.flow import load_flow
from bot.flow.errors import DialogError, Problem, relative
from bot.flow.yamlfile import read_yaml
from bot.desk import DeskService, OperatorChannel, SilentChannel
from bot.guide import Guide
from bot.i18n import Translator, all_msgids, available_locales, load_catalog
from bot.paths import dialogs_dir
from bot.region import load_region
from bot.render import Renderer
from bot.store import Store
from bot.understanding import Understanding


def load_lexicon(locale: str, root: Path | None = None) -> tuple[dict[str, list[str]], dict[str, str]]:
    root = Path(root) if root else dialogs_dir()
    path = root / "lexicon" / f"{locale}.yaml"
    shown = relative(path, root)
    if not path.is_file():
        raise DialogError([Problem(shown, None, "lexicon file is missing")])
    data = read_yaml(path, shown)
    if not isinstance(data, dict) or not isinstance(data.get("intents"), dict):
        raise DialogError([Problem(shown, getattr(data, "line", None), "expected a mapping with 'intents'")])
    intents = {str(k): [str(p) for p in (v or [])] for k, v in data["intents"].items()}
    return intents, {str(k): str(v) for k, v in (data.get("fallbacks") or {}).items()}


def load_spellings(locale: str, root: Path | None = None) -> tuple[dict[str, str], list[str]]:
    """The lexicon's informal spellings ("udh" -> "sudah") and everyday words that are not typos."""
    root = Path(root) if root else dialogs_dir()
    path = root / "lexicon" / f"{locale}.yaml"
    data = read_yaml(path, relative(path, root)) if path.is_file() else {}
    data = data if isinstance(data, dict) else {}
    spellings = {str(k): str(v) for k, v in (data.get("spellings") or {}).items()}
    return spellings, [str(w) for w in (data.get("known_words") or [])]


def build_guide(store: Store | None = None, *, locale: str = "id", handoff_available: bool = True,
                channel: OperatorChannel | None = None, outbox: bool = False, region: str = "kota-serang",
                ask_place: bool = False,
                dialogs: Path | None = None, locales: Path | None = None) -> Guide:
    """Load and validate everything, then wire one Engine and Renderer per shipped locale."""
    lexicon, _ = load_lexicon(locale, dialogs)
    flow = load_flow(dialogs, known_msgids=all_msgids(locales), known_intents=set(lexicon))
    the_region = load_region(region, dialogs)
    engines, renderers = {}, {}
    for loc in available_locales(locales):
        try:
            words, fallbacks = load_lexicon(loc, dialogs)
        except DialogError:
            continue  # a locale without a lexicon can still be shown, but not chosen for residents
        renderer = Renderer(Translator(load_catalog(loc, locales)), the_region)
        labels = renderer.labels(_label_msgids(flow) | engine_texts.place_msgids(the_region))
        spellings, known_words = load_spellings(loc, dialogs)
        understanding = Understanding(words, labels, fallbacks, spellings=spellings, known_words=known_words)
        engines[loc] = Engine(flow, understanding, the_region, handoff_available=handoff_available, ask_place=ask_place)
        renderers[loc] = renderer
    if locale not in engines:
        raise DialogError([Problem(str(locales or "locales"), None, f"locale {locale!r} has no catalog or lexicon")])
    desk = DeskService(channel or SilentChannel(), the_region)
    guide = Guide(engines, renderers, store or Store(":memory:"), desk, default_locale=locale, outbox=outbox)
    desk.attach(guide)
    return guide


def _label_msgids(flow) -> set[str]:
    ids = {b.label for s in flow.states.values() for b in s.buttons}
    ids.update(t.label for t in flow.faq)
    ids.update(m for m in engine_texts.all_msgids() if m.startswith("btn."))
    return ids
