"""Where the project's data lives: dialogs/ and locales/.

In a source checkout (editable install) they sit beside the package; a wheel carries them inside
the package under ``_data/``. ``TEMAN_IKD_DIALOGS`` / ``TEMAN_IKD_LOCALES`` override both, which
tests use to load deliberately broken content.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _first_existing(env: str, name: str) -> Path:
    override = os.environ.get(env)
    if override:
        return Path(override)
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    return _PACKAGE.parent / name


def dialogs_dir() -> Path:
    return _first_existing("TEMAN_IKD_DIALOGS", "dialogs")


def locales_dir() -> Path:
    return _first_existing("TEMAN_IKD_LOCALES", "locales")
