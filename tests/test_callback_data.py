"""Inline buttons' callback data: every kind the bot builds reads back as what was built and
fits Telegram's 64 bytes, whatever the ticket number; anything the bot did not build reads as
nothing; and no module writes callback data but bot/vocabulary.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import bot
from bot.desk import review
from bot.desk.telegram import card_buttons
from bot.i18n import Translator, load_catalog
from bot.region import load_region
from bot.render import Renderer
from bot.vocabulary import (
    CALLBACK_DATA_LIMIT,
    CardAction,
    CardButton,
    OutcomeButton,
    RatingButton,
    StepButton,
    parse_callback,
)

LARGEST = 2**63 - 1  # the largest ticket number SQLite can hand out


def built_by_the_bot(ticket: int) -> list[str]:
    """Every callback data the bot puts under a message, from the functions that put it there."""
    renderer = Renderer(Translator(load_catalog("id")), load_region())
    card = [b.callback_data for row in card_buttons(renderer, ticket).inline_keyboard for b in row]
    outcomes = [data for row in review.resolution_buttons(renderer, ticket) for _, data in row]
    # The rating's two buttons are built in bot/telegram/delivery.py, one per review.RATINGS value.
    ratings = [RatingButton(ticket, value).data for value in review.RATINGS]
    return [str(d) for d in card + outcomes + ratings]


@pytest.mark.parametrize("ticket", [1, 4096, LARGEST])
def test_everything_the_bot_builds_parses_back_and_fits(ticket: int) -> None:
    built = built_by_the_bot(ticket)
    assert len(built) == 3 + len(review.RESOLUTIONS) + len(review.RATINGS)
    for data in built:
        button = parse_callback(data)
        assert button is not None and button.data == data and button.ticket == ticket, data
        assert len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT, data


def test_each_kind_reads_back_as_built() -> None:
    for button in (*(CardButton(a, LARGEST) for a in CardAction), OutcomeButton(LARGEST, "home_visit"),
                   RatingButton(LARGEST, "down"), StepButton(12, "face_check")):
        assert parse_callback(button.data) == button


@pytest.mark.parametrize("data", [
    "", "desk", "desk:take", "desk:take:", "desk:grab:3", "desk:take:3:4", "desk:take:²", "desk:take:٣",
    "desk:take:" + "9" * 30, "desk:res:3", "desk:res:x:solved", "desk:res:3:", "rate:3", "rate:x:up", "rate:3:",
    "rate:" + "9" * 30 + ":up", "b:face_check", "bx:face_check", "b", "hello",
])
def test_what_the_bot_did_not_build_reads_as_nothing(data: str) -> None:
    assert parse_callback(data) is None


def test_no_module_but_the_vocabulary_writes_callback_data() -> None:
    package = Path(bot.__file__).parent
    written = re.compile(r"""["'](?:desk|rate):|callback_data=f["']""")
    offenders = [str(p.relative_to(package)) for p in package.rglob("*.py")
                 if p.name != "vocabulary.py" and "emulator" not in p.parts and written.search(p.read_text("utf-8"))]
    assert offenders == []
