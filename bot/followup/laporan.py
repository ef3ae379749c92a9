"""/laporan in the operators' group: the chart as a photo, captioned with three lines.

Built when the outbox item is sent (the figures of that moment), in a worker thread so drawing
never holds up the event loop that answers residents.
"""

from __future__ import annotations

from datetime import datetime

from bot.followup import report
from bot.guide import Guide


def laporan(guide: Guide, locale: str) -> tuple[bytes, str]:
    # matplotlib is imported on the first /laporan, not when the bot starts (it would slow the
    # start and, for a user without a home, write a warning into the bot's one-line errors).
    from bot.followup import charts

    engine = guide.engines[locale]
    region = engine.needs_region()
    words = report.Words(guide.renderers[locale].t, engine.flow, region)
    today = datetime.now(region.timezone).date()
    f = report.build(guide.store, engine.flow, region, None, today)
    return charts.draw(f, words, "png"), "\n".join(report.three_lines(f, words))
