"""The guide's fixed words, in one place: commands, events, intents, overlays, escalation reasons.

Every module that names one imports it from here (the engine, the flow loader, the Telegram
adapter, the desk, the terminal chat), and the flow loader checks dialogs/ against it, so a
typo is a ``file:line`` error at ``teman-ikd check`` instead of a step that never fires.
Events are the words of dialogs/ (Indonesian: a YAML author writes ``on: {lanjut: ...}``);
intents are the reader's labels (English: bot/understanding, dialogs/understanding/).
``parse_command`` is the one reader of ``/cmd arg`` for residents, operators and the terminal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Command(StrEnum):
    """What a resident may type as /command, in the order Telegram's menu shows them (msgid
    ``cmd.<name>`` describes each)."""

    START = "start"
    BANTUAN = "bantuan"
    ULANGI = "ulangi"
    KEMBALI = "kembali"
    BERHENTI = "berhenti"
    TANYA = "tanya"
    MULAI = "mulai"
    HAPUSDATA = "hapusdata"


class DeskCommand(StrEnum):
    """What an operator may type in the operators' group."""

    AMBIL = "ambil"  # take the ticket
    SELESAI = "selesai"  # the resident goes back to the guide
    TUTUP = "tutup"  # end the conversation
    CATATAN = "catatan"  # an internal note (also "// text")
    PINDAH = "pindah"  # move the ticket to a kecamatan's group
    RIWAYAT = "riwayat"  # the resident's tickets
    TOKO = "toko"  # send the official app's store page
    KIRIM = "kirim"  # send the resident a step of the guide, or the store page
    KUNJUNGAN = "kunjungan"  # open home-visit requests
    ANTRIAN = "antrian"  # open tickets
    STATISTIK = "statistik"  # today's figures
    LAPORAN = "laporan"  # the supervisors' chart


TICKET_COMMANDS = frozenset({DeskCommand.AMBIL, DeskCommand.SELESAI, DeskCommand.TUTUP, DeskCommand.CATATAN,
                             DeskCommand.PINDAH, DeskCommand.RIWAYAT, DeskCommand.TOKO,
                             DeskCommand.KIRIM})  # in a resident's topic
GROUP_COMMANDS = frozenset({DeskCommand.ANTRIAN, DeskCommand.STATISTIK, DeskCommand.LAPORAN,
                            DeskCommand.KUNJUNGAN})  # anywhere in the group


class Event(StrEnum):
    """Events the engine handles itself (a button or an intent may fire them; dialogs/ may not
    define transitions for them)."""

    BANTUAN = "bantuan"  # a person, please
    ULANGI = "ulangi"  # say it again (simpler)
    KEMBALI = "kembali"  # the step before
    MULAI = "mulai"  # from the beginning
    BERHENTI = "berhenti"  # pause
    TANYA = "tanya"  # the questions menu
    LANJUT = "lanjut"  # carry on (closes a menu)
    PANDUAN = "panduan"  # back to the guide from the queue
    KEMBALI_LANGKAH = "kembali_langkah"  # back to my step, from a problem's detour
    PENGINGAT_STOP = "pengingat_stop"  # no more reminders
    RENCANA_KUNJUNGAN = "rencana_kunjungan"  # plan the office visit
    HAPUS_YA = "hapus_ya"  # yes, erase my data
    HAPUS_TIDAK = "hapus_tidak"  # no, keep it
    KUNJUNGAN_RUMAH = "kunjungan_rumah"  # yes, ask for a home visit (bot/engine/home_visit.py)


# Events every state understands without declaring them (also typed as commands).
GLOBAL_EVENTS: tuple[str, ...] = (Event.BANTUAN, Event.ULANGI, Event.KEMBALI, Event.MULAI, Event.BERHENTI, Event.TANYA)
# Events the engine handles itself that a dialog's button or intent may fire (never a transition):
# the home-visit consent of pb_home_visit (bot/engine/home_visit.py).
OFFERED_EVENTS: tuple[str, ...] = (Event.KUNJUNGAN_RUMAH,)
# The command a resident types, as the event it fires (/start and /hapusdata are the engine's own).
COMMAND_EVENTS: dict[str, str] = {c.value: Event(c.value) for c in Command if c.value in GLOBAL_EVENTS}

# Events that carry a name after a prefix: built and read only through these.
FAQ = "faq:"  # faq:<topic> answers a question of dialogs/faq.yaml
PROBLEM = "problem:"  # problem:<name> detours to a problem's troubleshooting state
KECAMATAN = "kec:"  # kec:<id> answers "which kecamatan?"
VISIT = "visit:"  # visit:<day> answers "when will you go to the office?"
KELURAHAN = "kel:"  # kel:<id> answers "which kelurahan?" (a home visit)
CHAT = ":"  # :<intent> a chit-chat intent (thanks, greeting, confused), answered in place
RESERVED_PREFIXES = (FAQ, PROBLEM, KECAMATAN, VISIT, CHAT)
# What to do once "which kecamatan?" is answered, when it was asked before a handoff:
# "bantuan:<reason>" escalates with that reason (kept in a fact while the question is open).
ESCALATE_AFTER = Event.BANTUAN + ":"


def faq_event(topic: str) -> str:
    return FAQ + topic


def problem_event(name: str) -> str:
    return PROBLEM + name


def chat_event(intent: str) -> str:
    return CHAT + intent


class Intent(StrEnum):
    """Intents the engine itself acts on (the reader knows more: dialogs/understanding/)."""

    HELP = "help"
    REPEAT = "repeat"
    BACK = "back"
    RESTART = "restart"
    PAUSE = "pause"
    SCAM = "scam"
    THANKS = "thanks"
    GREETING = "greeting"
    CONFUSED = "confused"


# Intents that mean the same anywhere, and the event each fires.
GLOBAL_INTENTS: dict[str, str] = {Intent.HELP: Event.BANTUAN, Intent.REPEAT: Event.ULANGI, Intent.BACK: Event.KEMBALI,
                                  Intent.RESTART: Event.MULAI, Intent.PAUSE: Event.BERHENTI}
CHIT_CHAT: tuple[str, ...] = (Intent.THANKS, Intent.GREETING, Intent.CONFUSED)
CHAT_EVENTS = frozenset(chat_event(i) for i in CHIT_CHAT)


class Overlay(StrEnum):
    """A menu shown over the resident's step (Conversation.overlay)."""

    ERASE = "erase"  # "erase everything?"
    FAQ = "faq"  # the questions menu
    KECAMATAN = "kecamatan"  # "which kecamatan?"
    SCAM = "scam"  # the scam warning
    STUCK = "stuck"  # the stuck offer
    VISIT = "visit"  # "when will you go?"


class Reason(StrEnum):
    """Why a ticket was opened (msgid ``desk.reason.<reason>``; content carries the state:
    ``content:<state>``)."""

    ASKED = "asked"
    STUCK = "stuck"
    SCAM = "scam"
    CONTENT = "content"
    MEDIA = "media"  # tickets opened by an older version (a photo sent); still shown on their cards
    FOLLOWUP = "followup"
    HOME_VISIT = "home_visit"  # a resident who cannot travel asked for a home visit


def content_reason(state: str) -> str:
    return f"{Reason.CONTENT}:{state}"


def reason_kind(reason: str) -> str:
    """The Reason of a stored reason (``content:face_check`` is CONTENT)."""
    return reason.split(":", 1)[0]


# ----- /cmd arg ----------------------------------------------------------------------------
@dataclass(frozen=True)
class CommandLine:
    """``/name@bot argument``: the name lowercased, the bot it was addressed to (or None), the
    rest stripped."""

    name: str
    argument: str = ""
    bot: str | None = None


@dataclass(frozen=True)
class NoteLine:
    """``// text``: an operator's internal note."""

    text: str


_COMMAND = re.compile(r"/(?P<head>\S+)(?P<rest>.*)", re.DOTALL)


def parse_command(text: str) -> CommandLine | NoteLine | None:
    """The one reading of a typed line: a command, a note, or None (plain text).

    A command is "/" followed at once by its name (so "/ halo" and "/" are plain text); the
    name ends at the first space or line break; "@bot" after it is split off; the rest is the
    argument. "//" starts a note. Telegram writes a tapped command the same way.
    """
    if text.startswith("//"):
        return NoteLine(text[2:].strip())
    if not text.startswith("/") or len(text) < 2 or text[1].isspace():
        return None
    found = _COMMAND.match(text)
    assert found is not None  # "/" and a character that is no space: always a command
    name, _, bot = found["head"].partition("@")
    return CommandLine(name.lower(), found["rest"].strip(), bot or None)
