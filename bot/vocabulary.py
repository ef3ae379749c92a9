"""The guide's fixed words, in one place: commands, events, intents, overlays, escalation reasons.

Every module that names one imports it from here (the engine, the flow loader, the Telegram
adapter, the desk, the terminal chat), and the flow loader checks dialogs/ against it, so a
typo is a ``file:line`` error at ``teman-ikd check`` instead of a step that never fires.
Events are the words of dialogs/ (Indonesian: a YAML author writes ``on: {lanjut: ...}``);
intents are the reader's labels (English: bot/understanding, dialogs/understanding/).
``parse_command`` is the one reader of ``/cmd arg`` for residents, operators and the terminal;
``parse_callback`` the one reader of inline buttons' callback data, each kind built by its ``data``.
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



class OperatorAct(StrEnum):
    """What an operator did that reaches the guide, as an input like a resident's (Input.by_operator)."""

    FINISHED = "finished"  # /selesai: the resident goes back to the guide, on their step
    ENDED = "ended"  # /tutup: the conversation ends; the guide rests until the resident comes back
    FOLLOWED_UP = "followed_up"  # wrote after the ticket closed: the resident is with a person again

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


# ----- callback data: what an inline button sends back --------------------------------------
# Built by the bot, read back from the client, which may forge it: each kind below is built
# only by its ``data`` and read only by ``parse_callback``. A foreign prefix, a wrong shape or a
# number that is not plain ASCII digits fitting in 64 bits ("²", "٣", 30 digits) reads as None:
# such a button is answered and does nothing, by design.
CALLBACK_DATA_LIMIT = 64  # bytes Telegram accepts in an inline button's callback_data
DESK_PREFIX = "desk:"  # the operators' buttons
OUTCOME_PREFIX = DESK_PREFIX + "res:"
RATING_PREFIX = "rate:"
STEP_BUTTON_PREFIX = "b"


class CardAction(StrEnum):
    """The buttons on a ticket card, each an operator command (bot/desk/operators.py)."""

    TAKE = "take"  # /ambil
    FINISH = "finish"  # /selesai
    END = "end"  # /tutup


@dataclass(frozen=True)
class CardButton:
    """``desk:<action>:<ticket>``: a button on a ticket's card in the operators' topic."""

    action: CardAction
    ticket: int

    @property
    def data(self) -> str:
        return f"{DESK_PREFIX}{self.action}:{self.ticket}"


@dataclass(frozen=True)
class OutcomeButton:
    """``desk:res:<ticket>:<outcome>``: how a ticket ended, chosen under its closing message
    (the outcomes are bot/desk/review.py's RESOLUTIONS, checked where they are stored)."""

    ticket: int
    outcome: str

    @property
    def data(self) -> str:
        return f"{OUTCOME_PREFIX}{self.ticket}:{self.outcome}"


@dataclass(frozen=True)
class RatingButton:
    """``rate:<ticket>:<value>``: the resident's 👍/👎 after a handoff (values: review.RATINGS)."""

    ticket: int
    value: str

    @property
    def data(self) -> str:
        return f"{RATING_PREFIX}{self.ticket}:{self.value}"


@dataclass(frozen=True)
class StepButton:
    """``b<N>:<state>``: button N of a step, pressed in a private chat. The guide shows reply
    keyboards, so the bot builds none of these now; it still reads them (a client may send any
    data), acting only when <state> is the resident's current state."""

    number: int
    state: str

    @property
    def data(self) -> str:
        return f"{STEP_BUTTON_PREFIX}{self.number}:{self.state}"


Callback = CardButton | OutcomeButton | RatingButton | StepButton
_CARD_ACTIONS = frozenset(CardAction)
_LARGEST = 2**63 - 1  # SQLite's largest integer: every ticket number the store hands out reads back


def small_number(text: str) -> int | None:
    """The number written in ``text`` (ASCII digits only) if it fits in 64 bits, else None.
    Callback data is written by the client, so "²", "٣" or a 30-digit number must not crash."""
    if not text or len(text) > 19 or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= _LARGEST else None


def parse_callback(data: str) -> Callback | None:
    """The one reading of an inline button's callback data; None for anything the bot did not build."""
    parts = data.split(":")
    if data.startswith(OUTCOME_PREFIX) and len(parts) == 4:
        ticket = small_number(parts[2])
        return OutcomeButton(ticket, parts[3]) if ticket is not None and parts[3] else None
    if data.startswith(DESK_PREFIX) and len(parts) == 3 and parts[1] in _CARD_ACTIONS:
        ticket = small_number(parts[2])
        return CardButton(CardAction(parts[1]), ticket) if ticket is not None else None
    if data.startswith(RATING_PREFIX) and len(parts) == 3:
        ticket = small_number(parts[1])
        return RatingButton(ticket, parts[2]) if ticket is not None and parts[2] else None
    if data.startswith(STEP_BUTTON_PREFIX) and len(parts) >= 2:
        number, _, state = data[len(STEP_BUTTON_PREFIX):].partition(":")
        button = small_number(number)
        return StepButton(button, state) if button is not None else None
    return None
