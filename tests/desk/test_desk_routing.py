"""A desk for a whole city, end to end through the emulator: the resident's kecamatan is asked
once, their ticket opens in that kecamatan's operators' group, each group sees its own queue and
the Disdukcapil group the city's, and /pindah moves a ticket (the resident told, the topic follows)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.emulator import Emulator
from bot.store import Store
from bot.telegram.app import RunningBot, build_bot
from tests.conftest import TIME_SCALE, make_settings
from tests.desk.test_desk import MONDAY_0900_WIB, act, labels


class City:
    """The Disdukcapil group and two kecamatan groups (Curug, Kasemen), an operator in each."""

    def __init__(self, emu: Emulator, db: Path):
        self.emu, self.db, self.clock = emu, db, MONDAY_0900_WIB
        self.dukcapil = emu.forum_group("Operator Disdukcapil")
        self.curug = emu.forum_group("Operator Kec. Curug")
        self.kasemen = emu.forum_group("Operator Kec. Kasemen")
        self.rina = emu.operator(self.dukcapil, "Rina")
        self.dewi = emu.operator(self.curug, "Dewi")
        self.agus = emu.operator(self.kasemen, "Agus")

    def parts(self):
        settings = make_settings(self.emu, self.db, operator_chat=self.dukcapil.chat_id,
                                 operator_groups=(("curug", self.curug.chat_id), ("kasemen", self.kasemen.chat_id)))
        parts = build_bot(settings, Store(str(self.db)), chat_interval=1.0 / TIME_SCALE)
        parts.adapter.store.clock = lambda: self.clock
        return parts

    @staticmethod
    def texts(group, thread) -> str:
        return "\n".join(m.get("text") or "" for m in group.messages_in(thread))

    @staticmethod
    def thread_in(group, name: str) -> int:
        found = [tid for tid, t in group.topics.items() if t["name"].startswith(name) and not t["deleted"]]
        assert found, f"no topic for {name} in {group}"
        return found[-1]


@pytest.fixture
async def city(emu: Emulator, tmp_path: Path) -> AsyncIterator[tuple[City, RunningBot]]:
    c = City(emu, tmp_path / "bot.sqlite3")
    parts = c.parts()
    async with RunningBot(parts) as bot:
        yield c, bot
    parts.adapter.store.close()


async def test_the_kecamatan_is_asked_before_a_handoff_and_the_ticket_opens_in_its_group(city) -> None:
    c, bot = city
    siti = c.emu.resident("Siti")
    await act(bot, lambda: siti.command("start"), lambda: siti.command("bantuan"))
    asked = siti.inbox[-1]
    assert "kecamatan" in asked["text"].lower()
    assert labels(siti) == ["📍 Serang", "📍 Cipocok Jaya", "📍 Curug", "📍 Kasemen", "📍 Taktakan", "📍 Walantaka",
                            "🤷 Tidak tahu"]
    assert bot.parts.adapter.store.active_ticket(siti.chat_id) is None  # not before the answer
    await act(bot, lambda: siti.press("📍 Curug"))
    assert "petugas" in siti.inbox[-1]["text"].lower() and labels(siti) == ["↩️ Kembali ke panduan"]
    assert "Kantor Kecamatan Curug" in siti.inbox[-1]["text"]  # the nearest office, from the region file
    thread = c.thread_in(c.curug, "Siti")
    assert "Curug" in c.curug.topics[thread]["name"] and "Tiket #" in c.texts(c.curug, thread)
    assert not [t for t in c.dukcapil.topics.values() if t["name"].startswith("Siti")]
    # Asked once: the next request for a person goes straight through, to the same group.
    await act(bot, lambda: c.dewi.command("selesai", thread_id=thread), lambda: siti.command("bantuan"))
    assert bot.parts.adapter.store.active_ticket(siti.chat_id) is not None
    assert "kecamatan" not in siti.inbox[-1]["text"].lower()


async def test_a_typed_kelurahan_routes_and_an_unknown_place_goes_to_disdukcapil(city) -> None:
    c, bot = city
    budi, ani = c.emu.resident("Budi"), c.emu.resident("Ani")
    await act(bot, lambda: budi.command("start"), lambda: budi.send("saya mau bicara dengan petugas"))
    await act(bot, lambda: budi.send("kel. kilasah"))  # a kelurahan of Kasemen
    assert c.thread_in(c.kasemen, "Budi")
    await act(bot, lambda: ani.command("start"), lambda: ani.command("bantuan"), lambda: ani.send("entah dimana"))
    assert "belum saya kenal" in ani.inbox[-1]["text"] and "🤷 Tidak tahu" in labels(ani)  # asked again, kindly
    await act(bot, lambda: ani.press("🤷 Tidak tahu"))
    assert c.thread_in(c.dukcapil, "Ani")


async def test_each_group_sees_its_queue_and_the_disdukcapil_group_the_city(city) -> None:
    c, bot = city
    siti, budi = c.emu.resident("Siti"), c.emu.resident("Budi")
    await act(bot, lambda: siti.command("start"), lambda: siti.command("bantuan"), lambda: siti.press("📍 Curug"))
    await act(bot, lambda: budi.command("start"), lambda: budi.command("bantuan"), lambda: budi.press("📍 Kasemen"))
    await act(bot, lambda: c.dewi.command("antrian"), lambda: c.agus.command("antrian"),
              lambda: c.rina.command("antrian"), lambda: c.rina.command("statistik"),
              lambda: c.dewi.command("statistik"))
    curug, kasemen, city_wide = (c.texts(g, None) for g in (c.curug, c.kasemen, c.dukcapil))
    assert "Antrean tiket terbuka: 1" in curug and "Siti" in curug and "Budi" not in curug
    assert "Antrean tiket terbuka: 1" in kasemen and "Budi" in kasemen and "Siti" not in kasemen
    assert "Antrean tiket terbuka: 2" in city_wide and "Siti" in city_wide and "Budi" in city_wide
    assert "Hari ini: 2" in city_wide and "Hari ini: 1" in curug
    # An operator of one group cannot act on another group's ticket by forging its topic.
    assert bot.parts.adapter.store.active_ticket(siti.chat_id).group_id == c.curug.chat_id


async def test_pindah_moves_the_ticket_the_resident_is_told_and_the_topic_follows(city) -> None:
    c, bot = city
    siti = c.emu.resident("Siti")
    await act(bot, lambda: siti.command("start"), lambda: siti.command("bantuan"), lambda: siti.press("📍 Curug"))
    await act(bot, lambda: siti.send("rumah saya sebenarnya di Kasemen pak"))
    old = c.thread_in(c.curug, "Siti")
    await act(bot, lambda: c.dewi.command("pindah", "kasemen", thread_id=old))
    assert "Kasemen" in siti.inbox[-1]["text"]
    assert "memindahkan tiket ini" in c.texts(c.curug, old) and c.curug.topics[old]["closed"]
    new = c.thread_in(c.kasemen, "Siti")
    card = c.texts(c.kasemen, new)
    assert "dipindahkan ke grup ini oleh Dewi" in card and "rumah saya sebenarnya di Kasemen" in card
    # The relay follows the ticket both ways.
    await act(bot, lambda: siti.send("terima kasih"), lambda: c.agus.send("Halo Bu, saya Agus", thread_id=new))
    assert "terima kasih" in c.texts(c.kasemen, new) and "terima kasih" not in c.texts(c.curug, old)
    assert "saya Agus" in siti.inbox[-1]["text"]
    # The old group cannot act on it any more; /pindah without a place lists the choices.
    await act(bot, lambda: c.dewi.send("halo?", thread_id=old))
    assert "halo?" not in str(siti.inbox[-1])
    await act(bot, lambda: c.agus.command("pindah", thread_id=new))
    assert "Cipocok Jaya" in c.texts(c.kasemen, new)


async def test_every_group_is_checked_at_start(emu: Emulator, tmp_path: Path) -> None:
    from bot.desk.telegram import OperatorGroupError

    main = emu.forum_group("Operator Disdukcapil")
    plain = emu.group("Kec. Curug (bukan forum)", bot_is_admin=True)
    settings = make_settings(emu, tmp_path / "bot.sqlite3", operator_chat=main.chat_id,
                             operator_groups=(("curug", plain.chat_id),))
    parts = build_bot(settings, Store(str(tmp_path / "bot.sqlite3")))
    with pytest.raises(OperatorGroupError, match="not a forum"):
        async with RunningBot(parts):
            pass
