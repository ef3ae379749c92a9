"""``teman-ikd facts``: the launch checklist, i.e. every fact the guide relies on that Disdukcapil
has not confirmed yet, each with the source it rests on (from dialogs/region/<name>.yaml).

Staff-facing (English, like the other developer commands); the guide itself hedges each of these
facts when it says them (bot.render).
"""

from __future__ import annotations

from typing import TextIO

from bot.region import load_region


def run_facts(region_name: str, out: TextIO) -> int:
    region = load_region(region_name)
    items = list(region.unconfirmed())
    out.write(f"{region.name}: {len(items)} fact(s) to confirm with Disdukcapil before launch\n"
              f"(edit dialogs/region/{region_name}.yaml and set confirmed: true once checked)\n\n")
    for number, item in enumerate(items, start=1):
        out.write(f"{number:2}. {item.what}: {item.value}\n    source: {item.source or '(none given)'}\n")
    return 0
