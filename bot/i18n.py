"""Gettext catalogs (babel) and locale-aware formatting of dates and times.

locales/<lang>/LC_MESSAGES/teman_ikd.po are the source of truth and are read directly with
babel, so a fresh checkout runs without a compile step; ``pybabel compile`` still works for
tools that want .mo files. Msgids are keys ("face.take"); a msgid without a translation is
reported by ``teman-ikd check`` and shown as the key itself, never as a crash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, tzinfo
from pathlib import Path

from babel import Locale
from babel.dates import format_datetime
from babel.messages.pofile import read_po

from bot.paths import locales_dir
from bot.vocabulary import Command

DOMAIN = "teman_ikd"
DEFAULT_LOCALE = "id"


@dataclass(frozen=True)
class Catalog:
    """One locale's translations: msgid -> sentence (untranslated and fuzzy entries left out)."""

    locale: str
    messages: dict[str, str]
    path: Path

    def get(self, msgid: str) -> str | None:
        return self.messages.get(msgid)


def load_catalog(locale: str, root: Path | None = None) -> Catalog:
    root = Path(root) if root else locales_dir()
    path = root / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as handle:
        po = read_po(handle, locale=locale, domain=DOMAIN)
    # Singular messages only: the catalogs have no plural forms (whose strings are tuples).
    messages = {m.id: m.string for m in po
                if m.id and isinstance(m.id, str) and m.string and isinstance(m.string, str) and not m.fuzzy}
    return Catalog(locale, messages, path)


def available_locales(root: Path | None = None) -> list[str]:
    root = Path(root) if root else locales_dir()
    return sorted(p.parent.parent.name for p in root.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def all_msgids(root: Path | None = None) -> set[str]:
    """Msgids present in any shipped catalog (translated or not)."""
    ids: set[str] = set()
    root = Path(root) if root else locales_dir()
    for locale in available_locales(root):
        path = root / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
        with path.open("rb") as handle:
            ids.update(m.id for m in read_po(handle, locale=locale) if m.id and isinstance(m.id, str))
    return ids


class Translator:
    """Looks up sentences and formats moments for one locale."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.locale = Locale.parse(catalog.locale)

    def text(self, msgid: str, **params: object) -> str:
        template = self.catalog.get(msgid) or msgid
        if not params:
            return template
        try:
            return template.format(**params)
        except (KeyError, IndexError, ValueError):
            # A translator's typo in a placeholder must not crash a resident's conversation;
            # `teman-ikd check` reports it.
            return template

    def moment(self, when: datetime, tz: tzinfo) -> str:
        """e.g. "Senin, 1 Desember 2026 pukul 08.00 WIB" (pattern from the catalog)."""
        pattern = self.text("datetime.long")
        return format_datetime(when, pattern, tzinfo=tz, locale=self.locale)

    def clock(self, when: time | datetime) -> str:
        from babel.dates import format_time

        return format_time(when, "HH.mm" if self.locale.language == "id" else "HH:mm", locale=self.locale)

    def day_name(self, index: int) -> str:
        """Monday is 0, as in datetime.weekday()."""
        return self.locale.days["format"]["wide"][index].capitalize()


# Msgids used by the shells (renderer, terminal, Telegram) rather than by dialogs/ or the engine.
SHELL_MSGIDS: tuple[str, ...] = (
    "sys.progress",
    "sapaan.bapak_ibu", "sapaan.bapak", "sapaan.ibu",
    "sapaan.helper.bapak_ibu", "sapaan.helper.bapak", "sapaan.helper.ibu",
    "sapaan.kakek", "sapaan.nenek", "sapaan.dibantu", "sapaan.helper.kakek", "sapaan.helper.nenek",
    "sapaan.helper.dibantu", "sapaan.typist", "toko.iphone", "toko.android", "toko.any",
    "region.unconfirmed", "region.points_unconfirmed", "region.point", "region.hours", "region.days_range",
    "region.no_hours",
    "datetime.long",
    "cli.intro", "cli.bye", "cli.buttons", "cli.demo_operator", "cli.operators_view",
    *(f"cmd.{c}" for c in Command),
    "tg.private_only", "tg.error",
    "sys.erased_summary", "sys.erased_item.progress", "sys.erased_item.messages", "sys.erased_item.ticket",
    "sys.erased_item.topic",
)

# Msgids of the operator desk (bot.desk): what residents and operators read during a handoff.
DESK_MSGIDS: tuple[str, ...] = (
    "desk.joined", "desk.from_operator", "desk.returned", "desk.ended", "desk.queue_position", "desk.after_hours",
    "desk.still_waiting_long", "desk.resident_unnamed", "desk.reason.asked", "desk.reason.stuck",
    "desk.reason.content", "desk.reason.media", "desk.reason.scam", "desk.role.self", "desk.role.helper",
    "desk.role.unknown", "desk.card", "desk.btn.take",
    "desk.btn.finish", "desk.btn.end", "desk.taken", "desk.resident_left", "desk.closed.returned",
    "desk.closed.ended", "desk.queue_title", "desk.queue_line", "desk.queue_empty", "desk.nobody", "desk.stats",
    "desk.not_operator", "desk.no_ticket", "desk.remind_operators", "desk.note_saved",
    # issue 12: the desk for a whole city
    "desk.queue_answer", "desk.media_may_show_ktp", "desk.followup_opened", "desk.secret_request_blocked",
    "desk.reason.followup", "desk.move_which", "desk.move_no_groups", "desk.move_same_group", "desk.moved_out",
    "desk.moved_in", "desk.moved_resident",
    "desk.res.ask", "desk.res.solved", "desk.res.office", "desk.res.home_visit", "desk.res.unreachable",
    "desk.res.none",
    "desk.res.chosen", "desk.history_empty", "desk.history_title", "desk.history_line", "desk.review",
    "desk.rate_ask", "desk.rate_up", "desk.rate_down", "desk.rated", "desk.store_link", "desk.typical_wait",
    "desk.shared.contact", "desk.shared.location", "desk.erased",
)

# Msgids of the supervisors' view (issue 13, bot/followup): report, /laporan, charts, dashboard.
FOLLOWUP_MSGIDS: tuple[str, ...] = (
    "report.title", "report.since_start", "report.empty", "report.col.step", "report.col.reached",
    "report.col.stalled", "report.col.median", "report.col.handoffs", "report.col.kecamatan",
    "report.col.activated", "report.col.steps_reached", "report.col.target", "report.col.share", "report.col.week",
    "report.kecamatan_unknown", "report.kecamatan_dont_know", "report.no_target", "report.target_note",
    "report.target_missing",
    "report.reasons", "report.reasons_none", "report.reminders", "report.line_reached",
    "report.line_stalled", "report.line_target", "report.line_no_stall", "report.csv_written",
    "chart.funnel", "chart.reached", "chart.stalled", "chart.weekly", "chart.target_pace", "chart.no_data",
    "dash.title", "dash.user", "dash.password", "dash.login", "dash.wrong", "dash.too_many", "dash.updated",
)
