"""A home-visit request (jemput bola), end to end through the emulator: a resident who cannot
travel says so, agrees, types the kelurahan and a short address; a ticket of that kind opens in
the kecamatan's group (the card says so, the address redacted); /kunjungan lists open requests
per group and city-wide; the address goes with /hapusdata and with the retention purge."""

from __future__ import annotations

import sqlite3

from bot.telegram.maintenance import DAY, Retention
from tests.desk.test_desk import act, labels
from tests.desk.test_desk_routing import City, city  # noqa: F401  (the fixture)

NIK = "3604012345678901"


def _addresses(c: City) -> list[str]:
    with sqlite3.connect(c.db) as db:
        return [r[0] for r in db.execute("SELECT address FROM home_visits")]


async def _request(c: City, bot, who) -> None:
    await act(bot, lambda: who.command("start"),
              lambda: who.send("ibu saya sudah tidak bisa jalan ke kantor, sakit stroke"))
    offer = who.inbox[-1]["text"]
    assert "datang ke rumah" in offer and "belum pasti" in offer  # hedged: unconfirmed in Kota Serang
    assert "✅ Ya, minta petugas" in labels(who)
    await act(bot, lambda: who.press("✅ Ya, minta petugas"))
    assert "kelurahan" in who.inbox[-1]["text"].lower()
    await act(bot, lambda: who.send("kel. antah berantah"))
    assert "belum saya kenal" in who.inbox[-1]["text"]  # asked again
    await act(bot, lambda: who.send("kilasah"))  # a kelurahan of Kasemen
    assert "alamat" in who.inbox[-1]["text"].lower()
    await act(bot, lambda: who.send(f"Kp. Kilasah RT 02 RW 03 dekat masjid, NIK {NIK}"))


async def test_a_home_visit_request_opens_in_the_kecamatan_group_and_is_listed(city) -> None:  # noqa: F811
    c, bot = city
    siti = c.emu.resident("Siti")
    await _request(c, bot, siti)
    said = siti.inbox[-1]["text"]
    assert "kunjungan rumah" in said and "belum pasti" in said and labels(siti) == ["↩️ Kembali ke panduan"]
    assert NIK not in str(siti.inbox)  # the NIK typed into the address was deleted, not echoed
    thread = c.thread_in(c.kasemen, "Siti")  # routed by the kelurahan, without asking the kecamatan
    card = c.texts(c.kasemen, thread)
    assert "PERMINTAAN KUNJUNGAN RUMAH" in card and "Kelurahan: Kilasah · Kecamatan: Kasemen" in card
    assert "dekat masjid" in card and NIK not in card  # redacted as the card is
    assert not [t for t in c.dukcapil.topics.values() if t["name"].startswith("Siti")]
    # /kunjungan: the Kasemen group and the Disdukcapil group (city-wide) list it; Curug does not.
    await act(bot, lambda: c.agus.command("kunjungan"), lambda: c.dewi.command("kunjungan"),
              lambda: c.rina.command("kunjungan"))
    kasemen, curug, city_wide = (c.texts(g, None) for g in (c.kasemen, c.curug, c.dukcapil))
    for listing in (kasemen, city_wide):
        assert "kunjungan rumah yang masih terbuka: 1" in listing and "Siti" in listing and "Kilasah" in listing
    assert "Tidak ada permintaan kunjungan rumah" in curug
    # Once the ticket is closed, it is no longer open.
    await act(bot, lambda: c.agus.command("tutup", thread_id=thread), lambda: c.agus.command("kunjungan"))
    assert c.texts(c.kasemen, None).endswith("Tidak ada permintaan kunjungan rumah yang terbuka.")


async def test_the_address_is_deleted_with_the_residents_data(city) -> None:  # noqa: F811
    c, bot = city
    siti = c.emu.resident("Siti")
    await _request(c, bot, siti)
    assert len(_addresses(c)) == 1 and NIK not in _addresses(c)[0] and "dekat masjid" in _addresses(c)[0]
    await act(bot, lambda: siti.command("hapusdata"), lambda: siti.press(labels(siti)[0]))
    assert _addresses(c) == []


async def test_the_address_is_purged_after_the_retention_period(city) -> None:  # noqa: F811
    c, bot = city
    budi = c.emu.resident("Budi")
    await _request(c, bot, budi)
    store = bot.parts.adapter.store
    Retention(store, days=30, clock=lambda: c.clock + 29 * DAY).purge_once()
    assert len(_addresses(c)) == 1
    Retention(store, days=30, clock=lambda: c.clock + 31 * DAY).purge_once()
    assert _addresses(c) == []
