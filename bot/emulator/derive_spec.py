"""Maintainer script: derive ``botapi_spec.json`` from the upstream machine-readable spec.

Boundary: run by hand when the Bot API version moves; never imported at run time.
The emulator only reads the committed, compact ``botapi_spec.json`` next to this file.

    python -m bot.emulator.derive_spec /path/to/telegram-bot-api/api.json

Source: https://github.com/PaulSonOfLars/telegram-bot-api-spec (MIT, see BOTAPI_SPEC_LICENSE).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = Path("/work/shared/telegram-bot-api/api.json")
LICENSE_NOTE = (
    "Derived from github.com/PaulSonOfLars/telegram-bot-api-spec (api.json), "
    "Copyright (c) 2020 Paul Larsen, MIT License; full text in BOTAPI_SPEC_LICENSE."
)


def derive(api: dict) -> dict:
    """Keep only what request checking needs: per-method parameter types and requiredness."""
    methods: dict[str, dict[str, dict]] = {}
    for name, method in sorted(api["methods"].items()):
        methods[name] = {
            f["name"]: {"types": list(f["types"]), "required": bool(f["required"])}
            for f in method.get("fields", [])
        }
    return {
        "_license": LICENSE_NOTE,
        "version": api["version"],
        "release_date": api.get("release_date", ""),
        "methods": methods,
    }


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    out = HERE / "botapi_spec.json"
    data = derive(json.loads(source.read_text(encoding="utf-8")))
    out.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(data['methods'])} methods, {data['version']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
