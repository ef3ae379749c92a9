"""Home-visit requests on the desk (jemput bola): what operators read about them (pure rendering
plus two store calls), kept apart from the desk's service.

A ticket of reason ``home_visit`` (bot/engine/home_visit.py) carries the resident's kelurahan,
kecamatan and a short address, already redacted. ``record`` stores them (bot/store/visits.py:
deleted with /hapusdata and by the retention purge) and returns the card's first lines, which say
it is a home-visit request; ``card_lines`` gives the same for a moved ticket; ``open_list``
answers /kunjungan: a group's open requests, or the whole city's in the Disdukcapil group.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot import places
from bot.region import Region
from bot.render import Renderer
from bot.store import HomeVisit, Store, Ticket

ADDRESS_SHOWN = 120  # characters of the address in the /kunjungan list (the card has all of it)


def record(store: Store, ticket: Ticket, visit: tuple[str, str, str], renderer: Renderer, region: Region) -> str:
    kecamatan, kelurahan, address = visit
    store.visits.add(ticket.id, ticket.chat_id, _known(kecamatan), _known(kelurahan), address)
    return card_lines(store, ticket, renderer, region)


def card_lines(store: Store, ticket: Ticket, renderer: Renderer, region: Region) -> str:
    """The card's home-visit lines ("" for any other ticket)."""
    visit = store.visits.of_ticket(ticket.id)
    if visit is None:
        return ""
    kecamatan, kelurahan = _names(visit, renderer, region)
    return renderer.t.text("desk.visit_card", kelurahan=kelurahan, kecamatan=kecamatan, address=visit.address) + "\n"


def open_list(store: Store, group: int | None, renderer: Renderer, region: Region) -> str:
    """/kunjungan: open requests, oldest first (``group`` None: the whole city)."""
    found = store.visits.open(group)
    if not found:
        return renderer.t.text("desk.visits_empty")
    lines = [renderer.t.text("desk.visits_title", count=len(found))]
    for v in found:
        kecamatan, kelurahan = _names(v, renderer, region)
        moment = datetime.fromtimestamp(v.requested_at, UTC).astimezone(region.timezone)
        address = v.address if len(v.address) <= ADDRESS_SHOWN else v.address[:ADDRESS_SHOWN] + "…"
        name = store.residents.first_name(v.chat_id) or "—"
        lines.append(renderer.t.text("desk.visit_line", id=v.ticket_id, name=name,
                                     date=renderer.t.moment(moment, region.timezone), kelurahan=kelurahan,
                                     kecamatan=kecamatan, address=address))
    return "\n".join(lines)


def _known(value: str) -> str | None:
    return None if value == places.UNKNOWN else value


def _names(visit: HomeVisit, renderer: Renderer, region: Region) -> tuple[str, str]:
    unknown = renderer.t.text("desk.place_unknown")
    place = region.places.get(visit.kecamatan)
    return (place.name if place else unknown), (visit.kelurahan or unknown)
